package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"

	cxsql "github.com/cxpulse/cxpulse/sql"
)

func newConfigCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with the configuration"}
	cmd.AddCommand(newConfigCheckCommand(g))
	return cmd
}

func newConfigCheckCommand(g *globalFlags) *cobra.Command {
	var connect bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration as a start would, optionally against the servers",
		Long: `check loads the configuration exactly as every other command does (the
--config file, then CXPULSE_* variables, then flags; password, token and
certificate files read) and validates it, without connecting anywhere. Every
problem is printed with its field; the exit code is 1 when there is any.

With --connect it also checks that the Kafka brokers answer and hold the
topics (or may create them), and that ClickHouse answers and its database is
at the schema version this binary needs (cxpulse migrate brings it there).

In a CI pipeline: cxpulse config check --config deploy/cxpulse.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "ok    configuration%s\n", describeSource(g.configPath))
			if !connect {
				return nil
			}
			a := newApp(cfg, zerolog.Nop())
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			return errors.Join(
				report(out, "kafka", a.checkKafka(ctx)),
				report(out, "clickhouse", a.checkClickHouse(ctx)),
			)
		},
	}
	cmd.Flags().BoolVar(&connect, "connect", false, "also check that Kafka and ClickHouse answer and that the schema version fits")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "bound on the --connect checks together")
	return cmd
}

func describeSource(path string) string {
	if path == "" {
		return " (defaults, environment and flags; no --config file)"
	}
	return " " + path
}

// report prints one check's line and returns its failure, named.
func report(out io.Writer, what string, res checkResult) error {
	if res.err != nil {
		fmt.Fprintf(out, "FAIL  %s: %v\n", what, res.err)
		return fmt.Errorf("%s: %w", what, res.err)
	}
	fmt.Fprintf(out, "ok    %s: %s\n", what, res.detail)
	return nil
}

type checkResult struct {
	detail string
	err    error
}

// checkKafka asks the brokers for the topics' metadata once: it proves the
// brokers answer through the configured TLS and SASL, and that the topics
// exist or will be created.
func (a *app) checkKafka(ctx context.Context) checkResult {
	transport, err := a.cfg.KafkaTransport()
	if err != nil {
		return checkResult{err: err}
	}
	defer transport.CloseIdleConnections()
	k := a.cfg.Kafka
	client := &kafka.Client{Addr: kafka.TCP(k.Brokers...), Transport: transport}
	resp, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{k.Topic, k.DeadLetterTopic}})
	if err != nil {
		return checkResult{err: fmt.Errorf("brokers %v do not answer: %w", k.Brokers, err)}
	}
	var errs []error
	found := map[string]int{}
	for _, t := range resp.Topics {
		if t.Error == nil {
			found[t.Name] = len(t.Partitions)
		}
	}
	for field, name := range map[string]string{"kafka.topic": k.Topic, "kafka.dead_letter_topic": k.DeadLetterTopic} {
		if _, ok := found[name]; !ok && !k.CreateTopics {
			errs = append(errs, fmt.Errorf("%s: topic %q does not exist and kafka.create_topics is false", field, name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return checkResult{err: err}
	}
	detail := fmt.Sprintf("%d broker(s) answer", len(resp.Brokers))
	for _, name := range []string{k.Topic, k.DeadLetterTopic} {
		if n, ok := found[name]; ok {
			detail += fmt.Sprintf("; topic %s has %d partitions", name, n)
		} else {
			detail += fmt.Sprintf("; topic %s will be created", name)
		}
	}
	return checkResult{detail: detail}
}

// checkClickHouse pings the server once (no retries: a check answers now)
// and compares the database's schema version with this binary's.
func (a *app) checkClickHouse(ctx context.Context) checkResult {
	opts, err := a.cfg.ClickHouseOptions()
	if err != nil {
		return checkResult{err: err}
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return checkResult{err: err}
	}
	defer conn.Close()
	if err := conn.Ping(ctx); err != nil {
		return checkResult{err: fmt.Errorf("%v does not answer: %w", a.cfg.ClickHouse.Addr, err)}
	}
	v, err := conn.ServerVersion()
	if err != nil {
		return checkResult{err: err}
	}
	if err := a.checkSchema(ctx, conn); err != nil {
		return checkResult{err: err}
	}
	all, err := cxsql.Migrations(a.cfg.ClickHouse.Database)
	if err != nil {
		return checkResult{err: err}
	}
	return checkResult{detail: fmt.Sprintf("ClickHouse %s at %v answers; database %s is at schema version %d, as this binary needs",
		v.Version, a.cfg.ClickHouse.Addr, a.cfg.ClickHouse.Database, len(all))}
}
