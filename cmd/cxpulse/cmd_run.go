package main

import (
	"github.com/spf13/cobra"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

func newRunCommand(g *globalFlags) *cobra.Command {
	var embeddedKafka string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the whole pipeline in one process: migrations, ingest and the HTTP server",
		Long: `run applies pending migrations, then ingests from Kafka into ClickHouse and
serves /metrics, /healthz and /readyz, until SIGINT or SIGTERM.

With --embedded-kafka ADDR it first starts an in-process Kafka-compatible
broker listening on ADDR (for trials: data lives in memory) and consumes from it;
any Kafka client, kcat for example, can produce to ADDR.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			log := newLogger(cfg, cmd.ErrOrStderr())
			if embeddedKafka != "" {
				cluster, err := startEmbeddedKafka(embeddedKafka, int32(cfg.Kafka.TopicPartitions), cfg.Kafka.Topic, cfg.Kafka.DeadLetterTopic)
				if err != nil {
					return err
				}
				defer cluster.Close()
				cfg.Kafka.Brokers = []string{embeddedKafka}
				log.Info().Str("addr", embeddedKafka).Msg("embedded kafka broker started")
			}
			a := newApp(cfg, log).reloadFrom(g, cmd)
			if embeddedKafka != "" {
				load := a.source
				a.source = func() (config.Config, error) {
					c, err := load()
					c.Kafka.Brokers = []string{embeddedKafka}
					return c, err
				}
			}
			return a.runPipeline(cmd.Context(), pipelineOptions{migrate: true, kpi: true})
		},
	}
	cmd.Flags().StringVar(&embeddedKafka, "embedded-kafka", "", "start an in-process Kafka broker on this host:port and consume from it")
	return cmd
}
