package reference

import (
	"fmt"
	"sort"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// activity is one customer at one branch: every instant an event with their
// customer_id occurred there (the event's own branch), in time order.
type activity struct {
	customer, branch string
	times            []time.Time
}

// activities returns every (customer, branch) pair that has any visible event.
func activities(evs []event.Event) []*activity {
	type key struct{ customer, branch string }
	byKey := map[key]*activity{}
	var out []*activity
	for i := range evs {
		e := &evs[i]
		if e.CustomerID == "" {
			continue
		}
		k := key{e.CustomerID, e.Branch}
		a := byKey[k]
		if a == nil {
			a = &activity{customer: e.CustomerID, branch: e.Branch}
			byKey[k] = a
			out = append(out, a)
		}
		a.times = append(a.times, e.OccurredAt)
	}
	for _, a := range out {
		sort.Slice(a.times, func(i, j int) bool { return a.times[i].Before(a.times[j]) })
	}
	return out
}

// activeIn reports whether a has any activity in [from, to).
func (a *activity) activeIn(from, to time.Time) bool {
	for _, t := range a.times {
		if in(t, from, to) {
			return true
		}
	}
	return false
}

// retentionGroup counts (customer, branch) pairs of one group.
type retentionGroup struct {
	previous, current, retained, churned float64
}

// retention adds the rolling retention rows of window w: A = active in
// [as_of − 2W, as_of − W), B = active in [as_of − W, as_of), per branch; the
// fleet and regions add up over (customer, branch) pairs.
func (c *computation) retention(acts []*activity, w kpi.Window) {
	cur := c.p.AsOf.Add(-w.Duration)
	prev := cur.Add(-w.Duration)
	t := table[retentionGroup]{}
	for _, a := range acts {
		inA, inB := a.activeIn(prev, cur), a.activeIn(cur, c.p.AsOf)
		if !inA && !inB {
			continue
		}
		t.add(c.g.labels(member{branch: a.branch}, scopeBranch), func(g *retentionGroup) {
			if inA {
				g.previous++
				if inB {
					g.retained++
				} else {
					g.churned++
				}
			}
			if inB {
				g.current++
			}
		})
	}
	emit(c, kpi.Retention, w.Label, t, func(_ kpi.Labels, g *retentionGroup) map[string]float64 {
		v := map[string]float64{
			"previous": g.previous, "current": g.current,
			"retained": g.retained, "churned": g.churned,
		}
		setRatio(v, "retention_ratio", g.retained, g.previous)
		return v
	})
}

// cohortGroup counts the members of one cohort and how many were active k
// months later.
type cohortGroup struct {
	size, active float64
}

// cohortWindow is the window label of cohort rows.
const cohortWindow = "cohort"

// cohorts adds the cohort rows. Months are counted in the branch calendar's
// time zone (UTC without one), as_of's month included: a pair's cohort is the
// month of its first activity; cohorts are the 13 months ending with as_of's
// month, and k runs from 0 while cohort + k ≤ as_of's month.
func (c *computation) cohorts(acts []*activity) {
	t := table[cohortGroup]{}
	for _, a := range acts {
		loc := c.location(a.branch)
		last := monthOf(c.p.AsOf, loc)
		cohort := monthOf(a.times[0], loc)
		if cohort < last-12 {
			continue
		}
		activeMonths := map[int]bool{}
		for _, at := range a.times {
			activeMonths[monthOf(at, loc)] = true
		}
		base := c.g.labels(member{branch: a.branch}, scopeBranch)
		for k := 0; cohort+k <= last; k++ {
			active := activeMonths[cohort+k]
			for _, l := range base {
				l.Cohort, l.K = monthLabel(cohort), k
				g := t.at(l)
				g.size++
				if active {
					g.active++
				}
			}
		}
	}
	emit(c, kpi.Cohort, cohortWindow, t, func(_ kpi.Labels, g *cohortGroup) map[string]float64 {
		v := map[string]float64{"size": g.size, "active": g.active}
		setRatio(v, "ratio", g.active, g.size)
		return v
	})
}

// location is the time zone of the branch's calendar, UTC without one.
func (c *computation) location(branch string) *time.Location {
	if loc := c.p.Calendars.Location(branch); loc != nil {
		return loc
	}
	return time.UTC
}

// monthOf numbers the calendar month of t in loc: year·12 + month − 1.
func monthOf(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	return t.Year()*12 + int(t.Month()) - 1
}

// monthLabel is the YYYY-MM text of a month number of monthOf.
func monthLabel(m int) string {
	return fmt.Sprintf("%04d-%02d", m/12, m%12+1)
}
