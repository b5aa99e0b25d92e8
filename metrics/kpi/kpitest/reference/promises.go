package reference

import (
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// promise is one appointment or callback, paired by ref_id across the fleet:
// the branch and due_at of the scheduling event that occurred last, and the
// earliest start (completion), if any.
type promise struct {
	branch string
	// customer is the scheduling event's customer_id ("" when it has none)
	customer string
	due      time.Time
	done     bool
	doneAt   time.Time
}

// pair builds the promises of one kind from the visible events: scheduled is
// appointment.scheduled or callback.promised, done the matching
// appointment.started or callback.completed. A ref_id with no scheduling
// event (carrying a due_at) is no promise.
func pair(evs []event.Event, scheduled, done event.Type) []promise {
	last := map[string]*event.Event{}
	first := map[string]*event.Event{}
	for i := range evs {
		e := &evs[i]
		if e.RefID == "" {
			continue
		}
		switch e.Type {
		case scheduled:
			// The reschedule that occurred last wins (ties: the larger event_id).
			if e.DueAt != nil && (last[e.RefID] == nil || earlier(last[e.RefID], e)) {
				last[e.RefID] = e
			}
		case done:
			if first[e.RefID] == nil || earlier(e, first[e.RefID]) {
				first[e.RefID] = e
			}
		}
	}
	var out []promise
	for ref, s := range last {
		pr := promise{branch: s.Branch, customer: s.CustomerID, due: *s.DueAt}
		if d := first[ref]; d != nil {
			pr.done, pr.doneAt = true, d.OccurredAt
		}
		out = append(out, pr)
	}
	return out
}

// punctualityGroup accumulates appointments of one group.
type punctualityGroup struct {
	delays       samples // every started appointment, calendar seconds
	onTime       float64
	late         samples // delays of the late ones
	neverStarted float64
}

// punctuality adds the punctuality rows of window w: appointments whose
// due_at lies in [from, as_of), per branch (channel all).
func (c *computation) punctuality(evs []event.Event, w kpi.Window, from time.Time) {
	grace := c.p.PunctualityGrace.Seconds()
	t := table[punctualityGroup]{}
	for _, a := range pair(evs, event.AppointmentScheduled, event.AppointmentStarted) {
		if !in(a.due, from, c.p.AsOf) {
			continue
		}
		ls := c.g.labels(member{branch: a.branch}, scopeBranch)
		switch {
		case a.done:
			delay := a.doneAt.Sub(a.due).Seconds()
			t.add(ls, func(g *punctualityGroup) {
				g.delays = append(g.delays, delay)
				if delay <= grace {
					g.onTime++
				} else {
					g.late = append(g.late, delay)
				}
			})
		case a.due.Add(c.p.PunctualityGrace).Before(c.p.AsOf):
			t.add(ls, func(g *punctualityGroup) { g.neverStarted++ })
		}
	}
	emit(c, kpi.Punctuality, w.Label, t, func(_ kpi.Labels, g *punctualityGroup) map[string]float64 {
		started := float64(len(g.delays))
		if started == 0 && g.neverStarted == 0 {
			return nil
		}
		v := map[string]float64{"started": started, "on_time": g.onTime, "never_started": g.neverStarted}
		setRatio(v, "on_time_ratio", g.onTime, started)
		setMean(v, "late_mean_delay_seconds", g.late)
		setQuantile(v, "p90_delay_seconds", g.delays, 90)
		return v
	})
}

// promiseGroup counts callbacks of one group.
type promiseGroup struct {
	promised, kept float64
}

// promiseKept adds the promise_kept rows of window w: callbacks whose due_at
// lies in [from, as_of), kept when completed at or before due_at.
func (c *computation) promiseKept(evs []event.Event, w kpi.Window, from time.Time) {
	t := table[promiseGroup]{}
	for _, cb := range pair(evs, event.CallbackPromised, event.CallbackCompleted) {
		if !in(cb.due, from, c.p.AsOf) {
			continue
		}
		kept := cb.done && !cb.doneAt.After(cb.due)
		t.add(c.g.labels(member{branch: cb.branch}, scopeBranch), func(g *promiseGroup) {
			g.promised++
			if kept {
				g.kept++
			}
		})
	}
	emit(c, kpi.PromiseKept, w.Label, t, func(_ kpi.Labels, g *promiseGroup) map[string]float64 {
		if g.promised == 0 {
			return nil
		}
		v := map[string]float64{"promised": g.promised, "kept": g.kept}
		setRatio(v, "ratio", g.kept, g.promised)
		return v
	})
}
