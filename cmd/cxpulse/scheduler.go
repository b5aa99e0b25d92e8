package main

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

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

// namedActor is an actor built before it is added to the list.
type namedActor struct {
	name string
	run  func(ctx context.Context) error
}

// kpiActors builds the actors that run the KPI jobs. Under the election
// (kpi.leader, the default) the scheduler runs only while this process
// leads, each term with its own engine and generation, its runs cancelled
// when the term ends; while another process leads, the standby serves the
// snapshots the leader stores and screens branches without writing. The
// election stops first: the successor's term starts as soon as this
// process has left the group.
func (a *app) kpiActors(conn driver.Conn, exp *expose.Exporter) ([]namedActor, error) {
	sm := schedule.NewMetrics(a.reg)
	lm := leader.NewMetrics(a.reg)
	if a.cfg.KPI.Leader.Disabled {
		lm.Solo()
		sched, err := a.newKPIScheduler(conn, exp, sm, nil)
		if err != nil {
			return nil, err
		}
		return []namedActor{{"kpi scheduler", sched.Run}}, nil
	}
	// Built once here so that a bad job fails at start, not at the first term.
	if _, err := a.newKPIScheduler(conn, exp, sm, &leader.Term{}); err != nil {
		return nil, err
	}
	elector, err := a.newElector(conn, lm)
	if err != nil {
		return nil, err
	}
	standby, err := a.newStandbyScheduler(conn, exp, sm, elector.Leading)
	if err != nil {
		return nil, err
	}
	elect := func(ctx context.Context) error {
		return elector.Run(ctx, func(tctx context.Context, term leader.Term) {
			sched, err := a.newKPIScheduler(conn, exp, sm, &term)
			if err != nil { // checked at start: only a bug gets here
				a.log.Error().Err(err).Msg("kpi scheduler")
				return
			}
			_ = sched.Run(tctx)
			sched.Forget()
		})
	}
	return []namedActor{{"kpi election", elect}, {"kpi standby", standby.Run}}, nil
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
	return schedule.New(jobs, m, a.log.With().Str("component", "kpi-standby").Logger(), schedule.WithPhase(schedule.MaxPhase))
}
