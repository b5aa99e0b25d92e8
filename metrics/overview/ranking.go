package overview

import (
	"math"
	"strconv"
	"strings"
)

// layout is the geometry of one caterpillar chart, in viewBox units. Each
// ranking is drawn twice: wide for a laptop (name and N in columns at the
// left of the plot, flag markers at its right, one 22-unit row per branch)
// and narrow for a phone (name, N and flag on a line above each interval,
// the plot across the whole width), so that text stays readable without
// scrolling sideways. CSS shows one of them. Either grows with the fleet.
type layout struct {
	W          int
	NameX, NX  int // NX 0: N follows the name on its line
	NameMax    int // runes shown; the full name is in the tooltip
	PlotL      int
	PlotR      int
	MarkX      int
	MarkAnchor string // text-anchor of the flag marker
	Top        int    // the first row's top
	RowH       int
	LineDY     int // the interval's y in a row
	TextDY     int // the name's baseline in a row
	Bottom     int // below the last row: the bottom axis
}

var (
	wideLayout = layout{W: 760, NameX: 8, NX: 228, NameMax: 28, PlotL: 244, PlotR: 664,
		MarkX: 676, MarkAnchor: "start", Top: 44, RowH: 22, LineDY: 11, TextDY: 15, Bottom: 28}
	narrowLayout = layout{W: 360, NameX: 10, NameMax: 30, PlotL: 22, PlotR: 326,
		MarkX: 350, MarkAnchor: "end", Top: 44, RowH: 34, LineDY: 24, TextDY: 13, Bottom: 28}
)

// rankingView is a Ranking ready to print as caterpillar charts.
type rankingView struct {
	ID, KPI, Title, APIURL string
	Caption                string
	Desc                   string
	HasRows                bool
	Wide, Narrow           chartView
	HasFunnel              bool
	Funnel                 funnelView
}

// chartView is one drawing of a ranking.
type chartView struct {
	layout
	ID                    string // of its <desc>
	Desc                  string // what it shows, for screen readers
	Primary               bool   // the rows carry data-branch and data-flag
	H                     int
	PlotTop, PlotBottom   int
	AxisTopY, AxisBottomY int
	Ticks                 []tickView
	HasFleet              bool
	FleetX, FleetLabel    string
	Rows                  []rankRowView
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

// scale is the value axis of a ranking, in display units.
type scale struct {
	d        display
	lo, hi   float64
	ticks    []float64
	tickDec  int
	fleetDec int
}

func newRankingView(r Ranking, index int) rankingView {
	v := rankingView{
		ID:      "ranking-" + strconv.Itoa(index+1),
		KPI:     r.KPI,
		Title:   r.Title,
		APIURL:  r.APIURL,
		HasRows: len(r.Rows) > 0,
	}
	if v.Title == "" {
		v.Title = r.KPI
	}
	sc := newScale(r)
	v.Wide = newChartView(r, sc, wideLayout)
	v.Wide.ID, v.Wide.Primary = v.ID+"-desc", true
	v.Narrow = newChartView(r, sc, narrowLayout)
	v.Narrow.ID = v.ID + "-desc-narrow"

	flagged, worse := 0, 0
	for _, row := range v.Wide.Rows {
		if row.Flag != "" {
			flagged++
			if row.Class == "worse" {
				worse++
			}
		}
	}
	v.Funnel, v.HasFunnel = newFunnelView(r, v.ID+"-funnel-desc")
	v.Caption = rankingCaption(r, sc)
	v.Desc = v.Title + ": " + strconv.Itoa(len(r.Rows)) + " branches, best first; " + strconv.Itoa(flagged) +
		" flagged (" + strconv.Itoa(worse) + " worse, " + strconv.Itoa(flagged-worse) + " better than the standard)"
	v.Wide.Desc, v.Narrow.Desc = v.Desc, v.Desc
	return v
}

// newScale fits the axis to every finite value of r: intervals, estimates,
// shrunken estimates and the fleet.
func newScale(r Ranking) scale {
	// One display for the whole chart, picked by the largest value.
	var magnitude float64
	for _, row := range r.Rows {
		for _, x := range []float64{row.Value, row.Shrunk} {
			if finite(x) {
				magnitude = math.Max(magnitude, math.Abs(x))
			}
		}
	}
	if finite(r.Standard) {
		magnitude = math.Max(magnitude, math.Abs(r.Standard))
	}
	sc := scale{d: displayFor(r.Unit, magnitude)}

	lo, hi := math.Inf(1), math.Inf(-1)
	extend := func(x float64) {
		if finite(x) {
			lo, hi = math.Min(lo, x*sc.d.Factor), math.Max(hi, x*sc.d.Factor)
		}
	}
	for _, row := range r.Rows {
		extend(row.Low)
		extend(row.High)
		extend(row.Value)
		extend(row.Shrunk)
	}
	extend(r.Standard)
	if lo > hi { // nothing finite at all
		lo, hi = 0, 1
	}
	if r.Unit == "%" { // percentages never leave [0, 100 %]
		lo, hi = math.Max(lo, 0), math.Min(hi, 100)
	}
	sc.ticks, sc.lo, sc.hi = niceTicks(lo, hi, 5)
	if len(sc.ticks) > 1 {
		sc.tickDec = max(0, -int(math.Floor(math.Log10(sc.ticks[1]-sc.ticks[0])+1e-9)))
	}
	sc.fleetDec = min(sc.tickDec+1, sc.d.MaxDec)
	return sc
}

func newChartView(r Ranking, sc scale, l layout) chartView {
	c := chartView{layout: l}
	x := func(val float64) float64 {
		return float64(l.PlotL) + (val-sc.lo)/(sc.hi-sc.lo)*float64(l.PlotR-l.PlotL)
	}
	// clampX keeps every mark inside the plot; ±Inf goes to an edge.
	clampX := func(val float64) float64 {
		return math.Max(float64(l.PlotL), math.Min(float64(l.PlotR), x(val)))
	}
	for _, t := range sc.ticks {
		c.Ticks = append(c.Ticks, tickView{X: coord(x(t)), Label: num(t, sc.tickDec)})
	}
	if len(c.Ticks) > 0 && sc.d.Suffix != "" {
		last := &c.Ticks[len(c.Ticks)-1]
		last.Label = withUnit(last.Label, sc.d.Suffix)
	}

	c.PlotTop = l.Top
	c.PlotBottom = l.Top + len(r.Rows)*l.RowH
	c.AxisTopY = l.Top - 26
	c.AxisBottomY = c.PlotBottom + 18
	c.H = c.PlotBottom + l.Bottom
	if finite(r.Standard) {
		fleet := r.Standard * sc.d.Factor
		c.HasFleet = true
		c.FleetX = coord(clampX(fleet))
		c.FleetLabel = "standard " + withUnit(num(fleet, sc.fleetDec), sc.d.Suffix)
	}
	for i, row := range r.Rows {
		c.Rows = append(c.Rows, newRankRow(row, sc.d, l, i, clampX))
	}
	return c
}

func newRankRow(row RankRow, d display, l layout, i int, x func(float64) float64) rankRowView {
	top := float64(l.Top + i*l.RowH)
	rv := rankRowView{
		Branch: row.Branch,
		Name:   shorten(row.Branch, l.NameMax),
		N:      count(row.N),
		Stripe: i%2 == 1,
		Y:      coord(top), CY: coord(top + float64(l.LineDY)), TextY: coord(top + float64(l.TextDY)),
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
		tip.WriteString("; " + rv.Flag + " the standard, " + rv.Class)
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

func rankingCaption(r Ranking, sc scale) string {
	standard := "not known"
	if finite(r.Standard) {
		standard = withUnit(num(r.Standard*sc.d.Factor, sc.fleetDec), sc.d.Suffix)
	}
	order := "higher is better"
	if !r.HigherIsBetter {
		order = "lower is better"
	}
	return "Each line is a branch's " + level(r.Level, 0.95) + " confidence interval, " +
		"the dot its own estimate, the hollow circle its estimate shrunk toward the standard " +
		"(empirical Bayes: the fewer answers, the further it moves). " +
		"The dashed line is the standard, the typical branch's value (" + standard + "), " +
		"which outlying branches do not drag as they drag the pooled fleet. " +
		"▲ above and ▼ below mark branches that differ from it by more than noise and the usual spread between branches " +
		"(funnel plot with overdispersion, Spiegelhalter 2005), " +
		"with the false discovery rate held at " + level(r.FDR, 0.05) + " (Benjamini–Hochberg); " +
		"red is worse, green better. Ordered by the shrunken estimate, best first; " + order + "."
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
