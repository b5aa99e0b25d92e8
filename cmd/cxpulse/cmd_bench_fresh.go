package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cxpulse/cxpulse/ingest/event"
)

func newBenchFreshnessCommand(g *globalFlags) *cobra.Command {
	var probes int
	var spacing time.Duration
	cmd := &cobra.Command{
		Use:   "freshness",
		Short: "Time from an event produced to Kafka to its effect on the scraped KPIs",
		Long: `bench freshness runs the whole pipeline in this process (ingest, the KPI jobs at
their configured schedules, /metrics) on a fresh topic and database, produces
--probes ticket.opened events one at a time at random moments, and polls
/metrics every 50 ms until each shows: in cxpulse_sla_open (the sla_now job,
what breaching-now alerts read) and in cxpulse_tickets_opened{window="1h"} (the
tickets job). It prints p50, p90, p99 and max of both latencies.

  cxpulse bench freshness --probes 200`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			run := time.Now().Unix()
			cfg.Kafka.Topic = fmt.Sprintf("bench.fresh.%d", run)
			cfg.Kafka.DeadLetterTopic = cfg.Kafka.Topic + ".dlq"
			cfg.Kafka.GroupID = cfg.Kafka.Topic
			cfg.ClickHouse.Database = fmt.Sprintf("bench_fresh_%d", run)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			cfg.HTTP.Addr = ln.Addr().String()
			_ = ln.Close()
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			group, gctx := errgroup.WithContext(ctx)
			group.Go(func() error { return a.runPipeline(gctx, pipelineOptions{migrate: true, kpi: true}) })
			var result freshness
			group.Go(func() error {
				defer cancel()
				var err error
				result, err = probeFreshness(gctx, a, probes, spacing)
				return err
			})
			if err := group.Wait(); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			result.print(cmd.OutOrStdout(), cfg.KPI.Jobs["sla_now"].Schedule, cfg.KPI.Jobs["tickets"].Schedule)
			return nil
		},
	}
	cmd.Flags().IntVar(&probes, "probes", 200, "probe events")
	cmd.Flags().DurationVar(&spacing, "spacing", 1500*time.Millisecond, "mean time between probes (randomised, so they fall on every phase of the schedules)")
	return cmd
}

type freshness struct {
	slaNow, tickets []time.Duration
}

// probeFreshness waits for the pipeline, then sends the probes.
func probeFreshness(ctx context.Context, a *app, probes int, spacing time.Duration) (freshness, error) {
	var f freshness
	url := "http://" + a.cfg.HTTP.Addr + "/metrics"
	// ready: the pipeline answers and every job has run once
	for {
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		if mfs, err := scrapeFamilies(ctx, url); err == nil && mfs["cxpulse_kpi_snapshot_age_seconds"] != nil &&
			len(mfs["cxpulse_kpi_snapshot_age_seconds"].GetMetric()) >= 4 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	transport, err := a.cfg.KafkaTransport()
	if err != nil {
		return f, err
	}
	w := &kafka.Writer{Addr: kafka.TCP(a.cfg.Kafka.Brokers...), Topic: a.cfg.Kafka.Topic, RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond, Transport: transport, AllowAutoTopicCreation: true}
	defer w.Close()
	// Probes go out at random moments, without waiting for each other; a
	// poller watches /metrics: when a KPI's count of probe tickets reaches
	// n, probes 1…n have shown, each after its own delay.
	sent := make([]time.Time, probes+1)
	var mu sync.Mutex
	produced := 0
	group, gctx := errgroup.WithContext(ctx)
	group.Go(func() error {
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 1; i <= probes; i++ {
			time.Sleep(time.Duration(rng.Float64() * 2 * float64(spacing)))
			ev := event.Event{EventID: fmt.Sprintf("probe-%d", i), Type: event.TicketOpened, OccurredAt: time.Now().UTC(),
				Branch: "freshness-probe", Channel: "chat", TicketID: fmt.Sprintf("probe-%d", i), Priority: "normal"}
			value, _ := json.Marshal(ev)
			mu.Lock()
			sent[i] = time.Now()
			mu.Unlock()
			if err := w.WriteMessages(gctx, kafka.Message{Key: []byte(ev.TicketID), Value: value}); err != nil {
				return fmt.Errorf("produce probe %d: %w", i, err)
			}
			mu.Lock()
			produced = i
			mu.Unlock()
		}
		return nil
	})
	group.Go(func() error {
		seenNow, seenTickets := 0, 0
		var lastProgress = time.Now()
		for seenNow < probes || seenTickets < probes {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			if time.Since(lastProgress) > 3*time.Minute {
				return fmt.Errorf("no probe showed on /metrics for 3 minutes (%d and %d of %d)", seenNow, seenTickets, probes)
			}
			mfs, err := scrapeFamilies(gctx, url)
			if err == nil {
				at := time.Now()
				mu.Lock()
				upTo := produced
				n := min(int(sumFamily(mfs, "cxpulse_sla_open", "freshness-probe", "")), upTo)
				for ; seenNow < n; seenNow++ {
					f.slaNow = append(f.slaNow, at.Sub(sent[seenNow+1]))
					lastProgress = at
				}
				n = min(int(sumFamily(mfs, "cxpulse_tickets_opened", "freshness-probe", "1h")), upTo)
				for ; seenTickets < n; seenTickets++ {
					f.tickets = append(f.tickets, at.Sub(sent[seenTickets+1]))
					lastProgress = at
				}
				mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	})
	if err := group.Wait(); err != nil {
		return f, err
	}
	return f, nil
}

func scrapeFamilies(ctx context.Context, url string) (map[string]*dto.MetricFamily, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	return parser.TextToMetricFamilies(bytes.NewReader(body))
}

// sumFamily is the value of family for the branch on channel all (and the
// window, when given), first-response target for SLA series.
func sumFamily(mfs map[string]*dto.MetricFamily, family, branch, window string) float64 {
	mf := mfs[family]
	if mf == nil {
		return 0
	}
	var v float64
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["branch"] != branch || labels["channel"] != "all" || (window != "" && labels["window"] != window) ||
			(labels["target"] != "" && labels["target"] != "first_response") {
			continue
		}
		v += m.GetGauge().GetValue()
	}
	return v
}

func (f freshness) print(w io.Writer, slaSchedule, ticketsSchedule string) {
	row := func(name, schedule string, xs []time.Duration) {
		if len(xs) == 0 {
			return
		}
		s := append([]time.Duration(nil), xs...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		q := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
		fmt.Fprintf(w, "%-36s every %-5s %5d probes  p50 %6.2fs  p90 %6.2fs  p99 %6.2fs  max %6.2fs\n", name, schedule, len(s),
			q(0.5).Seconds(), q(0.9).Seconds(), q(0.99).Seconds(), s[len(s)-1].Seconds())
	}
	row("cxpulse_sla_open (sla_now job)", slaSchedule, f.slaNow)
	row("cxpulse_tickets_opened 1h (tickets)", ticketsSchedule, f.tickets)
}
