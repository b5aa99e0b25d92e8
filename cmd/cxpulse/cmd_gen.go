package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cxpulse/cxpulse/ingest/gen"
)

// genFlags are the generator's knobs, shared by gen and demo.
type genFlags struct {
	branches      int
	days          int
	seed          uint64
	end           string
	ticketsPerDay float64
	targetEvents  int
	badRatio      float64
	dupRatio      float64
}

func (f *genFlags) register(cmd *cobra.Command, badRatio, dupRatio float64) {
	fl := cmd.Flags()
	fl.IntVar(&f.branches, "branches", 8, "number of branches")
	fl.IntVar(&f.days, "days", 30, "days of history, ending at --end")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed: the same seed, --end and knobs give byte-identical output")
	fl.StringVar(&f.end, "end", "", "exclusive end of the period, RFC 3339 (default: now, to the minute)")
	fl.Float64Var(&f.ticketsPerDay, "tickets-per-day", 40, "mean tickets a branch opens per day (about 7 events each)")
	fl.IntVar(&f.targetEvents, "target-events", 0, "generate about this many valid events (overrides --tickets-per-day)")
	fl.Float64Var(&f.badRatio, "bad-ratio", badRatio, "malformed messages mixed in per valid event, 0–1, cycling through every rejection reason")
	fl.Float64Var(&f.dupRatio, "dup-ratio", dupRatio, "share of valid events sent twice, 0–1")
}

func (f *genFlags) generator() (*gen.Generator, error) {
	end := time.Now().UTC().Truncate(time.Minute)
	if f.end != "" {
		t, err := time.Parse(time.RFC3339, f.end)
		if err != nil {
			return nil, fmt.Errorf("--end: %w", err)
		}
		end = t
	}
	return gen.New(gen.Config{
		Branches: f.branches, Days: f.days, End: end, Now: maxTime(end, time.Now()), Seed: f.seed,
		TicketsPerBranchDay: f.ticketsPerDay, TargetEvents: f.targetEvents, BadRatio: f.badRatio, DupRatio: f.dupRatio,
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func newGenCommand(g *globalFlags) *cobra.Command {
	var f genFlags
	var out, truthOut, calendarsOut string
	var toKafka bool
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Generate realistic synthetic events (all 13 types) for N branches over D days",
		Long: `gen writes synthetic customer-service events per the event contract as JSON
lines, to stdout, a file (--out), or straight to the events topic (--kafka).
Branches have opening hours in their own time zones, and four of them differ
on purpose (slow chat, low NPS, late appointments, broken callback promises),
so a manager has something real to find. --bad-ratio mixes in malformed
messages of every kind, --dup-ratio re-sends some events.

--truth FILE writes what a correct ingest must end up with (unique events per
type, bad messages per reason) as JSON; --calendars FILE writes the branches'
regions and calendars as a configuration fragment.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gnr, err := f.generator()
			if err != nil {
				return err
			}
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			if calendarsOut != "" {
				if err := os.WriteFile(calendarsOut, []byte(gen.ConfigYAML(gnr.Branches())), 0o644); err != nil {
					return fmt.Errorf("write calendars: %w", err)
				}
			}
			var truth gen.Truth
			if toKafka {
				truth, err = produceGenerated(cmd.Context(), a, gnr)
			} else {
				truth, err = writeGenerated(cmd.Context(), gnr, out)
			}
			if err != nil {
				return err
			}
			a.log.Info().Int("messages", truth.Messages).Int("valid", truth.Valid).Int("duplicates", truth.Dups).
				Int("bad", truth.BadTotal).Interface("planted", gnr.Planted()).Msg("generated")
			if truthOut != "" {
				data, _ := json.MarshalIndent(truth, "", "  ")
				if err := os.WriteFile(truthOut, append(data, '\n'), 0o644); err != nil {
					return fmt.Errorf("write truth: %w", err)
				}
			}
			return nil
		},
	}
	f.register(cmd, 0, 0)
	cmd.Flags().StringVarP(&out, "out", "o", "-", "JSON-lines output file, - for stdout")
	cmd.Flags().BoolVar(&toKafka, "kafka", false, "produce to the events topic instead of writing JSON lines")
	cmd.Flags().StringVar(&truthOut, "truth", "", "write the ground truth (counts per type and reason) as JSON to this file")
	cmd.Flags().StringVar(&calendarsOut, "calendars", "", "write the branches' regions and calendars as YAML to this file")
	return cmd
}

func writeGenerated(ctx context.Context, gnr *gen.Generator, path string) (gen.Truth, error) {
	var w io.Writer = os.Stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return gen.Truth{}, fmt.Errorf("create %s: %w", path, err)
		}
		defer f.Close()
		w = f
	}
	buf := bufio.NewWriterSize(w, 1<<20)
	bar := newProgress(-1, "generating")
	n := 0
	truth, err := gnr.Run(ctx, func(r gen.Record) error {
		buf.Write(r.Value)
		n++
		if bar != nil && n%10000 == 0 {
			_ = bar.Add(10000)
		}
		return buf.WriteByte('\n')
	})
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return truth, err
	}
	if err := buf.Flush(); err != nil {
		return truth, fmt.Errorf("write %s: %w", path, err)
	}
	return truth, nil
}

func produceGenerated(ctx context.Context, a *app, gnr *gen.Generator) (gen.Truth, error) {
	p, err := newProducer(ctx, a, -1, "producing")
	if err != nil {
		return gen.Truth{}, err
	}
	truth, err := gnr.Run(ctx, func(r gen.Record) error { return p.add(ctx, r.Key, r.Value) })
	if cerr := p.close(ctx); err == nil {
		err = cerr
	}
	return truth, err
}
