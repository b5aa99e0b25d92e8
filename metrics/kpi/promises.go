package kpi

import (
	"context"
	"sort"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// refFact is one row of sql/kpi/refs.sql: an appointment or a callback.
type refFact struct {
	kind, branch   string
	ref            uint64 // cityHash64 of ref_id
	due, fulfilled uint64 // ms; fulfilled 0 = not yet
	customer       customerKey
	hasCustomer    uint8 // the winning scheduling event names a customer
}

// refFacts returns the appointments and callbacks due in s, reduced per ref_id.
func (e *Engine) refFacts(ctx context.Context, p Params, s span) ([]refFact, error) {
	look := span{from: s.from.Add(-p.TicketLookback), to: p.AsOf}
	var out []refFact
	interned := map[string]string{} // a few branches and two kinds, not a string per row
	intern := func(s string) string {
		if v, ok := interned[s]; ok {
			return v
		}
		interned[s] = s
		return s
	}
	err := e.query(ctx, "refs", refsArgs{look: look, s: s}, func(r driver.Rows) error {
		var f refFact
		if err := r.Scan(&f.kind, &f.ref, &f.branch, &f.due, &f.fulfilled, &f.customer.h, &f.customer.check, &f.hasCustomer); err != nil {
			return err
		}
		f.kind, f.branch = intern(f.kind), intern(f.branch)
		out = append(out, f)
		return nil
	})
	return out, err
}

// promises computes punctuality of appointments and the promise-kept rate of
// callbacks, per branch, from one query over the longest window.
func (e *Engine) promises(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	grace := float64(p.PunctualityGrace.Milliseconds()) / 1000
	asOf := uint64(p.AsOf.UnixMilli())
	facts, err := e.refFacts(ctx, p, windowSpan(p, longestWindow(p.Windows)))
	if err != nil {
		return nil, err
	}
	// a fixed order, so that means add up identically on every run
	sort.Slice(facts, func(i, j int) bool {
		if facts[i].kind != facts[j].kind {
			return facts[i].kind < facts[j].kind
		}
		if facts[i].ref != facts[j].ref {
			return facts[i].ref < facts[j].ref
		}
		// refs whose hashes collide are still two (refs.sql groups by id)
		return facts[i].due < facts[j].due || (facts[i].due == facts[j].due && facts[i].fulfilled < facts[j].fulfilled)
	})
	var out []Row
	labels := map[string][]Labels{} // by branch
	for _, w := range p.Windows {
		from := uint64(windowSpan(p, w).fromMs())
		punct, kept := newTable(Punctuality, w.Label), newTable(PromiseKept, w.Label)
		for _, f := range facts {
			if f.due < from {
				continue
			}
			ls, ok := labels[f.branch]
			if !ok {
				ls = r.g.labels(r.g.values(f.branch, "", "", "", ""), branchDims)
				labels[f.branch] = ls
			}
			if f.kind == "callback" {
				k := 0.0
				if f.fulfilled > 0 && f.fulfilled <= f.due {
					k = 1
				}
				kept.each(ls, func(c *cell) { c.add("promised", 1); c.add("kept", k) })
				continue
			}
			if f.fulfilled == 0 {
				if float64(f.due)+grace*1000 < float64(asOf) {
					punct.each(ls, func(c *cell) { c.add("never_started", 1) })
				}
				continue
			}
			delay := (float64(f.fulfilled) - float64(f.due)) / 1000
			punct.each(ls, func(c *cell) {
				c.add("started", 1)
				c.sample("delay", delay)
				if delay <= grace {
					c.add("on_time", 1)
				} else {
					c.sample("late", delay)
				}
			})
		}
		if r.want[Punctuality] {
			out = append(out, punct.rows(p, func(_ Labels, c *cell) map[string]float64 {
				if c.sum("started") == 0 && c.sum("never_started") == 0 {
					return nil
				}
				v := map[string]float64{"started": c.sum("started"), "on_time": c.sum("on_time"), "never_started": c.sum("never_started")}
				ratio(v, "on_time_ratio", c.sum("on_time"), c.sum("started"))
				if late := c.samplesOf("late"); len(late) > 0 {
					v["late_mean_delay_seconds"] = mean(late)
				}
				if d := c.samplesOf("delay"); len(d) > 0 {
					v["p90_delay_seconds"] = quantiles(d, []string{"p90_delay_seconds"})[0]
				}
				return v
			})...)
		}
		if r.want[PromiseKept] {
			out = append(out, kept.rows(p, func(_ Labels, c *cell) map[string]float64 {
				v := map[string]float64{"promised": c.sum("promised"), "kept": c.sum("kept")}
				ratio(v, "ratio", c.sum("kept"), c.sum("promised"))
				return v
			})...)
		}
	}
	return out, nil
}
