package web

import (
	"context"
	"fmt"
	"time"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/overview"
)

// experience is the overview's table of retention by service experience
// (KPI retention_experience) as of asOf for window win: every configured
// branch, then the fleet. A branch without customers in the previous window
// has no row from the engine; it is listed with zeros all the same, so that
// the table does not lose branches when the window reaches back before the
// history (the demo's 30 days hold no two 30d windows).
func (w *Server) experience(ctx context.Context, asOf time.Time, win kpi.Window) (overview.Experience, error) {
	out := overview.Experience{Title: fmt.Sprintf("Retention by service experience, %s", win.Label)}
	p := w.params()
	p.AsOf, p.Windows, p.By = asOf, []kpi.Window{win}, []string{kpi.DimBranch}
	rows, err := w.engine.Compute(ctx, p, kpi.Experience)
	if err != nil {
		return out, err
	}
	byBranch := map[string]kpi.Row{}
	branches := map[string]bool{kpi.All: true}
	for b := range p.Regions {
		branches[b] = true
	}
	for _, r := range rows {
		byBranch[r.Labels.Branch], branches[r.Labels.Branch] = r, true
	}
	for _, b := range sortedSet(branches) {
		v := byBranch[b].Values
		row := overview.ExperienceRow{Branch: b, Bad: v["bad_previous"], BadKept: v["bad_retained"],
			Good: v["good_previous"], GoodKept: v["good_retained"]}
		if gap, ok := v["gap"]; ok {
			row.HasGap, row.Gap, row.Low, row.High, row.PValue = true, gap, v["gap_lower"], v["gap_upper"], v["p_value"]
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}
