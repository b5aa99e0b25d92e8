package main

import (
	"bufio"
	"bytes"
	"fmt"

	"github.com/spf13/cobra"
)

func newProduceCommand(g *globalFlags) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "produce --file events.jsonl",
		Short: "Produce JSON lines to the events topic, keyed as the contract recommends",
		Long: `produce sends each line of a file (or of stdin with --file -) as one message to
the events topic, keyed by ticket_id, else customer_id, else ref_id. Lines are
sent as they are: validation happens in ingest, which dead-letters bad ones.
Empty lines are skipped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			in, _, err := openInput(file)
			if err != nil {
				return err
			}
			defer in.Close()
			p, err := newProducer(cmd.Context(), a, -1, "producing")
			if err != nil {
				return err
			}
			scanner := bufio.NewScanner(in)
			scanner.Buffer(make([]byte, 1<<20), 16<<20)
			for scanner.Scan() {
				line := bytes.TrimSpace(scanner.Bytes())
				if len(line) == 0 {
					continue
				}
				value := bytes.Clone(line)
				if err := p.add(cmd.Context(), contractKey(value), value); err != nil {
					return err
				}
			}
			if err := scanner.Err(); err != nil {
				return fmt.Errorf("read %s: %w", file, err)
			}
			if err := p.close(cmd.Context()); err != nil {
				return err
			}
			a.log.Info().Int("messages", p.sent).Str("topic", cfg.Kafka.Topic).Msg("produced")
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "JSON-lines file to produce, or - for stdin (required)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}
