package reference

import (
	"fmt"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// Compute returns every KPI row that docs/KPI-ENGINE.md defines for the
// events and parameters, sorted by kpi.SortRows: for each window of p the
// window KPIs, then sla_now (window label p.BreachingLookback.Label) and
// cohort (window label "cohort") once each. The events may hold duplicate
// event_ids (counted once) and events at or after p.AsOf (ignored).
func Compute(events []event.Event, p kpi.Params) ([]kpi.Row, error) {
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	for _, w := range p.Windows {
		if w.Duration <= 0 {
			return nil, fmt.Errorf("reference: window %q: must be positive", w.Label)
		}
	}
	evs := visible(events, p.AsOf)
	c := &computation{p: p, g: newGrouper(p), tickets: buildTickets(evs, p)}
	c.covered = c.coverages()
	acts := activities(evs)

	for _, w := range p.Windows {
		from := p.AsOf.Add(-w.Duration)
		c.surveys(evs, w, from)
		c.ticketKPIs(w, from)
		c.sla(w, from)
		c.complaints(evs, w, from)
		c.retention(acts, w)
		c.punctuality(evs, w, from)
		c.promiseKept(evs, w, from)
		c.experience(events, acts, w)
	}
	c.slaNow()
	c.slaDecisions()
	c.cohorts(acts)

	kpi.SortRows(c.rows)
	return c.rows, nil
}

// computation is one Compute call: its parameters, the grouping rules, the
// per-ticket facts and SLA coverage shared by several KPIs and windows, and
// the rows produced so far.
type computation struct {
	p       kpi.Params
	g       grouper
	tickets []*ticket
	covered []coverage // the SLA targets covering each ticket
	rows    []kpi.Row
}

// emit appends one row per group of t whose values are not nil.
func emit[A any](c *computation, name, window string, t table[A], values func(kpi.Labels, *A) map[string]float64) {
	for l, a := range t {
		v := values(l, a)
		if v == nil {
			continue
		}
		c.rows = append(c.rows, kpi.Row{KPI: name, Window: window, AsOf: c.p.AsOf, Labels: l, Values: v})
	}
}

// visible deduplicates events by event_id (the first copy wins; copies are
// equal), keeps occurred_at and due_at to the millisecond (their stored
// precision) and drops every event that did not occur before asOf: those do
// not exist yet for this computation. The caller's events are not changed.
func visible(events []event.Event, asOf time.Time) []event.Event {
	seen := make(map[string]bool, len(events))
	out := make([]event.Event, 0, len(events))
	for _, e := range events {
		if seen[e.EventID] {
			continue
		}
		seen[e.EventID] = true
		e.OccurredAt = e.OccurredAt.Truncate(time.Millisecond)
		if !e.OccurredAt.Before(asOf) {
			continue
		}
		if e.DueAt != nil {
			due := e.DueAt.Truncate(time.Millisecond)
			e.DueAt = &due
		}
		out = append(out, e)
	}
	return out
}

// in reports whether t lies in the half-open interval [from, to).
func in(t, from, to time.Time) bool {
	return !t.Before(from) && t.Before(to)
}
