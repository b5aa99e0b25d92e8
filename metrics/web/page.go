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

// tiles are the KPIs with a tile (their descriptor's Tile), in their places.
func tiles() []kpi.Descriptor {
	var out []kpi.Descriptor
	for _, d := range kpi.Descriptors() {
		if d.Tile != nil {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Tile.Place < out[j].Tile.Place })
	return out
}

// shown is how the page shows a number in unit u: shares as percents.
func shown(u kpi.Unit) (unit string, scale float64) {
	switch u {
	case kpi.Ratio:
		return "%", 100
	case kpi.Percent:
		return "%", 1
	case kpi.Seconds:
		return "s", 1
	}
	return "", 1
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
	specs := tiles()
	kpis := make([]string, 0, len(specs))
	for _, d := range specs {
		kpis = append(kpis, d.Name)
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
			if d, _ := kpi.Describe(r.KPI); d.PerPolicy && (r.Labels.Policy != policy.Name || r.Labels.Target != sla.TargetFirstResponse) {
				continue
			}
			trend[i][r.KPI] = r
		}
	}
	for _, d := range specs {
		spec := d.Tile
		field, _ := d.Field(spec.Value)
		unit, scale := shown(field.Unit)
		tile := overview.Tile{Name: spec.Title, Unit: unit, HigherIsBetter: spec.HigherIsBetter}
		for i, at := range trend {
			r, ok := at[d.Name]
			v, has := r.Values[spec.Value]
			if !ok || !has {
				continue
			}
			tile.Trend = append(tile.Trend, overview.Point{AsOf: asOf.Add(-time.Duration(trendPoints-1-i) * 24 * time.Hour), Value: v * scale})
			if i == trendPoints-1 {
				tile.Has, tile.Value = true, v*scale
				for _, n := range spec.N {
					tile.N += r.Values[n]
				}
				if spec.Margin != "" {
					tile.HasInterval = true
					tile.Low, tile.High = tile.Value-r.Values[spec.Margin], tile.Value+r.Values[spec.Margin]
				}
			}
		}
		page.Tiles = append(page.Tiles, tile)
	}

	// branch leagues, in table order
	for _, d := range kpi.Descriptors() {
		if d.Compare == nil || !d.Compare.League || (d.PerPolicy && !hasPolicy) {
			continue
		}
		p := params
		p.AsOf = asOf
		res, err := compare.Compare(ctx, w.engine, p, compare.Options{KPI: d.Name, Window: win, Policy: policy.Name, Target: sla.TargetFirstResponse})
		if err != nil {
			return page, err
		}
		page.Rankings = append(page.Rankings, ranking(res, d.Tile.Title, asOf))
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
	unit, scale := shown(kpi.Unit(res.Unit))
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
