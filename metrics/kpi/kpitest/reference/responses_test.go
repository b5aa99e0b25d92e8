package reference

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func TestReplyBeforeOpeningIsIgnored(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketMessage, "-3h", "ticket=T1", "author=agent", "agent=early"),
		ev(event.TicketOpened, "-2h", "ticket=T1", "channel=chat"),
		ev(event.TicketMessage, "-1h", "ticket=T1", "author=agent", "agent=a1"),
	}
	r := compute(t, evs, kpi.Params{By: []string{kpi.DimBranch, kpi.DimAgent}})
	require.Equal(t, map[string]float64{
		"count": 1, "mean_seconds": 3600, "p50_seconds": 3600, "p90_seconds": 3600, "p95_seconds": 3600,
	}, r.get(t, kpi.FirstResponse, "24h", "branch=b1,channel=all,agent=a1"))
	require.False(t, r.has(kpi.FirstResponse, "24h", "branch=b1,channel=all,agent=early"))
}

func TestTicketWithoutOpeningCountsNowhere(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketMessage, "-1h", "ticket=T1", "author=agent"),
		ev(event.TicketResolved, "-30m", "ticket=T1"),
	}
	r := compute(t, evs, kpi.Params{})
	for _, name := range []string{kpi.FirstResponse, kpi.Resolution, kpi.Reopen, kpi.FCR, kpi.Volume} {
		require.Zero(t, r.count(name), name)
	}
}

func TestTicketFollowsItsEarliestOpening(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketOpened, "-30h", "ticket=T1", "branch=b1", "channel=chat"), // outside 24h
		ev(event.TicketOpened, "-2h", "ticket=T1", "branch=b2", "channel=email"),
		ev(event.TicketMessage, "-1h", "ticket=T1", "author=agent", "branch=b2", "channel=email"),
	}
	r := compute(t, evs, kpi.Params{Windows: windows("24h", "7d")})
	require.False(t, r.has(kpi.Volume, "24h", allAll), "opened 30h ago, not in 24h")
	require.Equal(t, 1.0, r.get(t, kpi.Volume, "7d", b1chat)["opened"])
	require.Equal(t, 29*3600.0, r.get(t, kpi.FirstResponse, "7d", b1chat)["mean_seconds"])
	require.False(t, r.has(kpi.Volume, "7d", "branch=b2,channel=email"))
}

func TestNextResponseRuns(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketOpened, "-10h", "ticket=T1", "channel=chat"),
		ev(event.TicketMessage, "-10h", "ticket=T1", "author=customer"), // before the first response: no sample
		ev(event.TicketMessage, "-9h", "ticket=T1", "author=agent"),     // first response
		ev(event.TicketMessage, "-8h", "ticket=T1", "author=customer"),  // run 1 starts
		ev(event.TicketMessage, "-7h", "ticket=T1", "author=customer"),
		ev(event.TicketMessage, "-6h", "ticket=T1", "author=agent"), // run 1: 2h
		ev(event.TicketMessage, "-5h", "ticket=T1", "author=agent"),
		ev(event.TicketMessage, "-4h", "ticket=T1", "author=customer"), // run 2 starts
		ev(event.TicketMessage, "-4h", "ticket=T1", "author=agent"),    // same instant: agent first, so not the reply
		ev(event.TicketMessage, "-3h", "ticket=T1", "author=agent"),    // run 2: 1h
		ev(event.TicketMessage, "-1h", "ticket=T1", "author=customer"), // run 3: no reply yet
		ev(event.TicketMessage, "+1m", "ticket=T1", "author=agent"),    // after as_of
	}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.NextResponse, "24h", b1chat)
	require.Equal(t, map[string]float64{"count": 2, "mean_seconds": 5400, "p90_seconds": 7200}, v)
}

func TestResolutionReopenAndFCR(t *testing.T) {
	evs := []event.Event{
		// T1: one agent message, resolved, never reopened: FCR.
		ev(event.TicketOpened, "-10h", "ticket=T1", "channel=chat"),
		ev(event.TicketMessage, "-9h", "ticket=T1", "author=agent"),
		ev(event.TicketResolved, "-8h", "ticket=T1"),
		ev(event.TicketResolved, "-7h", "ticket=T1"), // a later resolution does not count
		// T2: one agent message before resolution, but reopened.
		ev(event.TicketOpened, "-10h", "ticket=T2", "channel=chat"),
		ev(event.TicketMessage, "-9h", "ticket=T2", "author=agent"),
		ev(event.TicketResolved, "-6h", "ticket=T2"),
		ev(event.TicketReopened, "-5h", "ticket=T2"),
		// T3: two agent messages before resolution; the one at resolved_at does not count.
		ev(event.TicketOpened, "-10h", "ticket=T3", "channel=chat"),
		ev(event.TicketMessage, "-9h", "ticket=T3", "author=agent"),
		ev(event.TicketMessage, "-8h", "ticket=T3", "author=agent"),
		ev(event.TicketMessage, "-6h", "ticket=T3", "author=agent"),
		ev(event.TicketResolved, "-6h", "ticket=T3"),
		// T4: only an agent message at the resolution instant: zero before it, not FCR.
		ev(event.TicketOpened, "-10h", "ticket=T4", "channel=chat"),
		ev(event.TicketMessage, "-2h", "ticket=T4", "author=agent"),
		ev(event.TicketResolved, "-2h", "ticket=T4"),
		// T5: not resolved: outside reopen, FCR and resolution.
		ev(event.TicketOpened, "-10h", "ticket=T5", "channel=chat"),
		ev(event.TicketReopened, "-1h", "ticket=T5"),
		// T6: resolved before it was opened: not resolved.
		ev(event.TicketResolved, "-11h", "ticket=T6"),
		ev(event.TicketOpened, "-10h", "ticket=T6", "channel=chat"),
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, map[string]float64{"resolved": 4, "reopened": 1, "ratio": 0.25}, r.get(t, kpi.Reopen, "24h", b1chat))
	require.Equal(t, map[string]float64{"resolved": 4, "fcr": 1, "ratio": 0.25}, r.get(t, kpi.FCR, "24h", b1chat))
	// Resolution samples 2h, 4h, 4h, 8h.
	require.Equal(t, map[string]float64{
		"count": 4, "mean_seconds": 4.5 * 3600, "p50_seconds": 4 * 3600, "p90_seconds": 8 * 3600,
	}, r.get(t, kpi.Resolution, "24h", b1chat))
	require.Equal(t, 6.0, r.get(t, kpi.Volume, "24h", b1all)["opened"])
}

func TestVolumeShareAndSelfService(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketOpened, "-1h", "ticket=T1", "channel=chat"),
		ev(event.TicketOpened, "-1h", "ticket=T2", "channel=self_service"),
		ev(event.TicketOpened, "-1h", "ticket=T3", "channel=self_service"),
		ev(event.TicketOpened, "-1h", "ticket=T4"), // no channel: other
		ev(event.TicketOpened, "-1h", "ticket=T5", "branch=b2", "channel=chat"),
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, map[string]float64{"opened": 1, "share": 0.25}, r.get(t, kpi.Volume, "24h", b1chat))
	require.Equal(t, map[string]float64{"opened": 1, "share": 0.25}, r.get(t, kpi.Volume, "24h", "branch=b1,channel=other"))
	require.Equal(t, map[string]float64{"opened": 2, "share": 0.4}, r.get(t, kpi.Volume, "24h", "branch=all,channel=self_service"))
	require.Equal(t, map[string]float64{"opened": 4, "self_service": 2, "self_service_share": 0.5}, r.get(t, kpi.Volume, "24h", b1all))
	require.Equal(t, map[string]float64{"opened": 1, "self_service": 0, "self_service_share": 0}, r.get(t, kpi.Volume, "24h", "branch=b2,channel=all"))
	require.Equal(t, map[string]float64{"opened": 5, "self_service": 2, "self_service_share": 0.4}, r.get(t, kpi.Volume, "24h", allAll))
}

func TestFirstResponseQuantilesAreNearestRank(t *testing.T) {
	var evs []event.Event
	for i := 1; i <= 20; i++ {
		id := "ticket=T" + string(rune('a'+i))
		evs = append(evs,
			ev(event.TicketOpened, "-20h", id, "channel=chat"),
			ev(event.TicketMessage, "-20h", id, "author=agent"))
		evs[len(evs)-1].OccurredAt = at("-20h").Add(time.Duration(i) * time.Minute)
	}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.FirstResponse, "24h", b1chat)
	// Samples 1…20 minutes: p50 = sorted[9], p90 = sorted[17], p95 = sorted[18].
	require.Equal(t, map[string]float64{
		"count": 20, "mean_seconds": 10.5 * 60, "p50_seconds": 600, "p90_seconds": 18 * 60, "p95_seconds": 19 * 60,
	}, v)
}

func TestQuantile(t *testing.T) {
	s := samples{5, 1, 4, 2, 3}
	require.Equal(t, 3.0, s.quantile(50)) // ceil(2.5) = 3rd
	require.Equal(t, 5.0, s.quantile(90)) // ceil(4.5) = 5th
	require.Equal(t, 1.0, samples{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}.quantile(10))
	require.Equal(t, 9.0, samples{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}.quantile(90)) // exactly 9, not ceil(9.000…1)
	require.Equal(t, 7.0, samples{7}.quantile(95))
}

// TestBusinessHoursAcrossDST: on Sunday 2026-10-25 Prague falls back from
// CEST to CET at 03:00, so the local hours 01:00–05:00 last five real hours.
func TestBusinessHoursAcrossDST(t *testing.T) {
	cals, err := calendar.NewSet(map[string]calendar.Spec{"praha": {
		Timezone: "Europe/Prague",
		Hours:    map[string][]string{"sun": {"01:00-05:00"}, "mon": {"08:00-18:00"}},
	}})
	require.NoError(t, err)
	prague, err := time.LoadLocation("Europe/Prague")
	require.NoError(t, err)
	opened := time.Date(2026, 10, 25, 0, 0, 0, 0, prague)  // Sunday, closed
	replied := time.Date(2026, 10, 26, 9, 0, 0, 0, prague) // Monday, an hour after opening
	evs := []event.Event{
		{EventID: "o", Type: event.TicketOpened, OccurredAt: opened, Branch: "praha", Channel: "phone", TicketID: "T1"},
		{EventID: "m", Type: event.TicketMessage, OccurredAt: replied, Branch: "praha", TicketID: "T1", Author: event.AuthorAgent},
	}
	rows, err := Compute(evs, kpi.Params{AsOf: replied.Add(time.Hour), Windows: windows("7d"), Calendars: cals})
	require.NoError(t, err)
	var frt map[string]float64
	for _, r := range rows {
		if r.KPI == kpi.FirstResponse && r.Labels == (kpi.Labels{Branch: "praha", Channel: "phone"}) {
			frt = r.Values
		}
	}
	require.NotNil(t, frt)
	require.Equal(t, 6*3600.0, frt["mean_seconds"], "5 h on Sunday (DST) + 1 h on Monday")
}
