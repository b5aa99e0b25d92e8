package kpi

import (
	"context"
	"fmt"
	"sort"
)

// Samples returns, per branch, the business-time durations behind a
// response-time KPI (FirstResponse, NextResponse or Resolution) for the
// tickets opened in window w as of p.AsOf: what rank tests and bootstraps
// compare when the question is whether one branch is really slower.
func (e *Engine) Samples(ctx context.Context, p Params, kpiName string, w Window) (map[string][]float64, error) {
	switch kpiName {
	case FirstResponse, NextResponse, Resolution:
	default:
		return nil, fmt.Errorf("samples of %q: only %s, %s and %s have samples", kpiName, FirstResponse, NextResponse, Resolution)
	}
	p = p.WithDefaults()
	p.By = []string{DimBranch}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &run{p: p, want: map[string]bool{}, g: grouping{by: p.By, regions: p.Regions}, complaints: map[string]*table{}}
	out := map[string][]float64{}
	err := e.eachTicket(ctx, r, windowSpan(p, w), ticketsAll, ticketsSince{}, func(t *ticketFact) {
		switch kpiName {
		case FirstResponse:
			if t.firstResponse > 0 {
				out[t.branch] = append(out[t.branch], r.business(t.branch, t.opened, t.firstResponse))
			}
		case Resolution:
			if t.resolved > 0 {
				out[t.branch] = append(out[t.branch], r.business(t.branch, t.opened, t.resolved))
			}
		case NextResponse:
			out[t.branch] = r.nextResponses(t, out[t.branch])
		}
	})
	if err != nil {
		return nil, err
	}
	for _, xs := range out {
		sort.Float64s(xs) // ClickHouse's row order varies; sums must not
	}
	return out, nil
}
