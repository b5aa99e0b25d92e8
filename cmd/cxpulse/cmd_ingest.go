package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/expose"
)

func newIngestCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "ingest",
		Short: "Consume events from Kafka into ClickHouse (one member of the consumer group)",
		Long: `ingest joins the consumer group, validates every message against the event
contract, streams valid events into ClickHouse (one INSERT open at a time, in
native blocks) and commits offsets only after the insert succeeded. Messages that break the contract go to the
dead-letter topic with headers naming the reason and the source offset.

Run several ingest processes with the same group id to share the partitions.
When ClickHouse is down, ingest retries with capped backoff, rereading the
uncommitted messages from Kafka; nothing accepted is dropped. SIGTERM ends the
open insert, commits, exits 0.
The schema must be migrated first (cxpulse migrate).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr())).reloadFrom(g, cmd)
			return a.runPipeline(cmd.Context(), pipelineOptions{})
		},
	}
}

// pipelineOptions say what else runPipeline does besides ingesting.
type pipelineOptions struct {
	migrate bool // apply migrations at start instead of only checking them
	// extra runs beside the pipeline under the same run group (the demo's producer).
	extra func(ctx context.Context) error
	// kpi runs the scheduled KPI jobs beside ingest (run, demo).
	kpi bool
}

// runPipeline runs ingest, the lag monitor and the HTTP server as one run
// group: when one fails or ctx ends, all stop, and ingest flushes first.
func (a *app) runPipeline(ctx context.Context, opts pipelineOptions) error {
	dialer, err := a.cfg.KafkaDialer()
	if err != nil {
		return err
	}
	transport, err := a.cfg.KafkaTransport()
	if err != nil {
		return err
	}
	metrics := ingest.NewMetrics(a.reg)
	var ingester atomic.Pointer[ingest.Ingester]
	ready := func() error {
		in := ingester.Load()
		if in == nil {
			return errors.New("starting")
		}
		return in.Ready()
	}
	group, gctx := errgroup.WithContext(ctx)
	var exp *expose.Exporter
	if opts.kpi {
		exp = a.newExporter()
	}
	var site atomic.Pointer[web]
	srv := &healthServer{addr: a.cfg.HTTP.Addr, reg: a.reg, kpi: exp, ready: ready, log: a.log, metricsAuth: a.metricsAuth}
	if opts.kpi {
		srv.routes = webRoutes(a.cfg.HTTP.Addr, a.httpAuth, site.Load, a.log)
	}
	if err := a.startServing(gctx, group, srv, exp); err != nil {
		return err
	}
	group.Go(func() error {
		conn, err := a.connectClickHouse(gctx)
		if err != nil {
			return ignoreCancel(gctx, err)
		}
		defer conn.Close()
		if opts.migrate {
			err = a.migrate(gctx, conn)
		} else {
			err = a.checkSchema(gctx, conn)
		}
		if err != nil {
			return ignoreCancel(gctx, err)
		}
		if a.cfg.Kafka.CreateTopics {
			if err := a.ensureTopics(gctx, transport); err != nil {
				return ignoreCancel(gctx, err)
			}
		}
		dead := a.newDeadLetterWriter(transport)
		defer dead.Close()
		in := ingest.New(a.ingestConfig(), a.kafkaSource(dialer), dead, conn, metrics, a.log.With().Str("component", "ingest").Logger())
		ingester.Store(in)
		lag := &ingest.LagMonitor{
			Client: &kafka.Client{Addr: kafka.TCP(a.cfg.Kafka.Brokers...), Transport: transport},
			Group:  a.cfg.Kafka.GroupID, Topic: a.cfg.Kafka.Topic, Interval: a.cfg.Kafka.LagInterval,
			Metrics: metrics, Log: a.log.With().Str("component", "lag").Logger(),
		}
		inner, ictx := errgroup.WithContext(gctx)
		inner.Go(func() error { return lag.Run(ictx) })
		if opts.extra != nil {
			inner.Go(func() error { return opts.extra(ictx) })
		}
		if opts.kpi {
			w, err := a.newWeb(conn)
			if err != nil {
				return err
			}
			site.Store(w)
			a.preloadSnapshots(gctx, conn, exp)
			sched, err := a.newKPIScheduler(conn, exp)
			if err != nil {
				return err
			}
			inner.Go(func() error { return sched.Run(ictx) })
		}
		a.log.Info().Strs("brokers", a.cfg.Kafka.Brokers).Str("topic", a.cfg.Kafka.Topic).
			Str("group", a.cfg.Kafka.GroupID).Str("table", a.table()).Msg("ingest started")
		inner.Go(func() error { return in.Run(ictx) })
		return inner.Wait()
	})
	if err := group.Wait(); err != nil {
		return err
	}
	return nil
}

// ignoreCancel turns an error caused by shutdown into a clean exit.
func ignoreCancel(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("%w", err)
}
