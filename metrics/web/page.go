package web

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/overview"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// tileSpec says how a fleet tile reads its value from a KPI row.
type tileSpec struct {
	name, kpi, field, unit string
	scale                  float64
	higherIsBetter         bool
	n                      string // the field holding the sample size
	policyTarget           bool   // an SLA row of the first policy's first-response target
}

var tileSpecs = []tileSpec{
	{name: "NPS", kpi: kpi.NPS, field: "nps", scale: 1, higherIsBetter: true, n: "responses"},
	{name: "CSAT", kpi: kpi.CSAT, field: "csat_percent", unit: "%", scale: 1, higherIsBetter: true, n: "responses"},
	{name: "SLA attainment, first response", kpi: kpi.SLA, field: "attainment_ratio", unit: "%", scale: 100, higherIsBetter: true, n: "met", policyTarget: true},
	{name: "First response, median", kpi: kpi.FirstResponse, field: "p50_seconds", unit: "s", scale: 1, n: "count"},
	{name: "Retention", kpi: kpi.Retention, field: "retention_ratio", unit: "%", scale: 100, higherIsBetter: true, n: "previous"},
	{name: "Appointments on time", kpi: kpi.Punctuality, field: "on_time_ratio", unit: "%", scale: 100, higherIsBetter: true, n: "started"},
	{name: "Callbacks kept", kpi: kpi.PromiseKept, field: "ratio", unit: "%", scale: 100, higherIsBetter: true, n: "promised"},
}

// trendPoints is how many daily values a sparkline shows.
const trendPoints = 8

// build computes the overview as of asOf for window win.
func (w *Server) build(ctx context.Context, asOf time.Time, win kpi.Window) (overview.Page, error) {
	page := overview.Page{Title: "cxpulse — service quality", AsOf: asOf, Window: win.Label}
	params := w.params()
	policy, hasPolicy := sla.Policy{}, len(params.Policies) > 0
	if hasPolicy {
		policy = params.Policies[0]
	}
	kpis := make([]string, 0, len(tileSpecs))
	for _, t := range tileSpecs {
		kpis = append(kpis, t.kpi)
	}
	// fleet values now and on each of the days before, for the sparklines
	trend := make([]map[string]kpi.Row, trendPoints)
	for i := range trend {
		p := params
		p.AsOf, p.Windows, p.By = asOf.Add(-time.Duration(trendPoints-1-i)*24*time.Hour), []kpi.Window{win}, []string{kpi.DimBranch}
		rows, err := w.engine.Compute(ctx, p, kpis...)
		if err != nil {
			return page, err
		}
		trend[i] = map[string]kpi.Row{}
		for _, r := range rows {
			if r.Labels.Branch != kpi.All {
				continue
			}
			if r.KPI == kpi.SLA && (r.Labels.Policy != policy.Name || r.Labels.Target != sla.TargetFirstResponse) {
				continue
			}
			trend[i][r.KPI] = r
		}
	}
	for _, spec := range tileSpecs {
		tile := overview.Tile{Name: spec.name, Unit: spec.unit, HigherIsBetter: spec.higherIsBetter}
		for i, at := range trend {
			r, ok := at[spec.kpi]
			v, has := r.Values[spec.field]
			if !ok || !has {
				continue
			}
			tile.Trend = append(tile.Trend, overview.Point{AsOf: asOf.Add(-time.Duration(trendPoints-1-i) * 24 * time.Hour), Value: v * spec.scale})
			if i == trendPoints-1 {
				tile.Has, tile.Value, tile.N = true, v*spec.scale, r.Values[spec.n]
				if spec.kpi == kpi.NPS {
					tile.HasInterval = true
					tile.Low, tile.High = tile.Value-r.Values["margin_of_error"], tile.Value+r.Values["margin_of_error"]
				}
				if spec.kpi == kpi.SLA {
					tile.N = r.Values["met"] + r.Values["breached"]
				}
			}
		}
		page.Tiles = append(page.Tiles, tile)
	}

	// branch leagues
	leagues := []struct{ kpi, title string }{{"nps", "NPS"}, {"csat", "CSAT"}, {"sla", "SLA attainment, first response"},
		{"punctuality", "Appointments on time"}, {"promise_kept", "Callbacks kept"}}
	for _, l := range leagues {
		if l.kpi == "sla" && !hasPolicy {
			continue
		}
		p := params
		p.AsOf = asOf
		res, err := compare.Compare(ctx, w.engine, p, compare.Options{KPI: l.kpi, Window: win, Policy: policy.Name, Target: sla.TargetFirstResponse})
		if err != nil {
			return page, err
		}
		page.Rankings = append(page.Rankings, ranking(res, l.title, asOf))
	}

	// SLA heatmap, branch × channel
	if hasPolicy {
		p := params
		p.AsOf, p.Windows = asOf, []kpi.Window{win}
		rows, err := w.engine.Compute(ctx, p, kpi.SLA)
		if err != nil {
			return page, err
		}
		page.Heatmap = heatmap(rows, policy, win)
	}
	var err error
	if page.Experience, err = w.experience(ctx, asOf, win); err != nil {
		return page, err
	}
	q := url.Values{"window": {win.Label}, "as_of": {asOf.Format(time.RFC3339)}}
	page.Links = []overview.Link{
		{Title: "KPIs by branch and channel (JSON)", URL: "/api/v1/kpis?" + q.Encode()},
		{Title: "NPS league (JSON)", URL: "/api/v1/compare?kpi=nps&" + q.Encode()},
		{Title: "Retention by service experience (JSON)", URL: "/api/v1/kpis?kpi=" + kpi.Experience + "&" + q.Encode()},
		{Title: "Prometheus metrics", URL: "/metrics"},
	}
	if len(page.Heatmap.Rows) == 0 && !page.Tiles[0].Has {
		page.Notes = append(page.Notes, "No data yet in this window: send events to the events topic (cxpulse produce, or cxpulse demo).")
	}
	return page, nil
}

func ranking(res compare.Result, title string, asOf time.Time) overview.Ranking {
	scale := 1.0
	unit := ""
	switch res.Unit {
	case "ratio":
		scale, unit = 100, "%"
	case "seconds":
		unit = "s"
	}
	q := url.Values{"kpi": {res.KPI}, "window": {res.Window}, "as_of": {asOf.Format(time.RFC3339)}}
	f := res.Standard
	f.Centre, f.Sigma, f.Between = f.Centre*scale, f.Sigma*scale, f.Between*scale*scale
	out := overview.Ranking{KPI: res.KPI, Title: fmt.Sprintf("%s, %s", title, res.Window), Unit: unit,
		HigherIsBetter: res.HigherIsBetter, Standard: f.Centre, Funnel: f, Level: res.Level, FDR: res.FDR,
		APIURL: "/api/v1/compare?" + q.Encode()}
	for _, b := range res.Branches {
		out.Rows = append(out.Rows, overview.RankRow{Branch: b.Branch, N: b.Estimate.N, Value: b.Estimate.Value * scale,
			Low: b.Estimate.Low * scale, High: b.Estimate.High * scale, Shrunk: b.Shrunk * scale,
			Flag: b.Flag, Worse: b.Worse, QValue: b.VsStandard.QValue})
	}
	return out
}

func heatmap(rows []kpi.Row, policy sla.Policy, win kpi.Window) overview.Heatmap {
	h := overview.Heatmap{Title: fmt.Sprintf("SLA attainment, policy %s, first response, %s", policy.Name, win.Label), Objective: policy.Objective}
	cells := map[[2]string]overview.Cell{}
	branches, channels := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		l := r.Labels
		if l.Policy != policy.Name || l.Target != sla.TargetFirstResponse || l.Branch == kpi.All {
			continue
		}
		n := r.Values["met"] + r.Values["breached"]
		v, ok := r.Values["attainment_ratio"]
		cells[[2]string{l.Branch, l.Channel}] = overview.Cell{Has: ok, Value: v, N: n}
		branches[l.Branch], channels[l.Channel] = true, true
	}
	h.Channels = sortedSet(channels)
	for _, b := range sortedSet(branches) {
		row := overview.HeatRow{Branch: b}
		for _, c := range h.Channels {
			row.Cells = append(row.Cells, cells[[2]string{b, c}])
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// sortedSet returns the keys, "all" last.
func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == kpi.All) != (out[j] == kpi.All) {
			return out[j] == kpi.All
		}
		return out[i] < out[j]
	})
	return out
}
