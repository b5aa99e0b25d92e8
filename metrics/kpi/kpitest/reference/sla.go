package reference

import (
	"time"

	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// coverage is one SLA target that covers one ticket: the policy the ticket
// matched first, the target, whether the target's event (first response or
// resolution) happened, and the elapsed time (business or calendar, as the
// policy says) up to that event or, without one, up to as_of.
type coverage struct {
	tk      *ticket
	policy  string
	target  string
	limit   float64 // seconds
	pol     sla.Policy
	done    bool
	at      time.Time // the event, or as_of without one
	elapsed float64
	paused  bool // waiting, its clock stopped at as_of (pending)
}

// spent is the elapsed time from the opening to end, less the ticket's
// pauses when the policy stops this target's clock while pending.
func (cv coverage) spent(cal *calendar.Calendar, end time.Time) float64 {
	if cv.pol.Pauses(cv.target) {
		return cv.pol.ElapsedPaused(cal, cv.tk.opened, end, cv.tk.pauses)
	}
	return cv.pol.Elapsed(cal, cv.tk.opened, end)
}

// coverages returns every (ticket, target) pair an SLA policy covers.
func (c *computation) coverages() []coverage {
	var out []coverage
	for _, tk := range c.tickets {
		pol, ok := sla.Match(c.p.Policies, tk.m.channel, tk.m.priority)
		if !ok {
			continue
		}
		cal := c.p.Calendars.For(tk.m.branch)
		for _, tg := range pol.Targets() {
			cv := coverage{tk: tk, policy: pol.Name, target: tg.Name, limit: tg.Limit.Seconds()}
			var at time.Time // when the target's event happened
			switch tg.Name {
			case sla.TargetFirstResponse:
				cv.done, at = tk.responded, tk.firstResponse
			case sla.TargetResolution:
				cv.done, at = tk.resolved, tk.resolvedAt
			default:
				continue
			}
			if !cv.done {
				at = c.p.AsOf
			}
			cv.at = at
			cv.pol = pol
			cv.elapsed = cv.spent(cal, at)
			cv.paused = !cv.done && tk.pendingAtAsOf && pol.Pauses(tg.Name)
			out = append(out, cv)
		}
	}
	return out
}

// labels are the groups of a coverage: the ticket's, with policy and target.
func (c *computation) coverageLabels(cv coverage) []kpi.Labels {
	ls := c.g.labels(cv.tk.m, scopeTicket)
	for i := range ls {
		ls[i].Policy, ls[i].Target = cv.policy, cv.target
	}
	return ls
}

// attainment counts one group's covered tickets by outcome.
type attainment struct {
	met, breached, pending float64
}

// sla adds the attainment rows of window w: tickets opened in [from, as_of)
// are met when their event's elapsed time ≤ target, breached when it is
// over, or when there is no event yet and elapsed(opened, as_of) > target,
// else pending.
func (c *computation) sla(w kpi.Window, from time.Time) {
	t := table[attainment]{}
	for _, cv := range c.covered {
		if !in(cv.tk.opened, from, c.p.AsOf) {
			continue
		}
		t.add(c.coverageLabels(cv), func(a *attainment) {
			switch {
			case cv.elapsed > cv.limit:
				a.breached++
			case cv.done:
				a.met++
			default:
				a.pending++
			}
		})
	}
	emit(c, kpi.SLA, w.Label, t, func(_ kpi.Labels, a *attainment) map[string]float64 {
		v := map[string]float64{"met": a.met, "breached": a.breached, "pending": a.pending}
		setRatio(v, "attainment_ratio", a.met, a.met+a.breached)
		return v
	})
}

// openNow counts one group's open covered tickets.
type openNow struct {
	open, breaching, atRisk, paused float64
	oldest                          float64
}

// slaNow adds the sla_now rows over the covered tickets opened in the
// breaching lookback: open when the target's event has not happened yet; of
// those, breaching when elapsed(opened, as_of) > target, at risk when
// risk_fraction·target ≤ elapsed ≤ target. A row exists for every group with
// at least one open covered ticket, so that 0 is published while tickets wait
// and nothing breaches (docs/KPI-ENGINE.md).
func (c *computation) slaNow() {
	from := c.p.AsOf.Add(-c.p.BreachingLookback.Duration)
	t := table[openNow]{}
	for _, cv := range c.covered {
		if !in(cv.tk.opened, from, c.p.AsOf) || cv.done {
			continue
		}
		t.add(c.coverageLabels(cv), func(a *openNow) {
			a.open++
			switch {
			case cv.paused: // pending now: neither breaching nor at risk
				a.paused++
			case cv.elapsed > cv.limit:
				a.breaching++
				if cv.elapsed > a.oldest {
					a.oldest = cv.elapsed
				}
			case cv.elapsed >= c.p.AtRiskFraction*cv.limit:
				a.atRisk++
			}
		})
	}
	emit(c, kpi.SLANow, c.p.BreachingLookback.Label, t, func(_ kpi.Labels, a *openNow) map[string]float64 {
		v := map[string]float64{"open": a.open, "breaching": a.breaching, "at_risk": a.atRisk, "paused": a.paused}
		if a.breaching > 0 {
			v["oldest_wait_seconds"] = a.oldest
		}
		return v
	})
}

// decision is when a coverage's outcome was settled: at the event when the
// target was met; when the target passed, if it was breached (late or still
// waiting); ok is false while it is pending.
func (c *computation) decision(cv coverage) (at time.Time, met, ok bool) {
	if cv.done && cv.elapsed <= cv.limit {
		return cv.at, true, true
	}
	if cv.elapsed <= cv.limit {
		return time.Time{}, false, false // still within its target
	}
	// Walk forward from the opening in ever finer steps to the first
	// millisecond past the target: slow, but plainly right.
	cal := c.p.Calendars.For(cv.tk.m.branch)
	t := cv.tk.opened
	for _, step := range []time.Duration{time.Hour, time.Minute, time.Second, time.Millisecond} {
		for cv.spent(cal, t.Add(step)) <= cv.limit {
			t = t.Add(step)
		}
	}
	return t.Add(time.Millisecond), false, true
}

// decisions counts one group's tickets decided in a burn window.
type decisions struct{ met, breached float64 }

// slaDecisions adds, per burn window, the tickets whose SLA outcome was
// settled in [as_of − W, as_of), by group, policy, target and outcome.
func (c *computation) slaDecisions() {
	for _, w := range c.p.BurnWindows {
		from := c.p.AsOf.Add(-w.Duration)
		t := table[decisions]{}
		for _, cv := range c.covered {
			at, met, ok := c.decision(cv)
			if !ok || at.Before(from) || !at.Before(c.p.AsOf) {
				continue
			}
			t.add(c.coverageLabels(cv), func(d *decisions) {
				if met {
					d.met++
				} else {
					d.breached++
				}
			})
		}
		emit(c, kpi.SLADecisions, w.Label, t, func(_ kpi.Labels, d *decisions) map[string]float64 {
			return map[string]float64{"met": d.met, "breached": d.breached}
		})
	}
}
