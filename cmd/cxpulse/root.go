package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

// globalFlags are the flags every subcommand shares; each overrides the file
// and the environment only when given.
type globalFlags struct {
	configPath string
	logLevel   string
	logFormat  string
	httpAddr   string
	pprofAddr  string
	brokers    []string
	topic      string
	groupID    string
	chAddr     []string
	chDatabase string
	chUser     string
	cpuProfile string
	profileOut *os.File
}

// stopProfile ends a --cpu-profile run (also after a failed command).
func (g *globalFlags) stopProfile() {
	if g.profileOut != nil {
		pprof.StopCPUProfile()
		_ = g.profileOut.Close()
		g.profileOut = nil
	}
}

func newRootCommand() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "cxpulse",
		Short: "Service-quality KPIs from customer-service events: Kafka → ClickHouse → Prometheus",
		Long: `cxpulse consumes customer-service interaction events (tickets, surveys, visits,
appointments, callbacks, complaints) from Kafka into ClickHouse and serves
pipeline health and KPIs over HTTP.

Configuration is read from the YAML file given by --config, then from CXPULSE_*
environment variables, then from flags; each later source overrides the earlier.
Passwords are read only from the environment or from files:
` + envHelp(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version beside `cxpulse version`, printing the same line.
		Version: version,
	}
	root.SetVersionTemplate(versionLine())
	f := root.PersistentFlags()
	f.StringVar(&g.configPath, "config", "", "YAML configuration file (see README: Configuration)")
	f.StringVar(&g.logLevel, "log-level", "", "log level: debug, info, warn, error (default info)")
	f.StringVar(&g.logFormat, "log-format", "", "log format: json for machines, console for people (default json)")
	f.StringVar(&g.httpAddr, "http-addr", "", `address of /metrics, /healthz and /readyz (default ":9464")`)
	f.StringVar(&g.pprofAddr, "pprof-addr", "", `serve /debug/pprof/ on this separate host:port (default "": off)`)
	f.StringSliceVar(&g.brokers, "kafka-brokers", nil, "Kafka bootstrap brokers, host:port,… (default 127.0.0.1:9092)")
	f.StringVar(&g.topic, "kafka-topic", "", "events topic (default cx.events)")
	f.StringVar(&g.groupID, "group-id", "", "Kafka consumer group of the ingest processes (default cxpulse-ingest)")
	f.StringSliceVar(&g.chAddr, "clickhouse-addr", nil, "ClickHouse native-protocol host:port,… (default 127.0.0.1:9000)")
	f.StringVar(&g.chDatabase, "clickhouse-database", "", "ClickHouse database of cxpulse's tables (default cxpulse)")
	f.StringVar(&g.chUser, "clickhouse-user", "", "ClickHouse user (default default)")
	f.StringVar(&g.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the whole run to this file (for benchmarks)")
	_ = f.MarkHidden("cpu-profile")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.cpuProfile == "" {
			return nil
		}
		out, err := os.Create(g.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		g.profileOut = out
		return pprof.StartCPUProfile(out)
	}
	root.PersistentPostRun = func(*cobra.Command, []string) { g.stopProfile() }

	root.AddCommand(
		newMigrateCommand(g), newIngestCommand(g), newRunCommand(g), newDemoCommand(g),
		newGenCommand(g), newProduceCommand(g), newVersionCommand(), newHealthcheckCommand(g),
		newComputeCommand(g), newReportCommand(g), newBackfillCommand(g), newBenchCommand(g), newDashboardsCommand(), newCompareCommand(g),
		newConfigCommand(g),
	)
	return root
}

func envHelp() string {
	var b strings.Builder
	for _, e := range config.EnvNames() {
		fmt.Fprintf(&b, "  %-34s %s\n", e[0], e[1])
	}
	return b.String()
}

// load builds the configuration: defaults, file, environment, flags; then
// secrets and certificates from files, then validation. Past the file's
// syntax, every problem is reported at once, each naming its field.
func (g *globalFlags) load(flags *pflag.FlagSet) (config.Config, error) {
	c, err := config.LoadFile(g.configPath)
	if err != nil {
		return c, err
	}
	var errs []error
	if err := c.ApplyEnv(os.LookupEnv); err != nil {
		errs = append(errs, fmt.Errorf("environment: %w", err))
	}
	set := func(name string, apply func()) {
		if flags.Changed(name) {
			apply()
		}
	}
	set("log-level", func() { c.Log.Level = g.logLevel })
	set("log-format", func() { c.Log.Format = g.logFormat })
	set("http-addr", func() { c.HTTP.Addr = g.httpAddr })
	set("pprof-addr", func() { c.Debug.PprofAddr = g.pprofAddr })
	set("kafka-brokers", func() { c.Kafka.Brokers = g.brokers })
	set("kafka-topic", func() { c.Kafka.Topic = g.topic })
	set("group-id", func() { c.Kafka.GroupID = g.groupID })
	set("clickhouse-addr", func() { c.ClickHouse.Addr = g.chAddr })
	set("clickhouse-database", func() { c.ClickHouse.Database = g.chDatabase })
	set("clickhouse-user", func() { c.ClickHouse.User = g.chUser })
	errs = append(errs, c.ResolveSecrets(), c.Validate(), config.CheckServerTLS(c.HTTP.TLS))
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return c, nil
}

// newLogger builds the process logger; it never logs secrets because no
// component is handed the configuration's password fields to log.
func newLogger(c config.Config, out io.Writer) zerolog.Logger {
	level, _ := zerolog.ParseLevel(c.Log.Level)
	if c.Log.Format == "console" {
		out = zerolog.ConsoleWriter{Out: out, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(out).Level(level).With().Timestamp().Str("app", "cxpulse").Logger()
}
