package kpi

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// refFact is one row of sql/kpi/refs.sql: an appointment or a callback.
type refFact struct {
	ref, branch    string
	due, fulfilled uint64 // ms; fulfilled 0 = not yet
}

// refFacts returns the appointments (or callbacks) due in s, reduced per ref_id.
func (e *Engine) refFacts(ctx context.Context, p Params, s span, scheduled, fulfilled string) ([]refFact, error) {
	look := span{from: s.from.Add(-p.TicketLookback), to: p.AsOf}
	var out []refFact
	err := e.query(ctx, "refs", func(r driver.Rows) error {
		var f refFact
		if err := r.Scan(&f.ref, &f.branch, &f.due, &f.fulfilled); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	}, scheduled, scheduled, scheduled, fulfilled, look.fromS(), look.toS(), look.fromMs(), look.toMs(), s.fromMs(), s.toMs())
	return out, err
}

// promises computes punctuality of appointments and the promise-kept rate of
// callbacks, per branch.
func (e *Engine) promises(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	grace := float64(p.PunctualityGrace.Milliseconds()) / 1000
	asOf := uint64(p.AsOf.UnixMilli())
	var out []Row
	for _, w := range p.Windows {
		s := windowSpan(p, w)
		if r.want[Punctuality] {
			apps, err := e.refFacts(ctx, p, s, "appointment.scheduled", "appointment.started")
			if err != nil {
				return nil, err
			}
			t := newTable(Punctuality, w.Label)
			for _, a := range apps {
				ls := r.g.labels(r.g.values(a.branch, "", "", "", ""), branchDims)
				if a.fulfilled == 0 {
					if float64(a.due)+grace*1000 < float64(asOf) {
						t.each(ls, func(c *cell) { c.add("never_started", 1) })
					} else {
						t.each(ls, func(c *cell) { c.add("waiting", 1) })
					}
					continue
				}
				delay := (float64(a.fulfilled) - float64(a.due)) / 1000
				t.each(ls, func(c *cell) {
					c.add("started", 1)
					c.sample("delay", delay)
					if delay <= grace {
						c.add("on_time", 1)
					} else {
						c.sample("late", delay)
					}
				})
			}
			out = append(out, t.rows(p, func(_ Labels, c *cell) map[string]float64 {
				if c.sum("started") == 0 && c.sum("never_started") == 0 {
					return nil // only appointments still to start: nothing to say yet
				}
				v := map[string]float64{"started": c.sum("started"), "on_time": c.sum("on_time"), "never_started": c.sum("never_started")}
				ratio(v, "on_time_ratio", c.sum("on_time"), c.sum("started"))
				if late := c.samplesOf("late"); len(late) > 0 {
					v["late_mean_delay_seconds"] = mean(late)
				}
				if d := c.samplesOf("delay"); len(d) > 0 {
					v["p90_delay_seconds"] = quantile(d, 0.9)
				}
				return v
			})...)
		}
		if r.want[PromiseKept] {
			calls, err := e.refFacts(ctx, p, s, "callback.promised", "callback.completed")
			if err != nil {
				return nil, err
			}
			t := newTable(PromiseKept, w.Label)
			for _, cb := range calls {
				kept := 0.0
				if cb.fulfilled > 0 && cb.fulfilled <= cb.due {
					kept = 1
				}
				t.each(r.g.labels(r.g.values(cb.branch, "", "", "", ""), branchDims), func(c *cell) {
					c.add("promised", 1)
					c.add("kept", kept)
				})
			}
			out = append(out, t.rows(p, func(_ Labels, c *cell) map[string]float64 {
				v := map[string]float64{"promised": c.sum("promised"), "kept": c.sum("kept")}
				ratio(v, "ratio", c.sum("kept"), c.sum("promised"))
				return v
			})...)
		}
	}
	return out, nil
}
