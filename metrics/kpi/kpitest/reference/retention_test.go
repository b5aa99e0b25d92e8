package reference

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func TestRollingRetention(t *testing.T) {
	evs := []event.Event{
		// b1: c1 in both halves, c2 only before, c3 only now.
		ev(event.CustomerVisit, "-30h", "customer=c1"),
		ev(event.SurveyNPS, "-2h", "customer=c1", "score=9"), // any type counts
		ev(event.CustomerVisit, "-47h", "customer=c2"),
		ev(event.TicketOpened, "-1h", "customer=c3", "ticket=T1"),
		ev(event.CustomerVisit, "-49h", "customer=c4"), // before 2W
		// b2: c1 only before (activity at another branch is another pair).
		ev(event.CustomerVisit, "-25h", "customer=c1", "branch=b2", "channel=web"),
		ev(event.CustomerVisit, "-2h", "branch=b2"), // no customer_id
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, map[string]float64{
		"previous": 2, "current": 2, "retained": 1, "churned": 1, "retention_ratio": 0.5,
	}, r.get(t, kpi.Retention, "24h", b1all))
	require.Equal(t, map[string]float64{
		"previous": 1, "current": 0, "retained": 0, "churned": 1, "retention_ratio": 0,
	}, r.get(t, kpi.Retention, "24h", "branch=b2,channel=all"))
	// The fleet adds up (customer, branch) pairs.
	require.Equal(t, map[string]float64{
		"previous": 3, "current": 2, "retained": 1, "churned": 2, "retention_ratio": 1.0 / 3,
	}, r.get(t, kpi.Retention, "24h", allAll))
	require.Equal(t, 3, r.count(kpi.Retention))
}

func TestRetentionWithoutPreviousHasNoRatio(t *testing.T) {
	evs := []event.Event{ev(event.CustomerVisit, "-1h", "customer=c1")}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.Retention, "24h", b1all)
	require.Equal(t, map[string]float64{"previous": 0, "current": 1, "retained": 0, "churned": 0}, v)
}

func TestCohorts(t *testing.T) {
	// asOf is 2026-10-05: cohorts 2025-10 … 2026-10.
	day := func(y int, m time.Month, d int) string {
		return "-" + asOf.Sub(time.Date(y, m, d, 12, 0, 0, 0, time.UTC)).String()
	}
	evs := []event.Event{
		ev(event.CustomerVisit, day(2026, 8, 3), "customer=c1"),
		ev(event.CustomerVisit, day(2026, 10, 1), "customer=c1"),
		ev(event.CustomerVisit, day(2026, 8, 20), "customer=c2"),
		ev(event.CustomerVisit, day(2026, 9, 20), "customer=c2"),
		ev(event.CustomerVisit, day(2025, 9, 20), "customer=c3"), // cohort 2025-09: too old
		ev(event.CustomerVisit, day(2026, 10, 2), "customer=c3"),
		ev(event.CustomerVisit, "+1h", "customer=c4"), // after as_of
	}
	r := compute(t, evs, kpi.Params{})
	get := func(k int) map[string]float64 {
		l := kpi.Labels{Branch: "b1", Channel: kpi.All, Cohort: "2026-08", K: k}
		return r.get(t, kpi.Cohort, "cohort", l.String())
	}
	require.Equal(t, map[string]float64{"size": 2, "active": 2, "ratio": 1}, get(0))
	require.Equal(t, map[string]float64{"size": 2, "active": 1, "ratio": 0.5}, get(1))
	require.Equal(t, map[string]float64{"size": 2, "active": 1, "ratio": 0.5}, get(2))
	// Three k per label set (b1 and all), nothing older than 2025-10, no c4.
	require.Equal(t, 6, r.count(kpi.Cohort), "%v", r.keys(kpi.Cohort))
}

// TestCohortMonthInBranchTimeZone: 23:30 UTC on 31 August is 1 September in
// Prague.
func TestCohortMonthInBranchTimeZone(t *testing.T) {
	cals, err := calendar.NewSet(map[string]calendar.Spec{"praha": {Timezone: "Europe/Prague"}})
	require.NoError(t, err)
	first := time.Date(2026, 8, 31, 23, 30, 0, 0, time.UTC)
	evs := []event.Event{
		{EventID: "1", Type: event.CustomerVisit, OccurredAt: first, Branch: "praha", CustomerID: "c1"},
		{EventID: "2", Type: event.CustomerVisit, OccurredAt: first, Branch: "utc", CustomerID: "c1"},
	}
	r := compute(t, evs, kpi.Params{Calendars: cals})
	require.Equal(t, 1.0, r.get(t, kpi.Cohort, "cohort", "branch=praha,channel=all,cohort=2026-09,k=0")["size"])
	require.Equal(t, 1.0, r.get(t, kpi.Cohort, "cohort", "branch=utc,channel=all,cohort=2026-08,k=0")["size"])
	require.Equal(t, 0.0, r.get(t, kpi.Cohort, "cohort", "branch=utc,channel=all,cohort=2026-08,k=1")["active"])
	require.False(t, r.has(kpi.Cohort, "cohort", "branch=praha,channel=all,cohort=2026-08,k=0"))
}
