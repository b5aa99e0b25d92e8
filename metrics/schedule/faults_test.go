package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestSlowJobIsNeverRunConcurrentlyWithItself(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	var inFlight, most atomic.Int32
	started, release := make(chan struct{}, 1), make(chan struct{})
	slow := func(ctx context.Context, tick time.Time) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if tick.Equal(at("12:01:00")) {
			started <- struct{}{}
			<-release
		}
		return nil
	}
	log, logs := newLogger()
	s, err := New([]Job{{Name: "sla", Spec: "1m", Timeout: time.Hour, Run: rec.job("sla", slow)}},
		nil, log, WithClock(fc))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 1)
	fc.Set(at("12:01:00"))
	<-started
	require.Equal(t, 1.0, value(t, s.metrics.running.WithLabelValues("sla")))
	// 12:02, 12:03 and 12:04 pass while the 12:01 run is still going.
	fc.Set(at("12:04:30"))
	close(release)
	fc.waitParked(t, 1)
	require.Equal(t, 3.0, value(t, s.metrics.skipped.WithLabelValues("sla")))
	require.Equal(t, 0.0, value(t, s.metrics.running.WithLabelValues("sla")))
	skips := logs.find(t, "sla", "kpi job run outlasted its schedule, ticks skipped")
	require.Len(t, skips, 1)
	require.EqualValues(t, 3, skips[0]["skipped"])

	fc.Set(at("12:05:00"))
	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:01:00", "12:05:00"}, rec.clocks("sla"), "the skipped ticks are not run late")
	require.Equal(t, int32(1), most.Load())
	require.Equal(t, 2.0, value(t, s.metrics.runs.WithLabelValues("sla", ResultSuccess)))
}

func TestLateWakeRunsNewestDueTick(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	s, err := New([]Job{{Name: "volume", Spec: "1m", Timeout: time.Minute, Run: rec.job("volume", nil)}},
		nil, zerolog.Nop(), WithClock(fc))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 1)
	fc.Set(at("12:03:30")) // as if the VM was suspended from 12:00:07
	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:03:00"}, rec.clocks("volume"))
	require.Equal(t, 2.0, value(t, s.metrics.skipped.WithLabelValues("volume")))
}

func TestFailuresAndPanicsAreRetriedWhileOthersRun(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	var failCalls, panicCalls atomic.Int32
	fails := func(context.Context, time.Time) error {
		if failCalls.Add(1) <= 2 {
			return fmt.Errorf("query nps: %w", errors.New("connection refused"))
		}
		return nil
	}
	panics := func(context.Context, time.Time) error {
		if panicCalls.Add(1) == 1 {
			var m map[string]int
			m["branch"]++
		}
		return nil
	}
	log, logs := newLogger()
	s, err := New([]Job{
		{Name: "nps", Spec: "1m", Timeout: time.Minute, Run: rec.job("nps", fails)},
		{Name: "csat", Spec: "1m", Timeout: time.Minute, Run: rec.job("csat", panics)},
		{Name: "ces", Spec: "1m", Timeout: time.Minute, Run: rec.job("ces", nil)},
	}, nil, log, WithClock(fc))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 3)
	fc.Set(at("12:01:00"))
	fc.waitParked(t, 3)
	_, ok := s.LastSuccess("nps")
	require.False(t, ok)
	_, ok = s.LastSuccess("csat")
	require.False(t, ok)
	last, ok := s.LastSuccess("ces")
	require.True(t, ok)
	require.True(t, last.Equal(at("12:01:00")))

	for _, now := range []string{"12:02:00", "12:03:00"} {
		fc.Set(at(now))
		fc.waitParked(t, 3)
	}
	all := []string{"12:01:00", "12:02:00", "12:03:00"}
	for _, job := range []string{"nps", "csat", "ces"} {
		require.Equal(t, all, rec.clocks(job), "%s runs at every tick", job)
	}
	m := s.metrics
	for _, tc := range []struct {
		job                        string
		success, failure, failures float64
	}{
		{"nps", 1, 2, 2},
		{"csat", 2, 1, 1},
		{"ces", 3, 0, 0},
	} {
		require.Equal(t, tc.success, value(t, m.runs.WithLabelValues(tc.job, ResultSuccess)), tc.job)
		require.Equal(t, tc.failure, value(t, m.runs.WithLabelValues(tc.job, ResultFailure)), tc.job)
		require.Equal(t, 0.0, value(t, m.runs.WithLabelValues(tc.job, ResultTimeout)), tc.job)
		require.Equal(t, tc.failures, value(t, m.failures.WithLabelValues(tc.job)), tc.job)
		require.Equal(t, unix("12:03:00"), value(t, m.lastSuccess.WithLabelValues(tc.job)), tc.job)
	}

	failed := logs.find(t, "nps", "kpi job failed, will retry at next tick")
	require.Len(t, failed, 2)
	require.Equal(t, "error", failed[0]["level"])
	require.Equal(t, "query nps: connection refused", failed[0]["error"])
	require.Contains(t, failed[0], "elapsed")
	require.Equal(t, "2026-01-05T12:01:00Z", failed[0]["tick"])
	require.Equal(t, "1m", failed[0]["schedule"], "the spec as configured")

	panicked := logs.find(t, "csat", "kpi job panicked, will retry at next tick")
	require.Len(t, panicked, 1)
	require.Equal(t, "panic: assignment to entry in nil map", panicked[0]["error"])
	require.Contains(t, panicked[0]["stack"], "TestFailuresAndPanicsAreRetriedWhileOthersRun")
}

func TestTimeoutCancelsRun(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	var sawDeadline atomic.Bool
	ended := make(chan error, 1)
	stuck := func(ctx context.Context, _ time.Time) error {
		_, ok := ctx.Deadline()
		sawDeadline.Store(ok)
		<-ctx.Done() // a query that would hang without its deadline
		ended <- ctx.Err()
		return fmt.Errorf("query sla: %w", ctx.Err())
	}
	log, logs := newLogger()
	s, err := New([]Job{{Name: "sla", Spec: "1m", Timeout: 50 * time.Millisecond, Run: rec.job("sla", stuck)}},
		nil, log, WithClock(fc))
	require.NoError(t, err)
	start(t, s)

	fc.waitParked(t, 1)
	fc.Set(at("12:01:00"))
	require.ErrorIs(t, <-ended, context.DeadlineExceeded)
	fc.waitParked(t, 1)
	require.True(t, sawDeadline.Load())
	m := s.metrics
	require.Equal(t, 1.0, value(t, m.runs.WithLabelValues("sla", ResultTimeout)))
	require.Equal(t, 0.0, value(t, m.runs.WithLabelValues("sla", ResultFailure)))
	require.Equal(t, 1.0, value(t, m.failures.WithLabelValues("sla")))
	require.Equal(t, unix("12:01:00"), value(t, m.lastRun.WithLabelValues("sla")))
	require.Equal(t, 0, count(t, m.lastSuccess), "no success yet, so no fake timestamp")
	_, ok := s.LastSuccess("sla")
	require.False(t, ok)
	timedOut := logs.find(t, "sla", "kpi job timed out, will retry at next tick")
	require.Len(t, timedOut, 1)
	require.Equal(t, "query sla: context deadline exceeded", timedOut[0]["error"])
}

func TestRunReturnsOnCancelAfterInFlightRuns(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	started := make(chan struct{})
	var finished atomic.Bool
	busy := func(ctx context.Context, _ time.Time) error {
		close(started)
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // cleaning up after the cancelled query
		finished.Store(true)
		return ctx.Err()
	}
	log, logs := newLogger()
	s, err := New([]Job{
		{Name: "cohorts", Spec: "@daily", Timeout: time.Hour, Run: busy},
		{Name: "idle", Spec: "@daily", Timeout: time.Hour, Run: func(context.Context, time.Time) error { return nil }},
	}, nil, log, WithClock(fc), WithRunAtStart(true))
	require.NoError(t, err)
	stop := start(t, s)

	<-started
	fc.waitParked(t, 1) // idle ran and waits for midnight
	require.NoError(t, stop())
	require.True(t, finished.Load(), "Run waited for the run in flight")
	m := s.metrics
	require.Equal(t, 0.0, value(t, m.running.WithLabelValues("cohorts")))
	for _, r := range []string{ResultSuccess, ResultFailure, ResultTimeout} {
		require.Equal(t, 0.0, value(t, m.runs.WithLabelValues("cohorts", r)), "a run cut by shutdown is no %s", r)
	}
	require.Len(t, logs.find(t, "cohorts", "kpi job run cancelled by shutdown"), 1)
}
