package kpi

import (
	"context"

	"github.com/cxpulse/cxpulse/metrics/sla"
)

// slaNow computes breaching-now and at-risk counts over the tickets opened in
// the breaching lookback that still wait for a first response or resolution.
func (e *Engine) slaNow(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	t := newTable(SLANow, p.BreachingLookback.Label)
	labelsOf := map[*ticketGroup][]Labels{}
	err := e.eachOpenTicket(ctx, r, windowSpan(p, p.BreachingLookback), func(f *ticketFact) {
		policy, ok := sla.Match(p.Policies, f.channel, f.priority)
		if !ok {
			return
		}
		cal := p.Calendars.For(f.branch)
		pauses, pendingNow := f.pauses(uint64(p.AsOf.UnixMilli()))
		ls, ok := labelsOf[f.dims]
		if !ok {
			ls = r.g.labels(r.ticketValues(f), ticketDims)
			labelsOf[f.dims] = ls
		}
		for _, target := range policy.Targets() {
			if f.eventOf(target.Name) > 0 {
				continue
			}
			limit := target.Limit.Seconds()
			spent := elapsed(policy, target.Name, cal, msTime(f.opened), p.AsOf, pauses)
			// a stopped clock neither breaches nor nears its target now
			paused := pendingNow && policy.Pauses(target.Name)
			breaching := !paused && spent > limit
			atRisk := !paused && spent >= p.AtRiskFraction*limit && spent <= limit
			for _, l := range ls {
				l.Policy, l.Target = policy.Name, target.Name
				c := t.at(l)
				c.add("open", 1)
				if paused {
					c.add("paused", 1)
				}
				if breaching {
					c.add("breaching", 1)
					c.sample("breaching_elapsed", spent)
				}
				if atRisk {
					c.add("at_risk", 1)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return t.rows(p, func(_ Labels, c *cell) map[string]float64 {
		v := map[string]float64{"open": c.sum("open"), "breaching": c.sum("breaching"), "at_risk": c.sum("at_risk"), "paused": c.sum("paused")}
		if xs := c.samplesOf("breaching_elapsed"); len(xs) > 0 {
			oldest := xs[0]
			for _, x := range xs {
				oldest = max(oldest, x)
			}
			v["oldest_wait_seconds"] = oldest
		}
		return v
	}), nil
}
