package kpi

import (
	"context"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/metrics/sla"
	"github.com/cxpulse/cxpulse/metrics/stats"
)

// customerKey identifies a customer by the two independent 64-bit hashes
// retention groups customers by (cityHash64, sipHash64 of customer_id).
type customerKey struct{ h, check uint64 }

// branchCustomer is a customer at a branch: the unit rolling retention counts.
type branchCustomer struct {
	branch   string
	customer customerKey
}

// The bad experiences, as bits of a (branch, customer) pair's reasons, in
// the order of experienceReasons.
const (
	badDetractor = 1 << iota
	badSLA
	badPromise
	badLate
)

// experienceReasons are the fields that count the customers with each bad
// experience (a customer with two counts in both).
var experienceReasons = [...]string{"detractor", "sla_breached", "promise_broken", "appointment_late"}

// experience computes retention by service experience for every window W
// (docs/KPI-ENGINE.md): of the customers active at a branch in the previous
// window [as_of − 2W, as_of − W), those who had a bad experience there in
// it, known at its end as_of − W (a detractor answer, a ticket that breached
// an SLA target, a callback promise broken, an appointment started late),
// against the others; with the difference of their retention, Newcombe's
// interval and the two-proportion test (stats.CompareProportions). totals
// are retention's tables, in window order: the good group is what is left of
// them once the bad group is counted, so only the customers who could have
// had a bad experience are read per customer.
func (e *Engine) experience(ctx context.Context, r *run, totals []*table) ([]Row, error) {
	p := r.p
	bad := make([]map[branchCustomer]uint8, len(p.Windows))
	for i := range bad {
		bad[i] = map[branchCustomer]uint8{}
	}
	// the previous windows span [as_of − 2·longest, as_of − shortest)
	earliest, latest := p.AsOf, time.Time{}
	for _, w := range p.Windows {
		mid := p.AsOf.Add(-w.Duration)
		if start := mid.Add(-w.Duration); start.Before(earliest) {
			earliest = start
		}
		if mid.After(latest) {
			latest = mid
		}
	}
	prev := span{from: earliest, to: latest}
	// detractor answers, split by window in Go
	err := e.query(ctx, "experience_detractors", experienceDetractorsArgs{prev}, func(rows driver.Rows) error {
		var bc branchCustomer
		var at uint64
		if err := rows.Scan(&bc.branch, &bc.customer.h, &bc.customer.check, &at); err != nil {
			return err
		}
		for i, w := range p.Windows {
			mid := uint64(p.AsOf.Add(-w.Duration).UnixMilli())
			if at >= mid-uint64(w.Duration.Milliseconds()) && at < mid {
				bad[i][bc] |= badDetractor
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	customers, err := e.ticketCustomers(ctx, prev)
	if err != nil {
		return nil, err
	}
	if err := e.breaches(ctx, r, prev, customers, bad); err != nil {
		return nil, err
	}
	for i, w := range p.Windows {
		if err := e.brokenPromises(ctx, r, w, bad[i]); err != nil {
			return nil, err
		}
	}
	masks, err := e.experienceActivity(ctx, r, earliest.Add(-p.TicketLookback), latest)
	if err != nil {
		return nil, err
	}
	var out []Row
	for i, w := range p.Windows {
		t := newTable(Experience, w.Label)
		aBit, bBit := uint64(1)<<(2*i), uint64(1)<<(2*i+1)
		for bc, why := range bad[i] {
			m := masks[bc]
			if m&aBit == 0 {
				continue // not active at the branch in the previous window
			}
			kept := 0.0
			if m&bBit != 0 {
				kept = 1
			}
			t.each(r.g.labels(r.g.values(bc.branch, "", "", "", ""), branchDims), func(c *cell) {
				c.add("bad_previous", 1)
				c.add("bad_retained", kept)
				for k, f := range experienceReasons {
					if why&(1<<k) != 0 {
						c.add(f, 1)
					}
				}
			})
		}
		out = append(out, totals[i].rows(p, func(l Labels, c *cell) map[string]float64 {
			return experienceValues(c.sum("previous"), c.sum("retained"), t.get(l))
		})...)
	}
	for i := range out {
		out[i].KPI = Experience
	}
	return out, nil
}

// experienceValues are the fields of one group's row from retention's
// counts and the bad group's cell (nil: nobody had a bad experience).
func experienceValues(previous, retained float64, b *cell) map[string]float64 {
	if previous == 0 {
		return nil
	}
	bp, br := b.sum("bad_previous"), b.sum("bad_retained")
	gp, gr := previous-bp, retained-br
	v := map[string]float64{"bad_previous": bp, "bad_retained": br, "good_previous": gp, "good_retained": gr}
	for _, f := range experienceReasons {
		v[f] = b.sum(f)
	}
	ratio(v, "bad_retention_ratio", br, bp)
	ratio(v, "good_retention_ratio", gr, gp)
	if bp > 0 && gp > 0 {
		// good minus bad: how much retention a bad experience costs
		t := stats.CompareProportions(stats.Counts{Successes: gr, N: gp}, stats.Counts{Successes: br, N: bp}, 0)
		v["gap"], v["gap_lower"], v["gap_upper"], v["p_value"] = t.Effect, t.Low, t.High, t.PValue
	}
	return v
}

// ticketOpening is one customer of a ticket and the earliest ticket.opened
// naming them.
type ticketOpening struct {
	customer customerKey
	at       uint64
}

// ticketCustomers returns the customers of the tickets opened in s
// (experience_tickets.sql).
func (e *Engine) ticketCustomers(ctx context.Context, s span) (map[ticketKey][]ticketOpening, error) {
	out := map[ticketKey][]ticketOpening{}
	err := e.query(ctx, "experience_tickets", experienceTicketsArgs{s}, func(rows driver.Rows) error {
		var k ticketKey
		var o ticketOpening
		if err := rows.Scan(&k.h, &k.check, &o.customer.h, &o.customer.check, &o.at); err != nil {
			return err
		}
		out[k] = append(out[k], o)
		return nil
	})
	return out, err
}

// breaches adds to bad[i] the customers of the tickets opened in window i's
// previous window that breached an SLA target as known at its end. One read
// of the tickets of every previous window (s), as of the latest end, serves
// all: each window sees a ticket's facts cut at its own end (cutAt).
func (e *Engine) breaches(ctx context.Context, r *run, s span, customers map[ticketKey][]ticketOpening, bad []map[branchCustomer]uint8) error {
	at := *r
	at.p.AsOf, at.longestBurn = s.to, 0
	ends := make([]run, len(r.p.Windows))
	for i, w := range r.p.Windows {
		ends[i] = at
		ends[i].p.AsOf = r.p.AsOf.Add(-w.Duration)
	}
	var cut ticketFact
	err := e.eachTicket(ctx, &at, s, ticketsAll, ticketsSince{}, func(t *ticketFact) {
		who := customers[t.key]
		if len(who) == 0 {
			return
		}
		for i, w := range r.p.Windows {
			end := uint64(ends[i].p.AsOf.UnixMilli())
			if t.opened >= end || t.opened < end-uint64(w.Duration.Milliseconds()) {
				continue
			}
			t.cutAt(end, &cut)
			if !ends[i].breachedAny(&cut) {
				continue
			}
			for _, o := range who {
				if o.at < end {
					bad[i][branchCustomer{t.branch, o.customer}] |= badSLA
				}
			}
		}
	})
	r.folded, r.folds = at.folded, at.folds // one fold per run
	return err
}

// cutAt sets dst to t's facts as they were before end (ms): what a read as
// of end gives. The first response and the resolution are the earliest
// instants, so they stand when before end and are gone otherwise; dst's
// lists share t's arrays.
func (t *ticketFact) cutAt(end uint64, dst *ticketFact) {
	*dst = *t
	before := func(xs []uint64) []uint64 {
		return xs[:sort.Search(len(xs), func(k int) bool { return xs[k] >= end })]
	}
	dst.agentMs, dst.customerMs = before(t.agentMs), before(t.customerMs)
	dst.pendingMs, dst.resumedMs = before(t.pendingMs), before(t.resumedMs)
	if dst.firstResponse >= end {
		dst.firstResponse = 0
	}
	if dst.resolved >= end {
		dst.resolved = 0
	}
}

// brokenPromises adds to bad the broken callback promises and late
// appointments of window w's previous window, as known at its end: the
// refs are read as of as_of − W.
func (e *Engine) brokenPromises(ctx context.Context, r *run, w Window, bad map[branchCustomer]uint8) error {
	p := r.p
	p.AsOf = r.p.AsOf.Add(-w.Duration)
	facts, err := e.refFacts(ctx, p, span{from: p.AsOf.Add(-w.Duration), to: p.AsOf})
	if err != nil {
		return err
	}
	grace := uint64(r.p.PunctualityGrace.Milliseconds())
	for _, f := range facts {
		if f.hasCustomer == 0 {
			continue
		}
		bc := branchCustomer{f.branch, f.customer}
		switch {
		case f.kind == "callback" && (f.fulfilled == 0 || f.fulfilled > f.due):
			bad[bc] |= badPromise
		case f.kind == "appointment" && f.fulfilled > f.due+grace:
			bad[bc] |= badLate
		}
	}
	return nil
}

// breachedAny reports whether the ticket breached any target of its policy
// as of r's as_of.
func (r *run) breachedAny(t *ticketFact) bool {
	policy, ok := sla.Match(r.p.Policies, t.channel, t.priority)
	if !ok {
		return false
	}
	pauses, _ := t.pauses(uint64(r.p.AsOf.UnixMilli()))
	for _, target := range policy.Targets() {
		if r.slaOutcome(policy, target, t, t.eventOf(target.Name), pauses) == slaBreached {
			return true
		}
	}
	return false
}

// previousBits are the bits of retention.sql's mask that say "active in
// window w's previous window", for every w.
const previousBits = 0x5555555555555555

// experienceActivity returns the retention masks (retention.sql's bits) of
// the customers with an event that can make an experience bad in
// [from, to).
func (e *Engine) experienceActivity(ctx context.Context, r *run, from, to time.Time) (map[branchCustomer]uint64, error) {
	p := r.p
	starts2, starts1 := make([]uint64, len(p.Windows)), make([]uint64, len(p.Windows))
	for i, w := range p.Windows {
		mid := p.AsOf.Add(-w.Duration)
		starts1[i], starts2[i] = uint64(mid.UnixMilli()), uint64(mid.Add(-w.Duration).UnixMilli())
	}
	s := span{from: p.AsOf.Add(-2 * longestWindow(p.Windows).Duration), to: p.AsOf}
	cand := span{from: from, to: to}
	out := map[branchCustomer]uint64{}
	q := experienceActivityArgs{customerMasksArgs{starts1: starts1, starts2: starts2, s: s, filter: experienceCandidatesArgs{cand}}}
	err := e.query(ctx, "experience_activity", q, func(rows driver.Rows) error {
		var bc branchCustomer
		var m uint64
		if err := rows.Scan(&bc.branch, &bc.customer.h, &bc.customer.check, &m); err != nil {
			return err
		}
		if m&previousBits != 0 { // active in some previous window
			out[bc] = m
		}
		return nil
	})
	return out, err
}
