package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rs/zerolog"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/expose"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/leader"
	"github.com/cxpulse/cxpulse/metrics/schedule"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// newEngine is the KPI engine over the configured database; at debug level
// it logs every query and KPI family with its duration.
func (a *app) newEngine(conn driver.Conn) *kpi.Engine {
	return kpi.NewEngine(conn, a.cfg.ClickHouse.Database).WithLogger(a.engineLog())
}

func (a *app) engineLog() zerolog.Logger { return a.log.With().Str("component", "kpi-engine").Logger() }

// kpiJobSpecs returns the enabled KPI jobs, named in a stable order.
func (a *app) kpiJobSpecs(only []string) []kpi.JobSpec {
	want := map[string]bool{}
	for _, n := range only {
		want[n] = true
	}
	var out []kpi.JobSpec
	for name, j := range a.cfg.KPI.Jobs {
		if j.Disabled || (len(want) > 0 && !want[name]) || name == config.CompareJob {
			continue
		}
		if name == config.ScorecardsJob {
			out = append(out, kpi.ScorecardsSpec())
			continue
		}
		spec := kpi.JobSpec{Name: name, KPIs: config.JobKPIs[name]}
		if a.cfg.Metrics.TeamSeries {
			spec.Extra = append(spec.Extra, []string{kpi.DimBranch, kpi.DimTeam})
		}
		if a.cfg.Metrics.AgentSeries {
			spec.Extra = append(spec.Extra, []string{kpi.DimBranch, kpi.DimAgent})
		}
		out = append(out, spec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// exported reports whether a job's rows are served on /metrics: all but the
// scorecards', which only the dashboards read, from kpi_snapshots.
func exported(spec kpi.JobSpec) bool { return spec.Name != config.ScorecardsJob }

// newExporter builds the KPI series of /metrics from the configuration.
func (a *app) newExporter() *expose.Exporter {
	regions := map[string]string{}
	for b, info := range a.cfg.Branches {
		regions[b] = info.Region
	}
	return expose.New(expose.Options{Regions: regions, Policies: sla.WithDefaults(a.cfg.SLAPolicies),
		TeamSeries: a.cfg.Metrics.TeamSeries, AgentSeries: a.cfg.Metrics.AgentSeries, MaxSeries: a.cfg.Metrics.MaxSeries},
		a.log.With().Str("component", "expose").Logger())
}

// preloadSnapshots serves the latest stored snapshot of each job until the
// job's first run after a restart replaces it. Best effort: a failure only
// means the series appear a little later.
func (a *app) preloadSnapshots(ctx context.Context, conn driver.Conn, exp *expose.Exporter) {
	a.loadNewerSnapshots(ctx, kpi.NewSnapshots(conn, a.cfg.ClickHouse.Database), exp)
}

// loadNewerSnapshots serves, for each job, its latest stored snapshot when it
// is newer than the one served: at start, and on a standby, which serves what
// the leader writes. It returns the last error, each one logged.
func (a *app) loadNewerSnapshots(ctx context.Context, snaps *kpi.Snapshots, exp *expose.Exporter) error {
	var last error
	served := exp.Jobs()
	for _, spec := range a.kpiJobSpecs(nil) {
		if !exported(spec) {
			continue
		}
		asOf, ok, err := snaps.Latest(ctx, spec.Name)
		if err == nil && ok && asOf.After(served[spec.Name]) {
			var rows []kpi.Row
			if rows, err = snaps.Read(ctx, spec.Name, asOf); err == nil {
				exp.Update(spec.Name, asOf, rows)
				a.log.Debug().Str("job", spec.Name).Time("as_of", asOf).Int("rows", len(rows)).Msg("serving the stored KPI snapshot")
			}
		}
		if err != nil {
			last = err
			a.log.Warn().Err(err).Str("job", spec.Name).Msg("could not read the stored KPI snapshot")
		}
	}
	return last
}

// newKPIScheduler builds the scheduler of the KPI jobs over conn: each tick
// computes its job's KPIs as of the tick, writes them as a snapshot and
// hands them to exp for /metrics. term is the elected leader's term, whose
// generation fences every write; nil without an election.
func (a *app) newKPIScheduler(conn driver.Conn, exp *expose.Exporter, m *schedule.Metrics, term *leader.Term) (*schedule.Scheduler, error) {
	if _, err := a.kpiParams(); err != nil {
		return nil, err
	}
	engine := a.newEngine(conn)
	snaps := kpi.NewSnapshots(conn, a.cfg.ClickHouse.Database)
	log := a.log.With().Str("component", "kpi").Logger()
	if term != nil {
		engine.WithGeneration(term.Generation)
		snaps.WithGeneration(term.Generation)
		log = log.With().Uint64("generation", term.Generation).Logger()
	}
	var jobs []schedule.Job
	for _, spec := range a.kpiJobSpecs(nil) {
		cfg := a.cfg.KPI.Jobs[spec.Name]
		jobs = append(jobs, schedule.Job{
			Name: spec.Name, Spec: cfg.Schedule, Timeout: cfg.Timeout,
			Run: func(ctx context.Context, tick time.Time) error {
				// A new leader's first tick may be the one its predecessor
				// completed just before handing over: never write a tick twice.
				if done, err := snaps.Has(ctx, spec.Name, tick); err != nil || done {
					return err
				}
				// read per run: a reload may have replaced calendars and policies
				params, err := a.kpiParams()
				if err != nil {
					return err
				}
				rows, err := kpi.RunJob(ctx, engine, snaps, spec, params, tick, log)
				if err == nil && exp != nil && exported(spec) {
					exp.Update(spec.Name, tick, rows)
				}
				return err
			},
		})
	}
	if job, ok := a.compareJob(config.CompareJob, engine, exp); ok {
		jobs = append(jobs, job)
	}
	return schedule.New(jobs, m, log, schedule.WithRunAtStart(true), schedule.WithPhase(schedule.MaxPhase))
}

// compareJob is the branch screen for cxpulse_branch_flagged under name,
// when enabled; it writes no snapshot.
func (a *app) compareJob(name string, engine *kpi.Engine, exp *expose.Exporter) (schedule.Job, bool) {
	cj, ok := a.cfg.KPI.Jobs[config.CompareJob]
	if !ok || cj.Disabled || exp == nil {
		return schedule.Job{}, false
	}
	return schedule.Job{Name: name, Spec: cj.Schedule, Timeout: cj.Timeout,
		Run: func(ctx context.Context, tick time.Time) error {
			params, err := a.kpiParams() // per run: a reload may have replaced them
			if err != nil {
				return err
			}
			branches, standards, err := screenBranches(ctx, engine, params, tick)
			if err == nil {
				exp.UpdateComparisons(tick, branches, standards)
			}
			return err
		}}, true
}

// screenedKPIs are the KPIs whose flagged branches are exported: those
// whose descriptor's comparison has a Screen place, in their places.
var screenedKPIs = func() []kpi.Descriptor {
	var out []kpi.Descriptor
	for _, d := range kpi.Descriptors() {
		if d.Compare != nil && d.Compare.Screen != 0 {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Compare.Screen < out[j].Compare.Screen })
	return out
}()

// screenBranches compares every branch with the standard of the typical
// branch on the screened KPIs over 30 days (the window alerts and dashboards
// compare on).
func screenBranches(ctx context.Context, engine *kpi.Engine, params kpi.Params, asOf time.Time) ([]expose.Compared, []expose.Standard, error) {
	win, _ := kpi.ParseWindow("30d")
	p := params
	p.AsOf = asOf
	var branches []expose.Compared
	var standards []expose.Standard
	for _, d := range screenedKPIs {
		k := d.Name
		if d.PerPolicy && len(p.Policies) == 0 {
			continue
		}
		res, err := compare.Compare(ctx, engine, p, compare.Options{KPI: k, Window: win})
		if err != nil {
			return nil, nil, fmt.Errorf("compare %s: %w", k, err)
		}
		standards = append(standards, expose.Standard{KPI: k, Window: win.Label, Centre: res.Standard.Centre, BetweenSD: math.Sqrt(res.Standard.Between)})
		for _, b := range res.Branches {
			branches = append(branches, expose.Compared{KPI: k, Window: win.Label, Branch: b.Branch,
				Value: b.Estimate.Value, Answers: b.Estimate.N, Shrunk: b.Shrunk,
				Low95: b.Limits.Low95, High95: b.Limits.High95, Low998: b.Limits.Low998, High998: b.Limits.High998,
				Direction: b.Flag, Worse: b.Worse})
		}
	}
	return branches, standards, nil
}
