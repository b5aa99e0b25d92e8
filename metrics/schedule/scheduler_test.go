package schedule

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestJobsRunOnTheirTicks(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	reg := prometheus.NewRegistry()
	s, err := New([]Job{
		{Name: "csat", Spec: "30s", Timeout: time.Minute, Run: rec.job("csat", nil)},
		{Name: "nps", Spec: "* * * * *", Timeout: time.Minute, Run: rec.job("nps", nil)},
	}, NewMetrics(reg), zerolog.Nop(), WithClock(fc))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 2)
	_, ok := s.LastSuccess("csat")
	require.False(t, ok, "nothing runs before the first tick without RunAtStart")
	for _, now := range []string{"12:00:30", "12:01:00", "12:01:30", "12:02:00"} {
		fc.Set(at(now))
		fc.waitParked(t, 2) // both loops ran what was due and wait again
	}
	require.Equal(t, []string{"12:00:30", "12:01:00", "12:01:30", "12:02:00"}, rec.clocks("csat"))
	require.Equal(t, []string{"12:01:00", "12:02:00"}, rec.clocks("nps"))

	last, ok := s.LastSuccess("nps")
	require.True(t, ok)
	require.True(t, last.Equal(at("12:02:00")), last)
	_, ok = s.LastSuccess("no-such-job")
	require.False(t, ok)

	// Families come sorted by name, as on /metrics.
	require.Equal(t, strings.TrimPrefix(`
# HELP cxpulse_kpi_job_running 1 while a run of the KPI job is in progress, else 0.
# TYPE cxpulse_kpi_job_running gauge
cxpulse_kpi_job_running{kpi_job="csat"} 0
cxpulse_kpi_job_running{kpi_job="nps"} 0
# HELP cxpulse_kpi_job_runs_total KPI job runs that ended, by result (success, failure, timeout); runs cut short by shutdown are not counted.
# TYPE cxpulse_kpi_job_runs_total counter
cxpulse_kpi_job_runs_total{kpi_job="csat",result="failure"} 0
cxpulse_kpi_job_runs_total{kpi_job="csat",result="success"} 4
cxpulse_kpi_job_runs_total{kpi_job="csat",result="timeout"} 0
cxpulse_kpi_job_runs_total{kpi_job="nps",result="failure"} 0
cxpulse_kpi_job_runs_total{kpi_job="nps",result="success"} 2
cxpulse_kpi_job_runs_total{kpi_job="nps",result="timeout"} 0
# HELP cxpulse_kpi_job_skipped_total Ticks of a KPI job that were not run because its previous run was still going (or the process was paused past them).
# TYPE cxpulse_kpi_job_skipped_total counter
cxpulse_kpi_job_skipped_total{kpi_job="csat"} 0
cxpulse_kpi_job_skipped_total{kpi_job="nps"} 0
`, "\n"), exposition(t, reg, "cxpulse_kpi_job_runs_total", "cxpulse_kpi_job_skipped_total", "cxpulse_kpi_job_running"))
	require.Equal(t, unix("12:02:00"), value(t, s.metrics.lastSuccess.WithLabelValues("csat")))
	require.Equal(t, unix("12:02:00"), value(t, s.metrics.lastRun.WithLabelValues("csat")))
	require.Equal(t, 2, count(t, s.metrics.duration))
	require.Empty(t, lint(t, reg))
}

func TestRunAtStart(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	require.NoError(t, err)
	// A clock in a local zone, as time.Now is on a host set to one.
	fc := newFakeClock(at("12:00:07").Add(250 * time.Millisecond).In(prague))
	rec := newRecorder()
	s, err := New([]Job{{Name: "retention", Spec: "30s", Timeout: time.Minute, Run: rec.job("retention", nil)}},
		nil, zerolog.Nop(), WithClock(fc), WithRunAtStart(true))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:00:07"}, rec.clocks("retention"), "run at once, for the current second")
	fc.Set(at("12:00:30"))
	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:00:07", "12:00:30"}, rec.clocks("retention"), "then on schedule")
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, tick := range rec.ticks["retention"] {
		require.Equal(t, time.UTC, tick.Location(), "jobs get ticks in UTC")
	}
}

// TestRealClock runs on real time with 50 ms ticks and runs of 120 ms; it
// asserts only counts and order, since a shared machine can stall for long.
func TestRealClock(t *testing.T) {
	rec := newRecorder()
	var inFlight, most atomic.Int32
	slow := func(ctx context.Context, _ time.Time) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-time.After(120 * time.Millisecond):
		case <-ctx.Done():
		}
		return nil
	}
	every := interval(50 * time.Millisecond) // below MinInterval, so not through Parse
	s, err := New([]Job{
		{Name: "fast", Schedule: every, Timeout: time.Second, Run: rec.job("fast", nil)},
		{Name: "slow", Schedule: every, Timeout: time.Second, Run: rec.job("slow", slow)},
	}, nil, zerolog.Nop())
	require.NoError(t, err)
	stop := start(t, s)
	require.Eventually(t, func() bool { return rec.count("fast") >= 4 && rec.count("slow") >= 3 },
		20*time.Second, 10*time.Millisecond)
	require.NoError(t, stop())

	for _, job := range []string{"fast", "slow"} {
		rec.mu.Lock()
		ticks := rec.ticks[job]
		rec.mu.Unlock()
		for i, tick := range ticks {
			require.Zero(t, tick.UnixNano()%int64(every), "%s tick %s is aligned", job, tick)
			if i > 0 {
				require.True(t, tick.After(ticks[i-1]), "%s ticks increase", job)
			}
		}
	}
	require.Equal(t, int32(1), most.Load(), "slow never overlaps with itself")
	require.GreaterOrEqual(t, value(t, s.metrics.skipped.WithLabelValues("slow")), 1.0)
}

func TestRunTwiceAtOnceIsRefused(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	s, err := New([]Job{{Name: "nps", Spec: "1m", Timeout: time.Minute, Run: func(context.Context, time.Time) error { return nil }}},
		nil, zerolog.Nop(), WithClock(fc))
	require.NoError(t, err)
	stop := start(t, s)
	fc.waitParked(t, 1)
	require.ErrorContains(t, s.Run(context.Background()), "already running")
	require.NoError(t, stop())
}

// never is a schedule that has run out of ticks.
type never struct{}

func (never) Next(time.Time) time.Time { return time.Time{} }

func TestScheduleWithoutTicksStopsOnlyItsJob(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	log, logs := newLogger()
	s, err := New([]Job{
		{Name: "done", Schedule: never{}, Timeout: time.Minute, Run: rec.job("done", nil)},
		{Name: "nps", Spec: "1m", Timeout: time.Minute, Run: rec.job("nps", nil)},
	}, nil, log, WithClock(fc))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 1)
	fc.Set(at("12:01:00"))
	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:01:00"}, rec.clocks("nps"))
	require.Zero(t, rec.count("done"))
	stopped := logs.find(t, "done", "kpi job schedule has no further tick, job stops")
	require.Len(t, stopped, 1)
	require.Equal(t, "schedule.never", stopped[0]["schedule"])
}

// Forget drops the last-run and last-success series of the jobs, and only those.
func TestForgetDropsLastRunSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	s, err := New([]Job{{Name: "a", Spec: "1m", Timeout: time.Second, Run: func(context.Context, time.Time) error { return nil }}}, m, zerolog.Nop())
	require.NoError(t, err)
	m.ended("a", ResultSuccess, time.Unix(60, 0), time.Millisecond)
	m.ended("other", ResultSuccess, time.Unix(60, 0), time.Millisecond)
	series := func(name string) int {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() == name {
				return len(mf.GetMetric())
			}
		}
		return 0
	}
	require.Equal(t, 2, series("cxpulse_kpi_job_last_success_timestamp_seconds"))
	s.Forget()
	require.Equal(t, 1, series("cxpulse_kpi_job_last_success_timestamp_seconds"), "only the scheduler's own job is forgotten")
	require.Equal(t, 1, series("cxpulse_kpi_job_last_run_timestamp_seconds"))
	require.Equal(t, 4, series("cxpulse_kpi_job_runs_total"), "counters stay: a's three results and other's success")
}
