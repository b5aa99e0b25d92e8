package main

import (
	"context"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/schedule"
)

// kpiJobSpecs returns the enabled KPI jobs, named in a stable order.
func (a *app) kpiJobSpecs(only []string) []kpi.JobSpec {
	want := map[string]bool{}
	for _, n := range only {
		want[n] = true
	}
	var out []kpi.JobSpec
	for name, j := range a.cfg.KPI.Jobs {
		if j.Disabled || (len(want) > 0 && !want[name]) {
			continue
		}
		out = append(out, kpi.JobSpec{Name: name, KPIs: config.JobKPIs[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// newKPIScheduler builds the scheduler of the KPI jobs over conn: each tick
// computes its job's KPIs as of the tick and writes them as a snapshot.
func (a *app) newKPIScheduler(conn driver.Conn) (*schedule.Scheduler, error) {
	params, err := a.cfg.KPIParams()
	if err != nil {
		return nil, err
	}
	engine := kpi.NewEngine(conn, a.cfg.ClickHouse.Database)
	snaps := kpi.NewSnapshots(conn, a.cfg.ClickHouse.Database)
	log := a.log.With().Str("component", "kpi").Logger()
	var jobs []schedule.Job
	for _, spec := range a.kpiJobSpecs(nil) {
		cfg := a.cfg.KPI.Jobs[spec.Name]
		jobs = append(jobs, schedule.Job{
			Name: spec.Name, Spec: cfg.Schedule, Timeout: cfg.Timeout,
			Run: func(ctx context.Context, tick time.Time) error {
				_, err := kpi.RunJob(ctx, engine, snaps, spec, params, tick.UTC(), log)
				return err
			},
		})
	}
	return schedule.New(jobs, schedule.NewMetrics(a.reg), log, schedule.WithRunAtStart(true))
}
