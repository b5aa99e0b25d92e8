package kpi

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/metrics/sla"
)

// ticketFact is one row of sql/kpi/tickets.sql: a ticket reduced by
// ClickHouse to the instants its KPIs need (milliseconds, 0 = not yet).
type ticketFact struct {
	id, branch, channel, priority, agent, team string
	opened, firstResponse, resolved            uint64
	reopened                                   uint8
	agentMs, customerMs                        []uint64 // sorted, from the opening on
}

// ticketFacts returns the tickets opened in s; with openOnly, only those
// still waiting for a first response or a resolution.
func (e *Engine) ticketFacts(ctx context.Context, p Params, s span, openOnly bool) ([]ticketFact, error) {
	look := span{from: s.from.Add(-p.TicketLookback), to: s.to}
	only := 0
	if openOnly {
		only = 1
	}
	var out []ticketFact
	err := e.query(ctx, "tickets", func(r driver.Rows) error {
		var t ticketFact
		if err := r.Scan(&t.id, &t.branch, &t.channel, &t.priority, &t.opened, &t.firstResponse, &t.resolved,
			&t.reopened, &t.agent, &t.team, &t.agentMs, &t.customerMs); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	}, look.fromS(), s.fromS(), s.toS(), look.fromMs(), s.fromMs(), s.toMs(), only, s.fromMs(), s.toMs())
	return out, err
}

func (r *run) ticketLabels(t *ticketFact, dims map[string]bool) []Labels {
	return r.g.labels(r.g.values(t.branch, t.channel, t.team, t.agent, t.priority), dims)
}

// business is the length of [a, b) in the branch's opening hours, in seconds.
func (r *run) business(branch string, a, b uint64) float64 {
	return r.p.Calendars.BusinessSeconds(branch, msTime(a), msTime(b))
}

// tickets computes the response-time, resolution, reopen, FCR, volume and SLA
// attainment KPIs, and the ticket counts of the complaint rate. One query
// over the longest window serves every window: a ticket's facts do not depend
// on the window, only whether it was opened inside it.
func (e *Engine) tickets(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	longest := p.Windows[0]
	for _, w := range p.Windows {
		if w.Duration > longest.Duration {
			longest = w
		}
	}
	facts, err := e.ticketFacts(ctx, p, windowSpan(p, longest), false)
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, w := range p.Windows {
		from := uint64(windowSpan(p, w).fromMs())
		ts := newTicketTables(w.Label)
		for i := range facts {
			t := &facts[i]
			if t.opened < from {
				continue
			}
			r.addTicket(ts, t)
			r.complaint(w.Label).each(r.ticketLabels(t, surveyDims), func(c *cell) { c.add("tickets_opened", 1) })
		}
		out = append(out, ts.rows(r)...)
	}
	return out, nil
}

type ticketTables struct {
	frt, next, res, reopen, fcr, volume, sla *table
}

func newTicketTables(window string) ticketTables {
	return ticketTables{
		frt: newTable(FirstResponse, window), next: newTable(NextResponse, window),
		res: newTable(Resolution, window), reopen: newTable(Reopen, window),
		fcr: newTable(FCR, window), volume: newTable(Volume, window), sla: newTable(SLA, window),
	}
}

func (r *run) addTicket(ts ticketTables, t *ticketFact) {
	ls := r.ticketLabels(t, ticketDims)
	selfService := 0.0
	if t.channel == "self_service" {
		selfService = 1
	}
	ts.volume.each(ls, func(c *cell) { c.add("opened", 1); c.add("self_service", selfService) })
	if t.firstResponse > 0 {
		d := r.business(t.branch, t.opened, t.firstResponse)
		ts.frt.each(ls, func(c *cell) { c.sample("seconds", d) })
	}
	for _, d := range r.nextResponses(t) {
		ts.next.each(ls, func(c *cell) { c.sample("seconds", d) })
	}
	if t.resolved > 0 {
		d := r.business(t.branch, t.opened, t.resolved)
		ts.res.each(ls, func(c *cell) { c.sample("seconds", d) })
		agentBefore := 0
		for _, a := range t.agentMs {
			if a < t.resolved {
				agentBefore++
			}
		}
		reopened, fcr := float64(t.reopened), 0.0
		if agentBefore == 1 && t.reopened == 0 {
			fcr = 1
		}
		ts.reopen.each(ls, func(c *cell) { c.add("resolved", 1); c.add("reopened", reopened) })
		ts.fcr.each(ls, func(c *cell) { c.add("resolved", 1); c.add("fcr", fcr) })
	}
	policy, ok := sla.Match(r.p.Policies, t.channel, t.priority)
	if !ok {
		return
	}
	for _, target := range policy.Targets() {
		done := t.eventOf(target.Name)
		outcome := r.slaOutcome(policy, target, t, done)
		for _, l := range ls {
			l.Policy, l.Target = policy.Name, target.Name
			ts.sla.at(l).add(outcome, 1)
		}
	}
}

// eventOf is the instant that fulfils an SLA target (0: not yet).
func (t *ticketFact) eventOf(target string) uint64 {
	if target == sla.TargetFirstResponse {
		return t.firstResponse
	}
	return t.resolved
}

// slaOutcome classifies a ticket against one target: met, breached or pending.
func (r *run) slaOutcome(policy sla.Policy, target sla.Target, t *ticketFact, done uint64) string {
	limit := target.Limit.Seconds()
	cal := r.p.Calendars.For(t.branch)
	if done > 0 {
		if policy.Elapsed(cal, msTime(t.opened), msTime(done)) <= limit {
			return "met"
		}
		return "breached"
	}
	if policy.Elapsed(cal, msTime(t.opened), r.p.AsOf) > limit {
		return "breached"
	}
	return "pending"
}

// nextResponses returns the next-response samples of a ticket: after the
// first response, each run of customer messages answered by an agent gives
// the business time from the run's first message to the answer. On equal
// instants the agent's message counts first.
func (r *run) nextResponses(t *ticketFact) []float64 {
	if t.firstResponse == 0 {
		return nil
	}
	var out []float64
	var runStart uint64
	inRun := false
	a, c := 0, 0
	for a < len(t.agentMs) || c < len(t.customerMs) {
		agentNext := c >= len(t.customerMs) || (a < len(t.agentMs) && t.agentMs[a] <= t.customerMs[c])
		if agentNext {
			at := t.agentMs[a]
			a++
			if inRun {
				out = append(out, r.business(t.branch, runStart, at))
				inRun = false
			}
			continue
		}
		ct := t.customerMs[c]
		c++
		if a == 0 {
			continue // before the first response (agentMs[0] is the first response)
		}
		if !inRun {
			runStart, inRun = ct, true
		}
	}
	return out
}

func (ts ticketTables) rows(r *run) []Row {
	p, want := r.p, r.want
	var out []Row
	durations := func(t *table, fields []string) []Row {
		return t.rows(p, func(_ Labels, c *cell) map[string]float64 {
			xs := c.samples["seconds"]
			if len(xs) == 0 {
				return nil
			}
			v := map[string]float64{"count": float64(len(xs)), "mean_seconds": mean(xs)}
			for _, f := range fields {
				v[f] = quantile(xs, QuantileFields[f])
			}
			return v
		})
	}
	if want[FirstResponse] {
		out = append(out, durations(ts.frt, []string{"p50_seconds", "p90_seconds", "p95_seconds"})...)
	}
	if want[NextResponse] {
		out = append(out, durations(ts.next, []string{"p90_seconds"})...)
	}
	if want[Resolution] {
		out = append(out, durations(ts.res, []string{"p50_seconds", "p90_seconds"})...)
	}
	resolvedShare := func(t *table, num string) []Row {
		return t.rows(p, func(_ Labels, c *cell) map[string]float64 {
			v := map[string]float64{"resolved": c.sums["resolved"], num: c.sums[num]}
			ratio(v, "ratio", c.sums[num], c.sums["resolved"])
			return v
		})
	}
	if want[Reopen] {
		out = append(out, resolvedShare(ts.reopen, "reopened")...)
	}
	if want[FCR] {
		out = append(out, resolvedShare(ts.fcr, "fcr")...)
	}
	if want[Volume] {
		out = append(out, ts.volume.rows(p, func(l Labels, c *cell) map[string]float64 {
			v := map[string]float64{"opened": c.sums["opened"]}
			if l.Channel == All {
				v["self_service"] = c.sums["self_service"]
				ratio(v, "self_service_share", c.sums["self_service"], c.sums["opened"])
			} else {
				total := l
				total.Channel = All
				ratio(v, "share", c.sums["opened"], ts.volume.cells[total].sums["opened"])
			}
			return v
		})...)
	}
	if want[SLA] {
		out = append(out, ts.sla.rows(p, func(_ Labels, c *cell) map[string]float64 {
			v := map[string]float64{"met": c.sums["met"], "breached": c.sums["breached"], "pending": c.sums["pending"]}
			ratio(v, "attainment_ratio", c.sums["met"], c.sums["met"]+c.sums["breached"])
			return v
		})...)
	}
	return out
}

// slaNow computes breaching-now and at-risk counts over the tickets opened in
// the breaching lookback that still wait for a first response or resolution.
func (e *Engine) slaNow(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	facts, err := e.ticketFacts(ctx, p, windowSpan(p, p.BreachingLookback), true)
	if err != nil {
		return nil, err
	}
	t := newTable(SLANow, p.BreachingLookback.Label)
	for i := range facts {
		f := &facts[i]
		policy, ok := sla.Match(p.Policies, f.channel, f.priority)
		if !ok {
			continue
		}
		cal := p.Calendars.For(f.branch)
		elapsed := policy.Elapsed(cal, msTime(f.opened), p.AsOf)
		for _, target := range policy.Targets() {
			if f.eventOf(target.Name) > 0 {
				continue
			}
			limit := target.Limit.Seconds()
			breaching, atRisk := elapsed > limit, elapsed >= p.AtRiskFraction*limit && elapsed <= limit
			for _, l := range r.ticketLabels(f, ticketDims) {
				l.Policy, l.Target = policy.Name, target.Name
				c := t.at(l)
				c.add("open", 1)
				if breaching {
					c.add("breaching", 1)
					c.sample("breaching_elapsed", elapsed)
				}
				if atRisk {
					c.add("at_risk", 1)
				}
			}
		}
	}
	return t.rows(p, func(_ Labels, c *cell) map[string]float64 {
		v := map[string]float64{"open": c.sums["open"], "breaching": c.sums["breaching"], "at_risk": c.sums["at_risk"]}
		if xs := c.samples["breaching_elapsed"]; len(xs) > 0 {
			oldest := xs[0]
			for _, x := range xs {
				oldest = max(oldest, x)
			}
			v["oldest_wait_seconds"] = oldest
		}
		return v
	}), nil
}
