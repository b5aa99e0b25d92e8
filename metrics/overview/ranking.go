package overview

import (
	"math"
	"strconv"
	"strings"
)

// Caterpillar chart geometry, in viewBox units: the name and N columns at
// the left, the plot, the flag markers at the right; one row per branch, so
// the chart grows with the fleet.
const (
	catW       = 760
	catNameX   = 8
	catNameMax = 28 // runes shown; the full name is in the tooltip
	catNX      = 228
	catPlotL   = 244
	catPlotR   = 664
	catMarkX   = 676
	catTop     = 44
	catRowH    = 22
	catBottom  = 28
)

// rankingView is a Ranking ready to print as a caterpillar chart.
type rankingView struct {
	ID, KPI, Title, APIURL string
	Caption                string
	W, H                   int
	NameX, NX, MarkX, RowH int
	PlotL, PlotR           int
	PlotTop, PlotBottom    int
	AxisTopY, AxisBottomY  int
	Ticks                  []tickView
	HasFleet               bool
	FleetX, FleetLabel     string
	Rows                   []rankRowView
	Desc                   string
}

type tickView struct {
	X, Label string
}

type rankRowView struct {
	Branch, Name, N string
	Flag            string // "above", "below" or ""
	Class           string // "worse", "better" or "" (not flagged)
	Marker          string // "▼ below", "▲ above" or ""
	Stripe          bool
	Y, CY, TextY    string
	HasInterval     bool
	X1, X2          string
	OpenLow         bool
	OpenHigh        bool
	HasValue        bool
	XV              string
	HasShrunk       bool
	XS              string
	Tip             string
}

func newRankingView(r Ranking, index int) rankingView {
	v := rankingView{
		ID:     "ranking-" + strconv.Itoa(index+1),
		KPI:    r.KPI,
		Title:  r.Title,
		APIURL: r.APIURL,
		W:      catW, PlotL: catPlotL, PlotR: catPlotR,
		NameX: catNameX, NX: catNX, MarkX: catMarkX, RowH: catRowH,
	}
	if v.Title == "" {
		v.Title = r.KPI
	}
	// One display for the whole chart, picked by the largest value.
	var magnitude float64
	for _, row := range r.Rows {
		for _, x := range []float64{row.Value, row.Shrunk} {
			if finite(x) {
				magnitude = math.Max(magnitude, math.Abs(x))
			}
		}
	}
	if finite(r.Fleet) {
		magnitude = math.Max(magnitude, math.Abs(r.Fleet))
	}
	d := displayFor(r.Unit, magnitude)

	lo, hi := math.Inf(1), math.Inf(-1)
	extend := func(x float64) {
		if finite(x) {
			lo, hi = math.Min(lo, x*d.Factor), math.Max(hi, x*d.Factor)
		}
	}
	for _, row := range r.Rows {
		extend(row.Low)
		extend(row.High)
		extend(row.Value)
		extend(row.Shrunk)
	}
	extend(r.Fleet)
	if lo > hi { // nothing finite at all
		lo, hi = 0, 1*d.Factor
	}
	if r.Unit == "%" { // shares never leave [0, 100 %]
		lo, hi = math.Max(lo, 0), math.Min(hi, 100)
	}
	ticks, lo, hi := niceTicks(lo, hi, 5)
	x := func(val float64) float64 {
		return catPlotL + (val-lo)/(hi-lo)*(catPlotR-catPlotL)
	}
	clampX := func(val float64) float64 {
		return math.Max(catPlotL, math.Min(catPlotR, x(val)))
	}
	tickDec := 0
	if len(ticks) > 1 {
		tickDec = max(0, -int(math.Floor(math.Log10(ticks[1]-ticks[0])+1e-9)))
	}
	for _, t := range ticks {
		v.Ticks = append(v.Ticks, tickView{X: coord(x(t)), Label: num(t, tickDec)})
	}
	if len(v.Ticks) > 0 && d.Suffix != "" {
		last := &v.Ticks[len(v.Ticks)-1]
		last.Label = withUnit(last.Label, d.Suffix)
	}

	n := len(r.Rows)
	v.PlotTop = catTop
	v.PlotBottom = catTop + n*catRowH
	v.AxisTopY = catTop - 26
	v.AxisBottomY = v.PlotBottom + 18
	v.H = v.PlotBottom + catBottom
	if finite(r.Fleet) {
		fleet := r.Fleet * d.Factor
		v.HasFleet = true
		v.FleetX = coord(clampX(fleet))
		v.FleetLabel = "fleet " + withUnit(num(fleet, min(tickDec+1, d.MaxDec)), d.Suffix)
	}

	flagged, worse := 0, 0
	for i, row := range r.Rows {
		rv := newRankRow(row, d, i, clampX)
		if rv.Flag != "" {
			flagged++
			if rv.Class == "worse" {
				worse++
			}
		}
		v.Rows = append(v.Rows, rv)
	}
	v.Caption = rankingCaption(r, d, tickDec)
	v.Desc = strconv.Itoa(n) + " branches, best first; " + strconv.Itoa(flagged) +
		" flagged (" + strconv.Itoa(worse) + " worse, " + strconv.Itoa(flagged-worse) + " better than the fleet)"
	return v
}

func newRankRow(row RankRow, d display, i int, x func(float64) float64) rankRowView {
	top := float64(catTop + i*catRowH)
	cy := top + catRowH/2
	rv := rankRowView{
		Branch: row.Branch,
		Name:   shorten(row.Branch, catNameMax),
		N:      count(row.N),
		Stripe: i%2 == 1,
		Y:      coord(top), CY: coord(cy), TextY: coord(cy + 4),
	}
	switch row.Flag {
	case "above":
		rv.Flag, rv.Marker = "above", "▲ above"
	case "below":
		rv.Flag, rv.Marker = "below", "▼ below"
	}
	if rv.Flag != "" {
		rv.Class = "better"
		if row.Worse {
			rv.Class = "worse"
		}
	}
	val, low, high, shrunk := row.Value*d.Factor, row.Low*d.Factor, row.High*d.Factor, row.Shrunk*d.Factor
	dec := decimals(val, halfWidth(val, low, high), d.MaxDec)
	if rv.HasValue = finite(val); rv.HasValue {
		rv.XV = coord(x(val))
	}
	if rv.HasShrunk = finite(shrunk); rv.HasShrunk {
		rv.XS = coord(x(shrunk))
	}
	// An interval with an unknown or unbounded end runs to the chart's edge,
	// drawn dashed.
	if rv.HasInterval = finite(low) || finite(high); rv.HasInterval {
		rv.OpenLow, rv.OpenHigh = !finite(low), !finite(high)
		l, h := low, high
		if rv.OpenLow {
			l = math.Inf(-1)
		}
		if rv.OpenHigh {
			h = math.Inf(1)
		}
		rv.X1, rv.X2 = coord(x(l)), coord(x(h))
	}

	var tip strings.Builder
	tip.WriteString(row.Branch + ": ")
	if rv.HasValue {
		tip.WriteString(withUnit(num(val, dec), d.Suffix))
		if rv.HasInterval {
			tip.WriteString(" (" + withUnit(span(low, high, dec), d.Suffix) + ")")
		}
	} else {
		tip.WriteString("no estimate")
	}
	if rv.HasShrunk {
		tip.WriteString(", shrunk " + withUnit(num(shrunk, dec), d.Suffix))
	}
	tip.WriteString(", n = " + rv.N)
	if rv.Flag != "" {
		tip.WriteString("; " + rv.Flag + " the fleet, " + rv.Class)
	}
	if q := qValue(row.QValue); q != "" {
		tip.WriteString(", q " + q)
	}
	rv.Tip = tip.String()
	return rv
}

// qValue formats a q-value ("= 0.31", "= 0.004", "< 0.001"), "" when
// unknown.
func qValue(q float64) string {
	switch {
	case !finite(q) || q < 0:
		return ""
	case q < 0.001:
		return "< 0.001"
	case q < 0.01:
		return "= " + num(q, 3)
	}
	return "= " + num(q, 2)
}

func rankingCaption(r Ranking, d display, tickDec int) string {
	fleet := "not known"
	if finite(r.Fleet) {
		fleet = withUnit(num(r.Fleet*d.Factor, min(tickDec+1, d.MaxDec)), d.Suffix)
	}
	order := "higher is better"
	if !r.HigherIsBetter {
		order = "lower is better"
	}
	return "Each line is a branch's " + level(r.Level, 0.95) + " confidence interval, " +
		"the dot its own estimate, the hollow circle its estimate shrunk toward the fleet " +
		"(empirical Bayes: the fewer answers, the further it moves). " +
		"The dashed line is the fleet (" + fleet + "). " +
		"▲ above and ▼ below mark branches that differ from the rest of the fleet, " +
		"with the false discovery rate held at " + level(r.FDR, 0.05) + " (Benjamini–Hochberg); " +
		"red is worse, green better. Best first; " + order + "."
}

// niceTicks returns about n (n−2 to 2n) ticks at 1, 2 or 5 × 10^k steps covering
// [lo, hi], and the domain widened to the outer ticks. An empty or
// degenerate range is widened first.
func niceTicks(lo, hi float64, n int) (ticks []float64, dlo, dhi float64) {
	if !finite(lo) || !finite(hi) || lo > hi {
		lo, hi = 0, 1
	}
	if hi-lo < 1e-9*math.Max(1, math.Abs(lo)) {
		pad := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-pad, hi+pad
	}
	// The step is the 1, 2 or 5 × 10^k nearest to an even split.
	raw := (hi - lo) / float64(max(n-1, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var step float64
	switch f := raw / mag; {
	case f < 1.5:
		step = mag
	case f < 3:
		step = 2 * mag
	case f < 7:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	dlo = math.Floor(lo/step+1e-9) * step
	dhi = math.Ceil(hi/step-1e-9) * step
	for i := 0; ; i++ {
		t := dlo + float64(i)*step
		if t > dhi+step/2 {
			break
		}
		// Round away the float noise of dlo + i·step (0.30000000000000004).
		ticks = append(ticks, math.Round(t/step)*step)
	}
	return ticks, dlo, dhi
}
