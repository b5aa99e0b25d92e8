package gen

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// The plant changes nothing but who: with unhappy customers leaving, every
// event other than a visit is the one the generator makes without the plant
// (same id, type, time, branch, scores, refs), at most with another
// customer_id; the visits are a subset of those without it; and some are
// gone. So the planted branches and every KPI but retention stay as they were.
func TestUnhappyCustomersOnlyChangeWho(t *testing.T) {
	cfg := Config{Branches: 5, Days: 40, End: end, Seed: 3}
	withPlant := byID(t, cfg)
	unhappyLeave = 0
	defer func() { unhappyLeave = UnhappyLeaveShare }()
	without := byID(t, cfg)

	dropped, moved := 0, 0
	for id, w := range without {
		got, ok := withPlant[id]
		if w.Type == event.CustomerVisit {
			if !ok {
				dropped++
				continue
			}
			require.Equal(t, w, got, id)
			continue
		}
		require.True(t, ok, "event %s is there without unhappy customers leaving", id)
		if got.CustomerID != w.CustomerID {
			moved++
			got.CustomerID = w.CustomerID
		}
		require.Equal(t, w, got, id)
	}
	for id := range withPlant {
		_, ok := without[id]
		require.True(t, ok, "event %s only exists with the plant", id)
	}
	require.Positive(t, dropped, "visits of customers who left")
	require.Positive(t, moved, "tickets, bookings and callbacks of customers who left go to others")
}

func byID(t *testing.T, cfg Config) map[string]event.Event {
	t.Helper()
	_, recs, _ := collect(t, cfg)
	out := map[string]event.Event{}
	for _, d := range originals(t, recs, end) {
		out[d.ev.EventID] = d.ev // pointer fields are compared by value
	}
	return out
}
