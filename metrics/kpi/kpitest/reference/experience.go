package reference

import (
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/stats"
)

// The bad experiences a (customer, branch) pair can have had, as bits.
const (
	hadDetractor = 1 << iota
	hadBreach
	hadBrokenPromise
	hadLateAppointment
)

// experienceGroup counts one group's previously active pairs by experience.
type experienceGroup struct {
	bad, badKept, good, goodKept float64
	reasons                      [4]float64 // by bit, as hadDetractor …
}

// experience adds the retention_experience rows of window w: of the pairs
// active in the previous window [as_of − 2W, as_of − W), those that had a
// bad experience at their branch in it, as known at its end as_of − W,
// against the others. The events as of as_of − W are derived again from
// all events (visible), and the SLA, callback and appointment rules are
// those of the sla, promiseKept and punctuality rows as of that instant.
func (c *computation) experience(events []event.Event, acts []*activity, w kpi.Window) {
	mid := c.p.AsOf.Add(-w.Duration)
	from := mid.Add(-w.Duration)
	evs := visible(events, mid)
	pm := c.p
	pm.AsOf = mid
	then := &computation{p: pm, g: c.g, tickets: buildTickets(evs, pm)}
	then.covered = then.coverages()

	type pairKey struct{ customer, branch string }
	had := map[pairKey]int{}
	ticketCustomers := map[string][]string{}
	for i := range evs {
		e := &evs[i]
		if e.CustomerID == "" {
			continue
		}
		switch {
		case e.Type == event.SurveyNPS && e.Score != nil && *e.Score <= 6 && in(e.OccurredAt, from, mid):
			had[pairKey{e.CustomerID, e.Branch}] |= hadDetractor
		case e.Type == event.TicketOpened:
			ticketCustomers[e.TicketID] = append(ticketCustomers[e.TicketID], e.CustomerID)
		}
	}
	for _, cv := range then.covered {
		if in(cv.tk.opened, from, mid) && cv.elapsed > cv.limit {
			for _, cust := range ticketCustomers[cv.tk.id] {
				had[pairKey{cust, cv.tk.m.branch}] |= hadBreach
			}
		}
	}
	for _, cb := range pair(evs, event.CallbackPromised, event.CallbackCompleted) {
		if cb.customer != "" && in(cb.due, from, mid) && !(cb.done && !cb.doneAt.After(cb.due)) {
			had[pairKey{cb.customer, cb.branch}] |= hadBrokenPromise
		}
	}
	for _, a := range pair(evs, event.AppointmentScheduled, event.AppointmentStarted) {
		if a.customer != "" && in(a.due, from, mid) && a.done && a.doneAt.Sub(a.due) > c.p.PunctualityGrace {
			had[pairKey{a.customer, a.branch}] |= hadLateAppointment
		}
	}

	t := table[experienceGroup]{}
	for _, a := range acts {
		if !a.activeIn(from, mid) {
			continue
		}
		kept := 0.0
		if a.activeIn(mid, c.p.AsOf) {
			kept = 1
		}
		why := had[pairKey{a.customer, a.branch}]
		t.add(c.g.labels(member{branch: a.branch}, scopeBranch), func(g *experienceGroup) {
			if why == 0 {
				g.good++
				g.goodKept += kept
				return
			}
			g.bad++
			g.badKept += kept
			for k := range g.reasons {
				if why&(1<<k) != 0 {
					g.reasons[k]++
				}
			}
		})
	}
	emit(c, kpi.Experience, w.Label, t, func(_ kpi.Labels, g *experienceGroup) map[string]float64 {
		v := map[string]float64{
			"bad_previous": g.bad, "bad_retained": g.badKept, "good_previous": g.good, "good_retained": g.goodKept,
			"detractor": g.reasons[0], "sla_breached": g.reasons[1], "promise_broken": g.reasons[2], "appointment_late": g.reasons[3],
		}
		setRatio(v, "bad_retention_ratio", g.badKept, g.bad)
		setRatio(v, "good_retention_ratio", g.goodKept, g.good)
		if g.bad > 0 && g.good > 0 {
			d := stats.CompareProportions(stats.Counts{Successes: g.goodKept, N: g.good}, stats.Counts{Successes: g.badKept, N: g.bad}, 0)
			v["gap"], v["gap_lower"], v["gap_upper"], v["p_value"] = d.Effect, d.Low, d.High, d.PValue
		}
		return v
	})
}
