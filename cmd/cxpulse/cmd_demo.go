package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

func newDemoCommand(g *globalFlags) *cobra.Command {
	var f genFlags
	var embeddedKafka string
	var live time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Zero-setup demo: embedded Kafka, your ClickHouse, generated data, the live pipeline",
		Long: `demo starts an in-process Kafka broker (--embedded-kafka), applies the
migrations on the ClickHouse given (default 127.0.0.1:9000), streams generated
events for several branches into the broker and runs the pipeline on them,
printing where to look. It runs until interrupted (Ctrl-C).

make demo starts a local ClickHouse through deploy/local/ first when none answers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			if f.end == "" {
				// History up to now, then live events for the next --live.
				f.end = time.Now().UTC().Add(live).Truncate(time.Minute).Format(time.RFC3339)
			}
			gnr, err := f.generator()
			if err != nil {
				return err
			}
			if err := demoKPIConfig(&cfg, gnr, g.configPath != ""); err != nil {
				return err
			}
			if cfg.HTTP.Addr == config.Default().HTTP.Addr && !cmd.Flags().Changed("http-addr") {
				// the overview page and API are open without credentials on
				// the loopback only
				cfg.HTTP.Addr = "127.0.0.1:9464"
			}
			log := newLogger(cfg, cmd.ErrOrStderr())
			cluster, err := startEmbeddedKafka(embeddedKafka, int32(cfg.Kafka.TopicPartitions), cfg.Kafka.Topic, cfg.Kafka.DeadLetterTopic)
			if err != nil {
				return err
			}
			defer cluster.Close()
			cfg.Kafka.Brokers = []string{embeddedKafka}
			a := newApp(cfg, log)
			fmt.Fprintf(cmd.OutOrStdout(), `cxpulse demo
  embedded Kafka   %[1]s   (produce more: kcat -b %[1]s -t %[2]s -P)
  dead letters     kcat -b %[1]s -t %[3]s -C -f '%%h %%s\n'
  ClickHouse       %[4]s   database %[5]s
                   clickhouse-client -q "SELECT branch, type, uniqExact(event_id) FROM %[5]s.events GROUP BY branch, type ORDER BY branch, type"
  overview         http://%[6]s/   (KPIs, branch leagues, SLA heatmap; JSON under /api/v1/)
  metrics          http://%[6]s/metrics   health /healthz, /readyz
  KPIs             cxpulse report --window 7d --kpi nps,csat,first_response,sla
                   cxpulse compare --kpi nps
  unhappy leave    http://%[6]s/?window=7d   (retention by service experience: 30 days of history hold two 7d windows)
                   cxpulse report --window 7d --kpi retention_experience
  planted          %+[7]v, and half of the customers with a bad experience leave
Ctrl-C stops it.
`, embeddedKafka, cfg.Kafka.Topic, cfg.Kafka.DeadLetterTopic, cfg.ClickHouse.Addr[0], cfg.ClickHouse.Database,
				displayAddr(cfg.HTTP.Addr), gnr.Planted())
			produce := func(ctx context.Context) error {
				return ignoreCancel(ctx, produceLive(ctx, a, gnr, log))
			}
			return a.runPipeline(cmd.Context(), pipelineOptions{migrate: true, kpi: true, extra: produce})
		},
	}
	f.register(cmd, 0.005, 0.02)
	cmd.Flags().DurationVar(&live, "live", 6*time.Hour, "after the history, keep producing generated events live, each at its own time, for this long")
	cmd.Flags().StringVar(&embeddedKafka, "embedded-kafka", "127.0.0.1:19092", "address of the in-process Kafka broker")
	return cmd
}

// displayAddr turns ":9464" into "localhost:9464" for printing.
func displayAddr(addr string) string {
	if len(addr) > 0 && addr[0] == ':' {
		return "localhost" + addr
	}
	return addr
}

// demoPolicies are the demo's SLA policies when no configuration file is
// given: tight enough on chat that the planted slow branch breaches.
const demoPolicies = `sla_policies:
  - {name: chat, channel: chat, priority: "*", first_response: 10m, resolution: 8h, business_hours: true}
  - {name: phone, channel: phone, priority: "*", first_response: 30m, resolution: 24h, business_hours: true}
  - {name: default, channel: "*", priority: "*", first_response: 4h, resolution: 72h, business_hours: true}
`

// demoKPIConfig gives the demo the generated branches' regions and calendars
// (unless the configuration names calendars itself) and, without a
// configuration file, the demo's SLA policies.
func demoKPIConfig(cfg *config.Config, gnr *gen.Generator, haveFile bool) error {
	var extra struct {
		Branches    map[string]config.Branch `yaml:"branches"`
		Calendars   map[string]calendar.Spec `yaml:"calendars"`
		SLAPolicies []sla.Policy             `yaml:"sla_policies"`
	}
	text := gen.ConfigYAML(gnr.Branches())
	if !haveFile {
		text += demoPolicies
	}
	if err := yaml.Unmarshal([]byte(text), &extra); err != nil {
		return fmt.Errorf("demo calendars: %w", err)
	}
	if len(cfg.Calendars) == 0 {
		cfg.Branches, cfg.Calendars = extra.Branches, extra.Calendars
	}
	if !haveFile {
		cfg.SLAPolicies = sla.WithDefaults(extra.SLAPolicies)
		// the history arrives in the first minutes: refresh retention and
		// cohorts every 5 minutes instead of hourly, so they catch up
		if j, ok := cfg.KPI.Jobs["retention"]; ok {
			j.Schedule = "5m"
			cfg.KPI.Jobs["retention"] = j
		}
	}
	return cfg.Validate()
}
