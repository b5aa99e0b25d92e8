package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func newComputeCommand(g *globalFlags) *cobra.Command {
	var once bool
	cmd := &cobra.Command{
		Use:   "compute",
		Short: "Run the KPI jobs on their schedules (without ingest), writing snapshots to ClickHouse",
		Long: `compute runs the scheduled KPI jobs of the configuration (kpi.jobs: sla_now and
tickets every 30s, satisfaction every minute, retention hourly by default).
Each tick computes its job's KPIs as of the tick in ClickHouse and writes them
to the kpi_snapshots table; a job never overlaps itself, each run has a
timeout, and a failing run is logged and retried at the next tick. Job
duration, results and last success are on /metrics.

cxpulse run does the same beside ingest; compute is for running them apart.
With --once every enabled job runs once, as of now, and compute exits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr())).reloadFrom(g, cmd)
			ctx := cmd.Context()
			conn, err := a.connectMigrated(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			if once {
				return a.computeOnce(ctx, conn, time.Now().UTC().Truncate(time.Second), cmd.OutOrStdout())
			}
			exp := a.newExporter()
			a.preloadSnapshots(ctx, conn, exp)
			sched, err := a.newKPIScheduler(conn, exp)
			if err != nil {
				return err
			}
			site, err := a.newWeb(conn)
			if err != nil {
				return err
			}
			srv := &healthServer{addr: a.cfg.HTTP.Addr, reg: a.reg, kpi: exp, ready: func() error { return nil }, log: a.log,
				metricsAuth: a.metricsAuth, routes: webRoutes(a.cfg.HTTP.Addr, a.httpAuth, func() *web { return site }, a.log)}
			group, gctx := errgroup.WithContext(ctx)
			if err := a.startServing(gctx, group, srv, exp); err != nil {
				return err
			}
			group.Go(func() error { return sched.Run(gctx) })
			return group.Wait()
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "run every enabled job once, as of now, and exit")
	return cmd
}

// computeOnce runs every enabled job once as of asOf.
func (a *app) computeOnce(ctx context.Context, conn driver.Conn, asOf time.Time, out io.Writer) error {
	params, err := a.kpiParams()
	if err != nil {
		return err
	}
	engine := a.newEngine(conn)
	snaps := kpi.NewSnapshots(conn, a.cfg.ClickHouse.Database)
	for _, spec := range a.kpiJobSpecs(nil) {
		rows, err := kpi.RunJob(ctx, engine, snaps, spec, params, asOf, a.log)
		if err != nil {
			return err
		}
		a.log.Info().Str("job", spec.Name).Time("as_of", asOf).Int("rows", len(rows)).Msg("kpi snapshot written")
	}
	fmt.Fprintln(out, "computed every job as of", asOf.Format(time.RFC3339))
	return nil
}
