package reference

import (
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// complaintGroup counts complaints and opened tickets of one group.
type complaintGroup struct {
	complaints, tickets float64
}

// complaints adds the complaint-rate rows of window w: complaint.filed events
// in the window by their own branch, channel, team and agent, per 100 tickets
// opened in the window in the same group. Priority does not split them.
func (c *computation) complaints(evs []event.Event, w kpi.Window, from time.Time) {
	t := table[complaintGroup]{}
	for i := range evs {
		e := &evs[i]
		if e.Type != event.ComplaintFiled || !in(e.OccurredAt, from, c.p.AsOf) {
			continue
		}
		t.add(c.g.labels(eventMember(e), scopeEvent), func(a *complaintGroup) { a.complaints++ })
	}
	for _, tk := range c.tickets {
		if !in(tk.opened, from, c.p.AsOf) {
			continue
		}
		t.add(c.g.labels(tk.m, scopeEvent), func(a *complaintGroup) { a.tickets++ })
	}
	emit(c, kpi.Complaints, w.Label, t, func(_ kpi.Labels, a *complaintGroup) map[string]float64 {
		if a.complaints == 0 && a.tickets == 0 {
			return nil
		}
		v := map[string]float64{"complaints": a.complaints, "tickets_opened": a.tickets}
		setRatio(v, "per_100_tickets", 100*a.complaints, a.tickets)
		return v
	})
}
