package reference

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func TestPunctuality(t *testing.T) {
	evs := []event.Event{
		// A1: started 60 s late: on time within the 300 s grace.
		ev(event.AppointmentScheduled, "-3d", "ref=A1", "due=-10h"),
		ev(event.AppointmentStarted, "-9h59m", "ref=A1"),
		// A2: started 10 min late: late.
		ev(event.AppointmentScheduled, "-3d", "ref=A2", "due=-8h"),
		ev(event.AppointmentStarted, "-7h50m", "ref=A2"),
		ev(event.AppointmentStarted, "-7h40m", "ref=A2"), // a later start does not count
		// A3: started 5 min early: delay −300, on time.
		ev(event.AppointmentScheduled, "-3d", "ref=A3", "due=-6h"),
		ev(event.AppointmentStarted, "-6h5m", "ref=A3"),
		// A4: never started, past due + grace.
		ev(event.AppointmentScheduled, "-3d", "ref=A4", "due=-1h"),
		// A5: not started but still within grace: counted nowhere.
		ev(event.AppointmentScheduled, "-3d", "ref=A5", "due=-4m"),
		// A6: due outside the window.
		ev(event.AppointmentScheduled, "-3d", "ref=A6", "due=-25h"),
		// A7: due after as_of.
		ev(event.AppointmentScheduled, "-3d", "ref=A7", "due=+1h"),
		// A8: started after as_of: not started yet, past grace.
		ev(event.AppointmentScheduled, "-3d", "ref=A8", "due=-2h"),
		ev(event.AppointmentStarted, "+1m", "ref=A8"),
	}
	r := compute(t, evs, kpi.Params{})
	v := r.get(t, kpi.Punctuality, "24h", b1all)
	require.Equal(t, map[string]float64{
		"started": 3, "on_time": 2, "on_time_ratio": 2.0 / 3, "never_started": 2,
		"late_mean_delay_seconds": 600, "p90_delay_seconds": 600,
	}, v)
	require.Equal(t, v, r.get(t, kpi.Punctuality, "24h", allAll))
	require.Equal(t, 2, r.count(kpi.Punctuality), "per branch only: channel is all")
}

func TestAppointmentNeverStarted(t *testing.T) {
	evs := []event.Event{ev(event.AppointmentScheduled, "-2d", "ref=A1", "due=-30m")}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.Punctuality, "24h", b1all)
	require.Equal(t, map[string]float64{"started": 0, "on_time": 0, "never_started": 1}, v)
}

func TestRescheduleLastScheduledWins(t *testing.T) {
	evs := []event.Event{
		ev(event.AppointmentScheduled, "-5d", "ref=A1", "branch=b1", "due=-5h"),
		ev(event.AppointmentScheduled, "-4d", "ref=A1", "branch=b2", "due=-2h"), // the reschedule
		ev(event.AppointmentStarted, "-1h59m", "ref=A1", "branch=b1"),
		ev(event.AppointmentScheduled, "+1m", "ref=A1", "branch=b1", "due=-1h"), // after as_of: does not exist
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, map[string]float64{
		"started": 1, "on_time": 1, "on_time_ratio": 1, "never_started": 0, "p90_delay_seconds": 60,
	}, r.get(t, kpi.Punctuality, "24h", "branch=b2,channel=all"))
	require.False(t, r.has(kpi.Punctuality, "24h", b1all))
}

func TestCallbackCompletedLate(t *testing.T) {
	evs := []event.Event{
		ev(event.CallbackPromised, "-3h", "ref=C1", "due=-2h"),
		ev(event.CallbackCompleted, "-1h", "ref=C1"), // an hour late
		ev(event.CallbackPromised, "-3h", "ref=C2", "due=-2h"),
		ev(event.CallbackCompleted, "-2h", "ref=C2"), // exactly at due_at: kept
		ev(event.CallbackPromised, "-3h", "ref=C3", "due=-1h"),
		ev(event.CallbackPromised, "-3h", "ref=C4", "due=+1h"), // not due yet
	}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.PromiseKept, "24h", b1all)
	require.Equal(t, map[string]float64{"promised": 3, "kept": 1, "ratio": 1.0 / 3}, v)
}

func TestPromisesIgnoreChannelTeamAndPriority(t *testing.T) {
	evs := []event.Event{
		ev(event.CallbackPromised, "-3h", "ref=C1", "due=-2h", "channel=phone", "team=x"),
	}
	r := compute(t, evs, kpi.Params{By: []string{kpi.DimChannel, kpi.DimTeam, kpi.DimPriority}})
	require.Equal(t, []string{"promise_kept|24h|branch=all,channel=all,team=all,priority=all"}, r.keys(kpi.PromiseKept))
}
