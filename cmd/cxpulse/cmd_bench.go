package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/web"
	cxsql "github.com/cxpulse/cxpulse/sql"
)

func newBenchCommand(g *globalFlags) *cobra.Command {
	bench := &cobra.Command{
		Use:   "bench",
		Short: "Reproducible benchmarks against the configured ClickHouse",
	}
	var sizes string
	var branches, perDay, repeat, arrivals int
	var keep bool
	kpiCmd := &cobra.Command{
		Use:   "kpi",
		Short: "Time a full KPI refresh and the breaching-now job on generated histories of growing size",
		Long: `bench kpi generates histories for --branches branches at a constant rate of
--events-per-day, one database per history (bench_kpi_<events>_<days>d_<branches>b), loads them
straight into ClickHouse, and times, as of the end of each history:

  full refresh   every KPI job (sla_now, tickets, satisfaction, retention)
                 computed and written as snapshots, all at once as the
                 scheduler runs them when their ticks coincide (refresh_s),
                 and one after the other (seq_s)
  breaching-now  the sla_now job alone, which alerts watch
  scorecards     the scorecards job alone (snapshots for the dashboards, every
                 5 minutes: not in the full refresh), and the tickets job
                 alone, its baseline (scorecards_vs_tickets)

The ticket facts the jobs keep are folded in full once first (facts_s, what
cxpulse run does at its first tick). The first refresh of the process
computes every ticket (cold_s); before each measured one, --arrivals recent
ticket events are ingested again (redeliveries: they change no KPI, but their
tickets are folded and computed again), and the refresh folds and reads only
what changed, as every scheduled tick does.

Each is run --repeat times; the median is printed with the rows ClickHouse
read. Because the rate is constant, a bigger size means a longer history
with the same data inside each window: the refresh should barely grow, once
the smallest history is as long as the jobs read back (kpi.HistoryReach:
13 cohort months, about 404 days; a note is printed when it is not). The
default rate makes 10M events 100 days, dense enough to test the refresh
time; the growth with history is measured at a lower rate:

  cxpulse bench kpi --sizes 10M,50M --events-per-day 24000

  cxpulse bench kpi --sizes 1M,10M,50M --branches 200`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			var counts []int
			for _, s := range web.SplitComma(sizes) {
				n, err := parseCount(s)
				if err != nil {
					return fmt.Errorf("--sizes: %w", err)
				}
				counts = append(counts, n)
			}
			sort.Ints(counts)
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			if repeat < 1 {
				return fmt.Errorf("--repeat %d: want at least 1", repeat)
			}
			if arrivals < 0 {
				return fmt.Errorf("--arrivals %d: want 0 or more", arrivals)
			}
			if branches < 1 {
				return fmt.Errorf("--branches %d: want at least 1", branches)
			}
			if perDay < 1 {
				return fmt.Errorf("--events-per-day %d: want at least 1", perDay)
			}
			return a.benchKPI(cmd.Context(), cmd.OutOrStdout(), counts, branches, perDay, repeat, arrivals, keep)
		},
	}
	f := kpiCmd.Flags()
	f.StringVar(&sizes, "sizes", "1M,10M", "history sizes in events (k and M suffixes)")
	f.IntVar(&branches, "branches", 200, "branches")
	f.IntVar(&perDay, "events-per-day", 100_000, "events per day across all branches")
	f.IntVar(&repeat, "repeat", 3, "runs per measurement (the median is printed)")
	f.IntVar(&arrivals, "arrivals", 1000, "ticket events redelivered before each measured refresh (traffic that the folds and the memo must handle)")
	f.BoolVar(&keep, "keep", true, "keep a size's database and reuse it when it already holds the data")
	bench.AddCommand(kpiCmd, newBenchFreshnessCommand(g))
	return bench
}

func parseCount(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "M"):
		mult, s = 1_000_000, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "k"):
		mult, s = 1_000, strings.TrimSuffix(s, "k")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a positive count like 10M", s)
	}
	return n * mult, nil
}

// benchEnd is the fixed end of every generated history, so that runs repeat.
var benchEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

type benchResult struct {
	events               int
	days                 int
	loadSeconds          float64
	factsSeconds         float64
	refresh, slaNow      time.Duration
	tickets, scorecards  time.Duration
	refreshSequential    time.Duration
	cold                 time.Duration
	refreshRows, nowRows uint64
	snapshotRows         int
	reachDays            int
}

func (a *app) benchKPI(ctx context.Context, out io.Writer, sizes []int, branches, perDay, repeat, arrivals int, keep bool) error {
	conn, err := a.connectClickHouse(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var results []benchResult
	for _, n := range sizes {
		days := max(1, n/perDay)
		// the name holds everything the generated history depends on, so a
		// kept database is reused only for the same history
		db := fmt.Sprintf("bench_kpi_%d_%dd_%db", n, days, branches)
		res := benchResult{events: n, days: days}
		gnr, err := gen.New(gen.Config{Branches: branches, Days: days, End: benchEnd, Seed: 42, TargetEvents: n})
		if err != nil {
			return err
		}
		if res.loadSeconds, err = a.benchLoad(ctx, conn, db, gnr, keep); err != nil {
			return err
		}
		// snapshots of earlier bench runs (all at the same as_of) would
		// still be merging while this one measures, more so the more runs
		// a size has had: every size starts without them
		for _, t := range []string{"kpi_snapshots", "kpi_snapshot_runs"} {
			if err := conn.Exec(ctx, "TRUNCATE TABLE `"+db+"`."+t); err != nil {
				return fmt.Errorf("clear earlier bench snapshots: %w", err)
			}
		}
		var kcfg config.Config = a.cfg
		kcfg.ClickHouse.Database = db
		if len(kcfg.Calendars) == 0 {
			if err := demoKPIConfig(&kcfg, gnr, false); err != nil {
				return err
			}
		}
		params, err := kcfg.KPIParams()
		if err != nil {
			return err
		}
		res.reachDays = int(kpi.HistoryReach(params, benchEnd).Hours()+23) / 24
		engine, snaps := kpi.NewEngine(conn, db).WithLogger(a.engineLog()), kpi.NewSnapshots(conn, db)
		// the ticket facts the scheduled jobs keep: folded in full once here
		// (what `cxpulse run` does at its first tick), then each refresh
		// folds only what arrived since
		factsStart := time.Now()
		if err := engine.EnsureTicketFacts(ctx, kpi.TicketFactsFrom(params, benchEnd)); err != nil {
			return err
		}
		res.factsSeconds = time.Since(factsStart).Seconds()
		if err := waitFoldOverlap(ctx, conn, db, a.log); err != nil {
			return err
		}
		sub := app{cfg: kcfg, log: a.log, reg: a.reg}
		var jobs []kpi.JobSpec
		var nowJob, ticketsJob, scorecardsJob kpi.JobSpec
		for _, j := range sub.kpiJobSpecs(nil) {
			switch j.Name {
			case "sla_now":
				nowJob = j
			case "tickets":
				ticketsJob = j
			case config.ScorecardsJob:
				scorecardsJob = j
				continue // every 5 minutes, not with the others' ticks
			}
			jobs = append(jobs, j)
		}
		redeliver, err := cxsql.BenchStatement("redeliver", db)
		if err != nil {
			return err
		}
		// runJobs runs js once: concurrent, every job at once, as the
		// scheduler runs them when their ticks coincide (each job has its
		// own); otherwise one after the other, the sum of the jobs' times.
		// It returns the snapshot rows written.
		runJobs := func(ctx context.Context, js []kpi.JobSpec, concurrent bool) (int, error) {
			var written atomic.Int64
			group, gctx := errgroup.WithContext(ctx)
			if !concurrent {
				group.SetLimit(1)
			}
			for _, j := range js {
				group.Go(func() error {
					rows, err := kpi.RunJob(gctx, engine, snaps, j, params, benchEnd, a.log)
					written.Add(int64(len(rows)))
					return err
				})
			}
			err := group.Wait()
			return int(written.Load()), err
		}
		measure := func(js []kpi.JobSpec, concurrent bool) (time.Duration, uint64, int, error) {
			var times []time.Duration
			var rowsRead atomic.Uint64
			var written int
			for i := 0; i < repeat; i++ {
				rowsRead.Store(0)
				pctx := clickhouse.Context(ctx, clickhouse.WithProgress(func(p *clickhouse.Progress) { rowsRead.Add(p.Rows) }))
				if arrivals > 0 {
					if err := conn.Exec(ctx, redeliver, benchEnd.Unix(), benchEnd.Unix(), arrivals); err != nil {
						return 0, 0, 0, fmt.Errorf("bench traffic: %w", err)
					}
				}
				start := time.Now()
				var err error
				if written, err = runJobs(pctx, js, concurrent); err != nil {
					return 0, 0, 0, err
				}
				times = append(times, time.Since(start))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			return times[len(times)/2], rowsRead.Load(), written, nil
		}
		// the first refresh of a process computes every ticket; the later
		// ones reuse it and handle what arrived since (arrivals events
		// before each)
		coldStart := time.Now()
		if _, err := runJobs(ctx, jobs, true); err != nil {
			return err
		}
		res.cold = time.Since(coldStart)
		if res.refresh, res.refreshRows, res.snapshotRows, err = measure(jobs, true); err != nil {
			return err
		}
		if res.refreshSequential, _, _, err = measure(jobs, false); err != nil {
			return err
		}
		if res.slaNow, res.nowRows, _, err = measure([]kpi.JobSpec{nowJob}, false); err != nil {
			return err
		}
		if res.tickets, _, _, err = measure([]kpi.JobSpec{ticketsJob}, false); err != nil {
			return err
		}
		if res.scorecards, _, _, err = measure([]kpi.JobSpec{scorecardsJob}, false); err != nil {
			return err
		}
		a.log.Info().Int("events", n).Int("days", days).Dur("refresh", res.refresh).Dur("sla_now", res.slaNow).Msg("bench size done")
		results = append(results, res)
	}
	fmt.Fprintf(out, "KPI refresh as of %s, %d branches, %d events/day, median of %d\n", benchEnd.Format(time.RFC3339), branches, perDay, repeat)
	fmt.Fprintf(out, "%12s %6s %9s %9s %9s %11s %9s %14s %9s %12s %13s %14s %10s %13s %21s\n", "events", "days", "load_s", "facts_s", "cold_s", "refresh_s", "seq_s", "refresh_rows", "snapshot", "sla_now_s", "sla_now_rows", "refresh_vs_1st",
		"tickets_s", "scorecards_s", "scorecards_vs_tickets")
	for _, r := range results {
		fmt.Fprintf(out, "%12d %6d %9.1f %9.1f %9.3f %11.3f %9.3f %14d %9d %12.3f %13d %13.2fx %10.3f %13.3f %20.2fx\n", r.events, r.days, r.loadSeconds, r.factsSeconds, r.cold.Seconds(),
			r.refresh.Seconds(), r.refreshSequential.Seconds(), r.refreshRows, r.snapshotRows, r.slaNow.Seconds(), r.nowRows,
			r.refresh.Seconds()/results[0].refresh.Seconds(), r.tickets.Seconds(), r.scorecards.Seconds(), r.scorecards.Seconds()/r.tickets.Seconds())
	}
	if first := results[0]; len(results) > 1 && first.days < first.reachDays {
		fmt.Fprintf(out, "note: the %d-event history (%d days) is shorter than the %d days the jobs read back, so the bigger\n"+
			"sizes hold more data inside what the jobs read and refresh_vs_1st is not the growth with history alone;\n"+
			"for that, use --events-per-day %d or less\n", first.events, first.days, first.reachDays, first.events/first.reachDays)
	}
	return nil
}

// benchLoad fills db with the generator's events unless it already holds
// them (keep), and returns the seconds loading took.
func (a *app) benchLoad(ctx context.Context, conn driver.Conn, db string, gnr *gen.Generator, keep bool) (float64, error) {
	table := "`" + db + "`.events"
	if keep {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'events'", db).Scan(&n); err == nil && n > 0 {
			var rows uint64
			if err := conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&rows); err == nil && rows > 0 {
				a.log.Info().Str("database", db).Uint64("events", rows).Msg("reusing loaded history")
				_, err := cxsql.Migrate(ctx, conn, db) // a history loaded by an older cxpulse
				return 0, err
			}
		}
	}
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+db+"`"); err != nil {
		return 0, err
	}
	if _, err := cxsql.Migrate(ctx, conn, db); err != nil {
		return 0, err
	}
	start := time.Now()
	const chunk = 250_000
	buf := make([]event.Event, 0, chunk)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := ingest.Load(ctx, conn, table, buf, chunk)
		buf = buf[:0]
		return err
	}
	total := 0
	_, err := gnr.Run(ctx, func(r gen.Record) error {
		ev, err := event.Decode(r.Value, benchEnd.Add(time.Hour), event.Limits{})
		if err != nil {
			return err
		}
		buf = append(buf, ev)
		total++
		if len(buf) == chunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", db, err)
	}
	a.log.Info().Str("database", db).Int("events", total).Dur("took", time.Since(start)).Msg("history loaded")
	return time.Since(start).Seconds(), nil
}

// waitFoldOverlap waits until the newest event of db was ingested more than
// kpi.FoldOverlap ago: until then every incremental fold refolds the tickets
// of the last load, and the refresh measured would not be the steady one.
func waitFoldOverlap(ctx context.Context, conn driver.Conn, db string, log zerolog.Logger) error {
	var newest time.Time
	if err := conn.QueryRow(ctx, "SELECT max(ingested_at) FROM `"+db+"`.events").Scan(&newest); err != nil {
		return fmt.Errorf("newest ingestion in %s: %w", db, err)
	}
	wait := time.Until(newest.Add(kpi.FoldOverlap + time.Second))
	if wait <= 0 {
		return nil
	}
	log.Info().Dur("wait", wait).Msg("waiting until the loaded events are older than the fold overlap")
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}
