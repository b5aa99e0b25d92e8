package overview

import (
	"math"
	"strings"
)

// tileView is a Tile ready to print.
type tileView struct {
	Name     string
	Has      bool
	Value    string // "22.6"
	Unit     string // "%", "min", …
	Interval string // "± 5.5", "68.1–74.0" or ""
	N        string // "n = 1 234"
	Spark    *sparkView
}

// sparkView is the sparkline of a trend.
type sparkView struct {
	W, H   int
	Points string // polyline points
	LastX  string
	LastY  string
	Class  string // "good", "bad" or "flat": the colour
	Text   string // "▲ +4.1 since 2026-09-01"
	Label  string // the whole trend in words, for the tooltip and screen readers
}

// Sparkline geometry, in viewBox units.
const (
	sparkW, sparkH = 160, 36
	sparkPad       = 3
)

func newTileView(t Tile) tileView {
	d := displayFor(t.Unit, t.Value)
	v := tileView{Name: t.Name, Unit: d.Suffix, Has: t.Has && finite(t.Value)}
	if v.Has {
		val := t.Value * d.Factor
		low, high := t.Low*d.Factor, t.High*d.Factor
		hw := math.NaN()
		if t.HasInterval {
			hw = halfWidth(val, low, high)
		}
		dec := decimals(val, hw, d.MaxDec)
		v.Value = num(val, dec)
		if t.HasInterval {
			// The value keeps the interval's precision: "71.0 ± 2.3".
			v.Interval = interval(val, low, high, dec)
		} else {
			v.Value = trimZeros(v.Value)
		}
		if finite(t.N) {
			v.N = "n = " + count(t.N)
		}
	}
	v.Spark = newSpark(t.Trend, d, t.HigherIsBetter)
	return v
}

// newSpark draws trend as a sparkline, nil with fewer than two finite
// points. Points are placed by time when their instants increase, else
// evenly. The colour says whether the last value is better than the first:
// up is good when higher is better.
func newSpark(trend []Point, d display, higherIsBetter bool) *sparkView {
	pts := make([]Point, 0, len(trend))
	for _, p := range trend {
		if finite(p.Value) {
			pts = append(pts, p)
		}
	}
	if len(pts) < 2 {
		return nil
	}
	byTime := true
	for i := 1; i < len(pts); i++ {
		if !pts[i].AsOf.After(pts[i-1].AsOf) {
			byTime = false
			break
		}
	}
	lo, hi := pts[0].Value, pts[0].Value
	for _, p := range pts {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	span := pts[len(pts)-1].AsOf.Sub(pts[0].AsOf).Seconds()
	x := func(i int) float64 {
		f := float64(i) / float64(len(pts)-1)
		if byTime {
			f = pts[i].AsOf.Sub(pts[0].AsOf).Seconds() / span
		}
		return sparkPad + f*(sparkW-2*sparkPad)
	}
	y := func(v float64) float64 {
		if hi == lo {
			return sparkH / 2
		}
		return sparkH - sparkPad - (v-lo)/(hi-lo)*(sparkH-2*sparkPad)
	}
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(coord(x(i)) + "," + coord(y(p.Value)))
	}
	first, last := pts[0].Value*d.Factor, pts[len(pts)-1].Value*d.Factor
	delta := last - first
	class, arrow, word := "flat", "■", "flat"
	if math.Abs(delta) > 1e-9*math.Max(1, math.Max(math.Abs(first), math.Abs(last))) {
		up := delta > 0
		arrow, word = "▼", "down"
		if up {
			arrow, word = "▲", "up"
		}
		class = "bad"
		if up == higherIsBetter {
			class = "good"
		}
	}
	dec := decimals(last, math.NaN(), d.MaxDec)
	sign := ""
	if delta > 0 {
		sign = "+"
	}
	text := arrow + " " + sign + withUnit(trimZeros(num(delta, dec)), d.Delta)
	label := "trend " + word + ": " + withUnit(trimZeros(num(first, dec)), d.Suffix) +
		" → " + withUnit(trimZeros(num(last, dec)), d.Suffix)
	if byTime {
		since := " since " + pts[0].AsOf.UTC().Format("2006-01-02")
		text += since
		label += since
	}
	lp := len(pts) - 1
	return &sparkView{
		W: sparkW, H: sparkH, Points: b.String(),
		LastX: coord(x(lp)), LastY: coord(y(pts[lp].Value)),
		Class: class, Text: text, Label: label,
	}
}
