package kpi

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Samples returns, per branch, the business-time durations behind a
// response-time KPI (one whose descriptor HasSamples: FirstResponse,
// NextResponse, Resolution) for the tickets opened in window w as of
// p.AsOf: what rank tests and bootstraps compare when the question is
// whether one branch is really slower.
func (e *Engine) Samples(ctx context.Context, p Params, kpiName string, w Window) (map[string][]float64, error) {
	d, ok := Describe(kpiName)
	if !ok || !d.HasSamples() {
		return nil, fmt.Errorf("samples of %q: only %s have samples", kpiName, strings.Join(sampledKPIs(), ", "))
	}
	p = p.WithDefaults()
	p.By = []string{DimBranch}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &run{p: p, want: map[string]bool{}, g: grouping{by: p.By, regions: p.Regions}, complaints: map[string]*table{}}
	out := map[string][]float64{}
	err := e.eachTicket(ctx, r, windowSpan(p, w), ticketsAll, ticketsSince{}, func(t *ticketFact) {
		d.samples(r, t, out)
	})
	if err != nil {
		return nil, err
	}
	for _, xs := range out {
		sort.Float64s(xs) // ClickHouse's row order varies; sums must not
	}
	return out, nil
}

// sampledKPIs are the KPIs with samples, in table order.
func sampledKPIs() []string {
	var out []string
	for _, d := range descriptors {
		if d.HasSamples() {
			out = append(out, d.Name)
		}
	}
	return out
}

// firstResponseSamples adds the ticket's first-response time, if it had one.
func (r *run) firstResponseSamples(t *ticketFact, out map[string][]float64) {
	if t.firstResponse > 0 {
		out[t.branch] = append(out[t.branch], r.business(t.branch, t.opened, t.firstResponse))
	}
}

// resolutionSamples adds the ticket's resolution time, if it was resolved.
func (r *run) resolutionSamples(t *ticketFact, out map[string][]float64) {
	if t.resolved > 0 {
		out[t.branch] = append(out[t.branch], r.business(t.branch, t.opened, t.resolved))
	}
}

// nextResponseSamples adds the ticket's next-response times; its branch
// has samples, maybe none, once it has a ticket.
func (r *run) nextResponseSamples(t *ticketFact, out map[string][]float64) {
	out[t.branch] = r.nextResponses(t, out[t.branch])
}
