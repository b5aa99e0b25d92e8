package gen

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// TestStoriesHangTogether checks that the events of one ticket, booking,
// callback or customer tell a consistent story.
func TestStoriesHangTogether(t *testing.T) {
	_, recs, _ := collect(t, Config{Branches: 5, Days: 21, End: end, Seed: 12})
	evs := originals(t, recs, end)
	// Deliveries may be late, so the openings and resolutions come first.
	opened, resolved := map[string]event.Event{}, map[string]time.Time{}
	for _, d := range evs {
		switch ev := d.ev; ev.Type {
		case event.TicketOpened:
			opened[ev.TicketID] = ev
		case event.TicketResolved:
			if r, ok := resolved[ev.TicketID]; !ok || ev.OccurredAt.Before(r) {
				resolved[ev.TicketID] = ev.OccurredAt
			}
		}
	}
	answered, reopened := map[string]bool{}, 0
	channels, priorities := map[string]int{}, map[string]int{}
	for _, op := range opened {
		channels[op.Channel]++
		priorities[op.Priority]++
	}
	scheduled := map[string][]event.Event{}
	visitWeeks := map[string]map[int]bool{} // customer → ISO weeks with a visit
	for _, d := range evs {
		ev := d.ev
		if ev.Type.IsTicket() {
			op, ok := opened[ev.TicketID]
			require.True(t, ok, "ticket event without ticket.opened: %s", d.rec.Value)
			require.Equal(t, op.Branch, ev.Branch)
			require.False(t, ev.OccurredAt.Before(op.OccurredAt), "before its opening: %s", d.rec.Value)
		}
		switch ev.Type {
		case event.TicketMessage:
			if ev.Author == event.AuthorAgent {
				answered[ev.TicketID] = true
				require.True(t, strings.HasPrefix(ev.AgentID, ev.Branch+"-a"), "%s", d.rec.Value)
				require.Contains(t, []string{"front", "back", "vip"}, ev.Team)
			} else {
				require.Empty(t, ev.AgentID)
			}
		case event.TicketReopened:
			reopened++
		case event.SurveyNPS, event.SurveyCSAT, event.SurveyCES:
			op := opened[ev.TicketID]
			require.Equal(t, op.CustomerID, ev.CustomerID)
			r, ok := resolved[ev.TicketID]
			require.True(t, ok && ev.OccurredAt.After(r), "survey before resolution: %s", d.rec.Value)
		case event.AppointmentScheduled:
			require.Greater(t, ev.DueAt.Sub(ev.OccurredAt), 12*time.Hour)
			scheduled[ev.RefID] = append(scheduled[ev.RefID], ev)
		case event.CallbackPromised:
			wait := ev.DueAt.Sub(ev.OccurredAt)
			require.True(t, wait >= time.Hour && wait <= 4*time.Hour+15*time.Minute, "callback due in %s", wait)
		case event.CustomerVisit:
			y, w := ev.OccurredAt.ISOWeek()
			if visitWeeks[ev.CustomerID] == nil {
				visitWeeks[ev.CustomerID] = map[int]bool{}
			}
			visitWeeks[ev.CustomerID][y*100+w] = true
		}
	}

	// Ticket outcomes: mostly resolved, some reopened, some never answered.
	require.InDelta(t, 0.87, float64(len(resolved))/float64(len(opened)), 0.07)
	require.Positive(t, reopened)
	require.Less(t, len(answered), len(opened))
	// Channel and priority mix.
	for _, common := range []string{"chat", "email", "phone"} {
		for _, rare := range []string{"self_service", "social"} {
			require.Greater(t, channels[common], channels[rare], "%s vs %s", common, rare)
		}
	}
	require.Greater(t, priorities["normal"], len(opened)/2)

	// Some bookings are moved to a later slot under the same ref_id.
	moved := 0
	for _, s := range scheduled {
		if len(s) > 1 {
			slices.SortFunc(s, func(a, b event.Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
			require.True(t, s[1].DueAt.After(*s[0].DueAt))
			require.True(t, s[1].OccurredAt.Before(*s[0].DueAt), "moved after the original start")
			moved++
		}
	}
	require.Positive(t, moved)

	// Customers come back in later weeks, and some stop coming.
	var recurring, total int
	for _, weeks := range visitWeeks {
		total++
		if len(weeks) > 1 {
			recurring++
		}
	}
	require.Greater(t, float64(recurring)/float64(total), 0.3)
	first, last := activeIn(evs, end.Add(-21*24*time.Hour), end.Add(-14*24*time.Hour)), activeIn(evs, end.Add(-7*24*time.Hour), end)
	churned := 0
	for c := range first {
		if !last[c] {
			churned++
		}
	}
	require.Greater(t, churned, len(first)/10, "nobody churned")
	require.Less(t, churned, len(first)*6/10, "everybody churned")
}

// activeIn returns the customers with any event in [from, to).
func activeIn(evs []decoded, from, to time.Time) map[string]bool {
	out := map[string]bool{}
	for _, d := range evs {
		if d.ev.CustomerID != "" && !d.ev.OccurredAt.Before(from) && d.ev.OccurredAt.Before(to) {
			out[d.ev.CustomerID] = true
		}
	}
	return out
}
