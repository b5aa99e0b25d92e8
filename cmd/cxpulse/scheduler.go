package main

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"github.com/cxpulse/cxpulse/metrics/expose"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/leader"
	"github.com/cxpulse/cxpulse/metrics/schedule"
)

// Jobs a standby runs instead of the KPI jobs (README "Scaling").
const (
	standbySnapshotsJob = "standby_snapshots"
	standbyCompareJob   = "standby_compare"
)

// runKPI runs the KPI jobs until ctx ends. Under the election (kpi.leader,
// the default) the scheduler runs only while this process leads, each term
// with its own engine and generation, its runs cancelled when the term ends;
// while another process leads, this one serves the snapshots the leader
// stores and screens branches without writing.
func (a *app) runKPI(ctx context.Context, conn driver.Conn, exp *expose.Exporter) error {
	sm := schedule.NewMetrics(a.reg)
	lm := leader.NewMetrics(a.reg)
	if a.cfg.KPI.Leader.Disabled {
		lm.Solo()
		sched, err := a.newKPIScheduler(conn, exp, sm, nil)
		if err != nil {
			return err
		}
		return sched.Run(ctx)
	}
	// Built once up front so that a bad job fails at start, not at the first term.
	if _, err := a.newKPIScheduler(conn, exp, sm, &leader.Term{}); err != nil {
		return err
	}
	elector, err := a.newElector(conn, lm)
	if err != nil {
		return err
	}
	standby, err := a.newStandbyScheduler(conn, exp, sm, elector.Leading)
	if err != nil {
		return err
	}
	group, gctx := errgroup.WithContext(ctx)
	group.Go(func() error { return standby.Run(gctx) })
	group.Go(func() error {
		return elector.Run(gctx, func(tctx context.Context, term leader.Term) {
			sched, err := a.newKPIScheduler(conn, exp, sm, &term)
			if err != nil { // checked at start: only a bug gets here
				a.log.Error().Err(err).Msg("kpi scheduler")
				return
			}
			_ = sched.Run(tctx)
			sched.Forget()
		})
	})
	return group.Wait()
}

// newElector joins the election of this database's scheduler on kafka.brokers.
func (a *app) newElector(conn driver.Conn, m *leader.Metrics) (*leader.Elector, error) {
	dialer, err := a.cfg.KafkaDialer()
	if err != nil {
		return nil, err
	}
	transport, err := a.cfg.KafkaTransport()
	if err != nil {
		return nil, err
	}
	l := a.cfg.KPI.Leader
	cfg := leader.Config{
		Brokers: a.cfg.Kafka.Brokers, Dialer: dialer, Transport: transport, Topic: l.Topic, GroupID: a.cfg.LeaderGroupID(),
		SessionTimeout: l.SessionTimeout, HeartbeatInterval: l.HeartbeatInterval, ReplicationFactor: a.cfg.Kafka.ReplicationFactor,
	}
	floor := func(ctx context.Context) (uint64, error) {
		return kpi.StoredGeneration(ctx, conn, a.cfg.ClickHouse.Database)
	}
	return leader.New(cfg, floor, m, a.log), nil
}

// newStandbyScheduler runs what a standby does while another process leads:
// serve the newest stored snapshots, and screen the branches with an engine
// that never folds (the flags are not stored, and every replica must serve
// them). While this process leads, its jobs do nothing.
func (a *app) newStandbyScheduler(conn driver.Conn, exp *expose.Exporter, m *schedule.Metrics, leading func() bool) (*schedule.Scheduler, error) {
	snaps := kpi.NewSnapshots(conn, a.cfg.ClickHouse.Database)
	refresh := a.cfg.KPI.Leader.StandbyRefresh
	jobs := []schedule.Job{{
		Name: standbySnapshotsJob, Spec: refresh.String(), Timeout: max(refresh, 5*time.Second),
		Run: func(ctx context.Context, _ time.Time) error {
			if leading() {
				return nil
			}
			return a.loadNewerSnapshots(ctx, snaps, exp)
		},
	}}
	if job, ok := a.compareJob(standbyCompareJob, a.newEngine(conn).ReadOnly(), exp); ok {
		run := job.Run
		job.Run = func(ctx context.Context, tick time.Time) error {
			if leading() {
				return nil
			}
			return run(ctx, tick)
		}
		jobs = append(jobs, job)
	}
	return schedule.New(jobs, m, a.log.With().Str("component", "kpi-standby").Logger())
}
