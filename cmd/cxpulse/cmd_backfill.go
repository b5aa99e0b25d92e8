package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/web"
)

func newBackfillCommand(g *globalFlags) *cobra.Command {
	var from, to, step, jobs string
	var force bool
	cmd := &cobra.Command{
		Use:   "backfill",
		Short: "Write historical KPI snapshots, one per step, for dashboards",
		Long: `backfill computes the KPI jobs as of every instant from --from to --to (both
included) in steps of --step, and writes each result as a snapshot, exactly
as a scheduled tick at that instant would have.

It is safe to interrupt and re-run: a snapshot is marked complete only after
all its rows are written, and a re-run skips the complete ones (--force
recomputes them; the new rows replace the old).

  cxpulse backfill --from 2026-09-01T00:00:00Z --to 2026-11-01T00:00:00Z --step 1d
  cxpulse backfill --from … --to … --step 1h --job tickets,sla_now`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			start, err := time.Parse(time.RFC3339, from)
			if err != nil {
				return fmt.Errorf("--from %q: want RFC 3339", from)
			}
			end, err := time.Parse(time.RFC3339, to)
			if err != nil {
				return fmt.Errorf("--to %q: want RFC 3339", to)
			}
			stepD, err := kpi.ParseDuration(step)
			if err != nil || stepD <= 0 {
				return fmt.Errorf("--step %q: want a positive duration like 1h or 1d", step)
			}
			if end.Before(start) {
				return fmt.Errorf("--to %s is before --from %s", to, from)
			}
			params, err := cfg.KPIParams()
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			specs := a.kpiJobSpecs(web.SplitComma(jobs))
			if len(specs) == 0 {
				return fmt.Errorf("--job %q: no enabled job of that name (known: sla_now, tickets, satisfaction, retention, scorecards)", jobs)
			}
			ctx := cmd.Context()
			conn, err := a.connectMigrated(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			engine := a.newEngine(conn)
			snaps := kpi.NewSnapshots(conn, cfg.ClickHouse.Database)
			steps := int(end.Sub(start)/stepD) + 1
			bar := newProgress(int64(steps*len(specs)), "snapshots")
			tick := func() {
				if bar != nil {
					_ = bar.Add(1)
				}
			}
			var written, skipped, rows int
			for t := start.UTC(); !t.After(end); t = t.Add(stepD) {
				for _, spec := range specs {
					if ctx.Err() != nil {
						return fmt.Errorf("backfill interrupted at %s (re-run to finish): %w", t.Format(time.RFC3339), ctx.Err())
					}
					if !force {
						done, err := snaps.Has(ctx, spec.Name, t)
						if err != nil {
							return err
						}
						if done {
							skipped++
							tick()
							continue
						}
					}
					out, err := kpi.RunJob(ctx, engine, snaps, spec, params, t, a.log)
					if err != nil {
						return err
					}
					written++
					rows += len(out)
					tick()
				}
			}
			if bar != nil {
				_ = bar.Finish()
			}
			a.log.Info().Int("snapshots_written", written).Int("snapshots_skipped", skipped).Int("rows", rows).
				Time("from", start).Time("to", end).Str("step", step).Msg("backfill done")
			fmt.Fprintf(cmd.OutOrStdout(), "backfill: %d snapshots written (%d rows), %d already there\n", written, rows, skipped)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "first as_of, RFC 3339 (required)")
	f.StringVar(&to, "to", "", "last as_of, RFC 3339 (required)")
	f.StringVar(&step, "step", "1d", "distance between snapshots (1h, 1d, …)")
	f.StringVar(&jobs, "job", "", "jobs to backfill, comma-separated (default: every enabled job)")
	f.BoolVar(&force, "force", false, "recompute snapshots that already exist")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}
