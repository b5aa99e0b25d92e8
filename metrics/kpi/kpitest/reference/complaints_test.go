package reference

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func TestComplaintsPer100Tickets(t *testing.T) {
	evs := []event.Event{
		ev(event.ComplaintFiled, "-1h", "channel=chat", "ticket=T9"),
		ev(event.ComplaintFiled, "-2h", "channel=email"), // no ticket in email
		ev(event.TicketOpened, "-3h", "ticket=T1", "channel=chat"),
		ev(event.TicketOpened, "-3h", "ticket=T2", "channel=chat"),
		ev(event.TicketOpened, "-3h", "ticket=T3", "channel=phone"),
		ev(event.TicketOpened, "-3h", "ticket=T4", "channel=phone"),
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, map[string]float64{"complaints": 1, "tickets_opened": 2, "per_100_tickets": 50}, r.get(t, kpi.Complaints, "24h", b1chat))
	require.Equal(t, map[string]float64{"complaints": 1, "tickets_opened": 0}, r.get(t, kpi.Complaints, "24h", "branch=b1,channel=email"))
	require.Equal(t, map[string]float64{"complaints": 0, "tickets_opened": 2, "per_100_tickets": 0}, r.get(t, kpi.Complaints, "24h", "branch=b1,channel=phone"))
	require.Equal(t, map[string]float64{"complaints": 2, "tickets_opened": 4, "per_100_tickets": 50}, r.get(t, kpi.Complaints, "24h", allAll))
}
