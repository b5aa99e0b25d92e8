package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func phases(t *testing.T, specs map[string]string, opts ...Option) map[string]time.Duration {
	t.Helper()
	var jobs []Job
	for name, spec := range specs {
		jobs = append(jobs, Job{Name: name, Spec: spec, Timeout: time.Second, Run: func(context.Context, time.Time) error { return nil }})
	}
	s, err := New(jobs, nil, zerolog.Nop(), opts...)
	require.NoError(t, err)
	out := map[string]time.Duration{}
	for name := range specs {
		p, ok := s.Phase(name)
		require.True(t, ok)
		out[name] = p
	}
	return out
}

// TestPhaseIsStableBoundedAndSpread: cxpulse's jobs, all on one schedule,
// get offsets of their own that stay below the bound and are the same on
// every scheduler built (every process, every restart).
func TestPhaseIsStableBoundedAndSpread(t *testing.T) {
	names := []string{"sla_now", "tickets", "satisfaction", "retention", "scorecards", "compare", "standby_snapshots", "standby_compare"}
	sameSchedule := map[string]string{}
	for _, n := range names {
		sameSchedule[n] = "1m"
	}
	first := phases(t, sameSchedule, WithPhase(MaxPhase))
	require.Equal(t, first, phases(t, sameSchedule, WithPhase(MaxPhase)), "the offsets depend on the names alone")
	seen := map[time.Duration]string{}
	for name, p := range first {
		require.GreaterOrEqual(t, p, time.Duration(0), name)
		require.Less(t, p, MaxPhase, name)
		require.NotContains(t, seen, p, "%s and %s fire at one instant", name, seen[p])
		seen[p] = name
	}

	// the bound is a tenth of the period when that is shorter than max
	for spec, bound := range map[string]time.Duration{"10s": time.Second, "30s": 3 * time.Second, "1h": MaxPhase, "0 * * * *": MaxPhase, "* * * * *": 6 * time.Second} {
		for name, p := range phases(t, map[string]string{"sla_now": spec, "tickets": spec, "satisfaction": spec}, WithPhase(MaxPhase)) {
			require.Less(t, p, bound, "%s on %q", name, spec)
			require.GreaterOrEqual(t, p, time.Duration(0), "%s on %q", name, spec)
		}
	}

	for name, p := range phases(t, sameSchedule) {
		require.Zero(t, p, "%s: no offset without WithPhase", name)
	}
}

// TestPhaseDelaysTheRunNotTheTick: the run for 12:00:30 starts at
// 12:00:30 + the job's phase and is still given 12:00:30 as its tick.
func TestPhaseDelaysTheRunNotTheTick(t *testing.T) {
	fc := newFakeClock(at("12:00:07"))
	rec := newRecorder()
	s, err := New([]Job{{Name: "tickets", Spec: "30s", Timeout: time.Minute, Run: rec.job("tickets", nil)}},
		nil, zerolog.Nop(), WithClock(fc), WithPhase(MaxPhase))
	require.NoError(t, err)
	p, _ := s.Phase("tickets")
	require.Greater(t, p, time.Duration(0), "this name's offset is not zero, or the test proves nothing")
	start(t, s)

	fc.waitParked(t, 1)
	fc.Set(at("12:00:30"))
	fc.waitParked(t, 1)
	require.Zero(t, rec.count("tickets"), "the run waits for its phase")
	fc.Set(at("12:00:30").Add(p))
	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:00:30"}, rec.clocks("tickets"))

	// the next run comes at its own tick plus the phase, nothing skipped
	fc.Set(at("12:01:00").Add(p - time.Millisecond))
	fc.waitParked(t, 1)
	fc.Set(at("12:01:00").Add(p))
	fc.waitParked(t, 1)
	require.Equal(t, []string{"12:00:30", "12:01:00"}, rec.clocks("tickets"))
}
