package overview

import (
	"math"
	"strconv"
	"strings"
)

// The funnel plot: every branch's value (y) against its number of answers
// (x, log scale, since fleets run from a dozen answers to thousands), the
// standard as a line and its 95 % and 99.8 % control limits narrowing as n
// grows. A branch outside the limits differs by more than noise and the
// usual spread between branches; a small branch far from the line but inside
// its wide limits does not. One drawing fits both a laptop and a phone
// (the viewBox scales; the labels are few).

// funnelLayout is the geometry of a funnel plot, in viewBox units.
const (
	funnelW, funnelH         = 560, 300
	funnelL, funnelR         = 56, 544
	funnelT, funnelB         = 16, 262
	funnelSteps              = 48 // points of each limit curve
	funnelZ95, funnelZ998    = 1.959963984540054, 3.090232306167813
	funnelLevel95, funnel998 = 0.95, 0.998
)

type funnelView struct {
	ID, Desc, Caption        string
	W, H, L, R, T, B         int
	XTicks, YTicks           []axisTick
	CentreY, CentreLabel     string
	Lo95, Hi95, Lo998, Hi998 string // polyline points
	Points                   []funnelPoint
	XLabelY, YLabelX         int
}

type axisTick struct {
	X, Y, Label string
}

type funnelPoint struct {
	Branch, CX, CY, Class, Flag, Tip string
}

// newFunnelView lays out r's funnel plot; ok is false when r has none.
func newFunnelView(r Ranking, id string) (funnelView, bool) {
	f := r.Funnel
	if f.Groups == 0 || !finite(f.Centre) || !finite(f.Sigma) || len(r.Rows) == 0 {
		return funnelView{}, false
	}
	v := funnelView{ID: id, W: funnelW, H: funnelH, L: funnelL, R: funnelR, T: funnelT, B: funnelB,
		XLabelY: funnelH - 6, YLabelX: 4}
	d := displayFor(r.Unit, math.Abs(f.Centre))

	// x: log10 of n over whole decades around the branches' sizes
	nMin, nMax := math.Inf(1), 0.0
	for _, row := range r.Rows {
		if row.N > 0 {
			nMin, nMax = math.Min(nMin, row.N), math.Max(nMax, row.N)
		}
	}
	if nMax == 0 {
		return funnelView{}, false
	}
	x0 := math.Floor(math.Log10(nMin))
	x1 := math.Max(math.Ceil(math.Log10(nMax)), x0+1)
	xOf := func(n float64) float64 {
		return funnelL + (math.Log10(n)-x0)/(x1-x0)*(funnelR-funnelL)
	}
	for e := x0; e <= x1; e++ {
		v.XTicks = append(v.XTicks, axisTick{X: coord(xOf(math.Pow(10, e))), Label: count(math.Pow(10, e))})
	}

	// y: the branches' values and the narrowest limits, widened to nice ticks
	lo, hi := f.Centre, f.Centre
	for _, row := range r.Rows {
		if finite(row.Value) && row.N > 0 {
			lo, hi = math.Min(lo, row.Value), math.Max(hi, row.Value)
		}
	}
	l998, h998 := f.Centre-funnelZ998*f.SE(nMax), f.Centre+funnelZ998*f.SE(nMax)
	lo, hi = math.Min(lo, l998), math.Max(hi, h998)
	lo, hi = lo*d.Factor, hi*d.Factor
	if r.Unit == "%" {
		lo, hi = math.Max(lo, 0), math.Min(hi, 100)
	}
	ticks, ylo, yhi := niceTicks(lo, hi, 5)
	rawY := func(val float64) float64 { return funnelB - (val*d.Factor-ylo)/(yhi-ylo)*(funnelB-funnelT) }
	yOf := func(val float64) float64 { return math.Max(funnelT, math.Min(funnelB, rawY(val))) }
	dec := 0
	if len(ticks) > 1 {
		dec = max(0, -int(math.Floor(math.Log10(ticks[1]-ticks[0])+1e-9)))
	}
	for _, t := range ticks {
		v.YTicks = append(v.YTicks, axisTick{Y: coord(funnelB - (t-ylo)/(yhi-ylo)*(funnelB-funnelT)), Label: num(t, dec)})
	}
	if len(v.YTicks) > 0 && d.Suffix != "" {
		last := &v.YTicks[len(v.YTicks)-1]
		last.Label = withUnit(last.Label, d.Suffix)
	}
	v.CentreY = coord(yOf(f.Centre))
	v.CentreLabel = "standard " + withUnit(num(f.Centre*d.Factor, min(dec+1, d.MaxDec)), d.Suffix)

	// the limit curves, evaluated along the log axis; a curve starts where
	// it enters the plot (the limits of a tiny branch lie far outside)
	curve := func(z float64) string {
		var pts []string
		for i := range funnelSteps + 1 {
			n := math.Pow(10, x0+(x1-x0)*float64(i)/funnelSteps)
			if y := rawY(f.Centre + z*f.SE(n)); y >= funnelT && y <= funnelB {
				pts = append(pts, coord(xOf(n))+","+coord(y))
			}
		}
		return strings.Join(pts, " ")
	}
	v.Lo95, v.Hi95 = curve(-funnelZ95), curve(funnelZ95)
	v.Lo998, v.Hi998 = curve(-funnelZ998), curve(funnelZ998)

	outside := 0
	for _, row := range r.Rows {
		if !(row.N > 0) || !finite(row.Value) {
			continue
		}
		p := funnelPoint{Branch: row.Branch, CX: coord(xOf(row.N)), CY: coord(yOf(row.Value)), Flag: row.Flag}
		if row.Flag != "" {
			p.Class = "better"
			if row.Worse {
				p.Class = "worse"
			}
		}
		lo95, hi95 := f.Limits(row.N, funnelLevel95)
		lo998, hi998 := f.Limits(row.N, funnel998)
		if row.Value < lo998 || row.Value > hi998 {
			outside++
		}
		vd := decimals(row.Value*d.Factor, (hi95-lo95)/2*d.Factor, d.MaxDec)
		p.Tip = row.Branch + ": " + withUnit(num(row.Value*d.Factor, vd), d.Suffix) + ", n = " + count(row.N) +
			"; " + level(funnelLevel95, 0) + " limits " + withUnit(span(lo95*d.Factor, hi95*d.Factor, vd), d.Suffix) +
			", " + level(funnel998, 0) + " " + withUnit(span(lo998*d.Factor, hi998*d.Factor, vd), d.Suffix)
		if row.Flag != "" {
			p.Tip += "; " + row.Flag + " the standard, " + p.Class
		}
		v.Points = append(v.Points, p)
	}
	v.Desc = "Funnel plot of " + r.Title + ": " + strconv.Itoa(len(v.Points)) + " branches by number of answers, " +
		strconv.Itoa(outside) + " outside the " + level(funnel998, 0) + " control limits"
	v.Caption = "Funnel plot: each dot is a branch, its value against its number of answers (log scale). " +
		"The line is the standard; the dashed curves are the " + level(funnelLevel95, 0) + " control limits, the dotted ones " + level(funnel998, 0) + ", " +
		"wide for small branches, narrow for big ones, and widened by the spread between in-control branches " +
		"(between-branch SD " + withUnit(num(math.Sqrt(f.Between)*d.Factor, d.MaxDec), d.Suffix) + "). " +
		"Flagged branches are coloured as in the chart beside."
	return v, true
}
