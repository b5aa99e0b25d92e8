package overview

// amberBand is how far below the objective a cell is amber, not red: 5
// percentage points.
const amberBand = 0.05

// heatmapView is the Heatmap ready to print as a table.
type heatmapView struct {
	Title     string
	Channels  []string
	Rows      []heatRowView
	Objective string // "95 %", "" without one
	Amber     string // "90 %": the lower end of the amber band
}

type heatRowView struct {
	Branch string
	Cells  []heatCellView
}

type heatCellView struct {
	Class string // "ok", "warn", "bad", "plain" (no objective) or "none" (no tickets)
	Text  string
	Tip   string
}

func newHeatmapView(h Heatmap) heatmapView {
	v := heatmapView{Title: h.Title, Channels: h.Channels}
	if v.Title == "" {
		v.Title = "SLA attainment"
	}
	hasObjective := h.Objective > 0 && h.Objective <= 1
	if hasObjective {
		v.Objective = percent(h.Objective)
		v.Amber = percent(max(h.Objective-amberBand, 0))
	}
	if len(h.Channels) == 0 {
		return v
	}
	for _, row := range h.Rows {
		rv := heatRowView{Branch: row.Branch}
		for i, ch := range h.Channels {
			var c Cell
			if i < len(row.Cells) {
				c = row.Cells[i]
			}
			rv.Cells = append(rv.Cells, newHeatCell(row.Branch, ch, c, h.Objective, hasObjective))
		}
		v.Rows = append(v.Rows, rv)
	}
	return v
}

func newHeatCell(branch, channel string, c Cell, objective float64, hasObjective bool) heatCellView {
	where := branch + " · " + channel + ": "
	if !c.Has || !finite(c.Value) {
		return heatCellView{Class: "none", Text: dash, Tip: where + "no tickets"}
	}
	cv := heatCellView{Class: "plain", Text: percent1(c.Value)}
	// Compare with a little slack so that 0.95 computed as 0.9499999999 is met.
	const eps = 1e-9
	tip := where + cv.Text + " met, n = " + count(c.N)
	if hasObjective {
		switch {
		case c.Value >= objective-eps:
			cv.Class = "ok"
			tip += ", meets the objective of " + percent(objective)
		case c.Value >= objective-amberBand-eps:
			cv.Class = "warn"
			tip += ", within 5 points below the objective of " + percent(objective)
		default:
			cv.Class = "bad"
			tip += ", below the objective of " + percent(objective)
		}
	}
	cv.Tip = tip
	return cv
}
