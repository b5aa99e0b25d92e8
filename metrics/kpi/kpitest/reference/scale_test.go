package reference

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// randomEvents returns about n events over the 100 days before asOf, of every
// type, with some duplicates and some events after asOf.
func randomEvents(n int, seed uint64) []event.Event {
	rng := rand.New(rand.NewPCG(seed, 1))
	channels := event.Channels
	span := 100 * 24 * time.Hour
	when := func() time.Time { return asOf.Add(-span + time.Duration(rng.Int64N(int64(span+time.Hour)))) }
	id := 0
	var out []event.Event
	add := func(e event.Event) {
		id++
		e.EventID = fmt.Sprint("r", id)
		e.Branch = fmt.Sprint("b", rng.IntN(12))
		if rng.IntN(10) > 0 {
			e.Channel = channels[rng.IntN(len(channels))]
		}
		if rng.IntN(3) > 0 {
			e.CustomerID = fmt.Sprint("c", rng.IntN(3000))
		}
		if rng.IntN(4) > 0 {
			e.Team = fmt.Sprint("team", rng.IntN(4))
			e.AgentID = fmt.Sprint("a", rng.IntN(40))
		}
		out = append(out, e)
		if rng.IntN(50) == 0 {
			out = append(out, e) // a duplicate delivery
		}
	}
	score := func(lo, hi int) *int { s := lo + rng.IntN(hi-lo+1); return &s }
	for len(out) < n {
		switch k := rng.IntN(10); {
		case k < 5: // a ticket and its conversation
			tid := fmt.Sprint("T", len(out))
			at := when()
			add(event.Event{Type: event.TicketOpened, OccurredAt: at, TicketID: tid, Priority: event.Priorities[rng.IntN(4)]})
			for m := rng.IntN(6); m > 0; m-- {
				at = at.Add(time.Duration(rng.Int64N(int64(8 * time.Hour))))
				author := event.AuthorAgent
				if rng.IntN(2) == 0 {
					author = event.AuthorCustomer
				}
				add(event.Event{Type: event.TicketMessage, OccurredAt: at, TicketID: tid, Author: author})
				switch rng.IntN(8) {
				case 0:
					add(event.Event{Type: event.TicketPending, OccurredAt: at.Add(time.Second), TicketID: tid})
				case 1:
					add(event.Event{Type: event.TicketResumed, OccurredAt: at.Add(time.Second), TicketID: tid})
				}
			}
			if rng.IntN(3) > 0 {
				at = at.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
				add(event.Event{Type: event.TicketResolved, OccurredAt: at, TicketID: tid})
				if rng.IntN(8) == 0 {
					add(event.Event{Type: event.TicketReopened, OccurredAt: at.Add(time.Hour), TicketID: tid})
				}
			}
		case k < 7:
			types := []event.Type{event.SurveyNPS, event.SurveyCSAT, event.SurveyCES}
			t := types[rng.IntN(3)]
			lo, hi, _ := t.ScoreRange()
			add(event.Event{Type: t, OccurredAt: when(), Score: score(lo, hi)})
		case k < 8:
			add(event.Event{Type: event.CustomerVisit, OccurredAt: when()})
		case k < 9:
			ref := fmt.Sprint("R", len(out))
			at := when()
			due := at.Add(time.Duration(rng.Int64N(int64(48 * time.Hour))))
			typ, done := event.AppointmentScheduled, event.AppointmentStarted
			if rng.IntN(2) == 0 {
				typ, done = event.CallbackPromised, event.CallbackCompleted
			}
			add(event.Event{Type: typ, OccurredAt: at, RefID: ref, DueAt: &due})
			if rng.IntN(4) > 0 {
				add(event.Event{Type: done, OccurredAt: due.Add(time.Duration(rng.Int64N(int64(time.Hour))) - 20*time.Minute), RefID: ref})
			}
		default:
			add(event.Event{Type: event.ComplaintFiled, OccurredAt: when()})
		}
	}
	return out
}

// countFields are the fields that add up over groups.
var countFields = map[string][]string{
	kpi.NPS:           {"responses", "promoters", "passives", "detractors"},
	kpi.CSAT:          {"responses", "satisfied"},
	kpi.CES:           {"responses"},
	kpi.FirstResponse: {"count"},
	kpi.NextResponse:  {"count"},
	kpi.Resolution:    {"count"},
	kpi.Reopen:        {"resolved", "reopened"},
	kpi.FCR:           {"resolved", "fcr"},
	kpi.Volume:        {"opened", "self_service"},
	kpi.SLA:           {"met", "breached", "pending"},
	kpi.SLANow:        {"open", "breaching", "at_risk", "paused"},
	kpi.Complaints:    {"complaints", "tickets_opened"},
	kpi.Retention:     {"previous", "current", "retained", "churned"},
	kpi.Cohort:        {"size", "active"},
	kpi.Punctuality:   {"started", "on_time", "never_started"},
	kpi.PromiseKept:   {"promised", "kept"},
	kpi.Pending:       {"tickets", "pending_now"},
}

// requireRollups checks that every count of an "all" group is the sum of the
// same count over the groups it rolls up, along one dimension.
func requireRollups(t *testing.T, rows []kpi.Row, get func(*kpi.Labels) *string) {
	t.Helper()
	sums := map[string]map[string]float64{}
	totals := map[string]kpi.Row{}
	for _, r := range rows {
		l := r.Labels
		if *get(&l) == kpi.All {
			totals[r.Key()] = r
			continue
		}
		*get(&l) = kpi.All
		k := kpi.Row{KPI: r.KPI, Window: r.Window, Labels: l}.Key()
		if sums[k] == nil {
			sums[k] = map[string]float64{}
		}
		for _, f := range countFields[r.KPI] {
			if v, ok := r.Values[f]; ok {
				sums[k][f] += v
			}
		}
	}
	for k, sum := range sums {
		total, ok := totals[k]
		require.True(t, ok, "no total row %s", k)
		for f, v := range sum {
			require.Equal(t, total.Values[f], v, "%s %s", k, f)
		}
	}
}

// TestScaleAndRollups runs Compute on 200k random events (the size the
// reference must handle in a few seconds) and checks that every count of an
// "all" group is the sum over the groups it rolls up.
func TestScaleAndRollups(t *testing.T) {
	if testing.Short() {
		t.Skip("200k events")
	}
	evs := randomEvents(200_000, 7)
	p := kpi.Params{
		AsOf: asOf,
		Policies: []sla.Policy{
			policy("urgent", "*", "urgent", 15*time.Minute, 4*time.Hour, false),
			policy("default", "*", "*", 4*time.Hour, 72*time.Hour, false),
		},
	}
	start := time.Now()
	rows, err := Compute(evs, p)
	require.NoError(t, err)
	t.Logf("%d events → %d rows in %v", len(evs), len(rows), time.Since(start))

	seen := map[string]bool{}
	for _, r := range rows {
		require.False(t, seen[r.Key()], "row %s twice", r.Key())
		seen[r.Key()] = true
	}
	for name := range kpi.Fields {
		require.NotZero(t, countKPI(rows, name), "no %s rows", name)
	}
	requireRollups(t, rows, func(l *kpi.Labels) *string { return &l.Branch })
	requireRollups(t, rows, func(l *kpi.Labels) *string { return &l.Channel })
}

func countKPI(rows []kpi.Row, name string) int {
	n := 0
	for _, r := range rows {
		if r.KPI == name {
			n++
		}
	}
	return n
}
