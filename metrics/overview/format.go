package overview

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Number formatting for people: never "NaN" or "+Inf" (a value that does not
// exist is shown as a dash), as many decimals as the uncertainty deserves,
// and the unit the reader expects.

// dash stands for a value that does not exist.
const dash = "–"

// nbsp is the narrow no-break space between a number and its unit and
// between groups of thousands (SI style, readable in every locale).
const nbsp = "\u202f"

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// display is how one KPI's values are shown: multiplied by Factor and
// followed by Suffix.
type display struct {
	Factor float64
	Suffix string
	// Delta is the suffix of a difference of two values: percentage points
	// for percent, else Suffix.
	Delta string
	// MaxDec caps the decimals: a tenth of a percent is precise enough for a
	// share on a dashboard.
	MaxDec int
}

// displayFor picks the display of unit for values of about magnitude
// (in the stored unit):
//   - "%": the values are percent already (71.2 for 71.2 %, as the server
//     fills them), shown with at most one decimal; differences of two are
//     percentage points ("pts");
//   - "s": seconds, shown as s, min or h by magnitude;
//   - anything else is shown as is, followed by the unit.
func displayFor(unit string, magnitude float64) display {
	switch unit {
	case "%":
		return display{Factor: 1, Suffix: "%", Delta: "pts", MaxDec: 1}
	case "s":
		m := math.Abs(magnitude)
		switch {
		case finite(m) && m >= 2*3600:
			return display{Factor: 1.0 / 3600, Suffix: "h", Delta: "h", MaxDec: 2}
		case finite(m) && m >= 120:
			return display{Factor: 1.0 / 60, Suffix: "min", Delta: "min", MaxDec: 2}
		}
		return display{Factor: 1, Suffix: "s", Delta: "s", MaxDec: 2}
	}
	return display{Factor: 1, Suffix: unit, Delta: unit, MaxDec: 2}
}

// decimals is the number of decimals for a value v with half-width hw of its
// interval (both in display units): two significant digits of the
// uncertainty ("22.6 ± 5.5", "41 ± 11"), at most maxDec; without an
// interval, 0 decimals from 100 up, 1 from 1 up and 2 below, at most
// maxDec.
func decimals(v, hw float64, maxDec int) int {
	if finite(hw) && hw > 0 {
		d := 1 - int(math.Floor(math.Log10(hw)))
		return min(max(d, 0), maxDec)
	}
	a := math.Abs(v)
	switch {
	case !finite(a) || a >= 100:
		return 0
	case a >= 1 || a == 0:
		return min(1, maxDec)
	}
	return min(2, maxDec)
}

// num formats v with d decimals; a non-finite v is a dash, "-0" is "0".
func num(v float64, d int) string {
	if !finite(v) {
		return dash
	}
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// trimZeros drops a fractional part of only zeros ("71.0" → "71").
func trimZeros(s string) string {
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		return s[:i]
	}
	return s
}

// count formats a sample size: whole numbers with thousands grouped, a
// fractional (weighted) count with one decimal.
func count(n float64) string {
	if !finite(n) {
		return dash
	}
	if n != math.Trunc(n) {
		return strconv.FormatFloat(n, 'f', 1, 64)
	}
	s := strconv.FormatFloat(math.Abs(n), 'f', 0, 64)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nbsp)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// withUnit appends a display suffix to a formatted number.
func withUnit(s, suffix string) string {
	if suffix == "" || s == dash {
		return s
	}
	return s + nbsp + suffix
}

// percent formats a share in [0, 1] as percent with at most one decimal
// ("96.2 %", "95 %").
func percent(v float64) string {
	if !finite(v) {
		return dash
	}
	return withUnit(trimZeros(num(v*100, 1)), "%")
}

// percent1 formats a share in [0, 1] as percent with one decimal, for
// columns of numbers ("97.0 %"); 1 is "100 %".
func percent1(v float64) string {
	if !finite(v) {
		return dash
	}
	if v == 1 {
		return withUnit("100", "%")
	}
	return withUnit(num(v*100, 1), "%")
}

// level formats a confidence level or FDR, 0 meaning def ("95 %").
func level(v, def float64) string {
	if !(v > 0 && v < 1) {
		v = def
	}
	return percent(v)
}

// interval is the text of an interval around value, all in display units
// and formatted with d decimals: "± 5.5" when its halves differ by at most
// a tenth (the larger half is shown, so the range shown is never narrower
// than the real one), else "68.1–74.0"; "≤ 9.0" or "≥ 1.0" with one end
// open; "" when there is none.
func interval(value, low, high float64, d int) string {
	if !finite(low) && !finite(high) {
		return ""
	}
	if finite(value) && finite(low) && finite(high) {
		below, above := value-low, high-value
		if below >= 0 && above >= 0 && math.Abs(below-above) <= 0.1*math.Max(below, above) {
			return "± " + num(math.Max(below, above), d)
		}
	}
	return span(low, high, d)
}

// span is the text of a range: "68.1–74.0", "-26 to 55" when the dash
// would read as a minus sign, "≤ 9.0" or "≥ 1.0" with one end open.
func span(low, high float64, d int) string {
	switch {
	case !finite(low) && !finite(high):
		return dash
	case !finite(low):
		return "≤ " + num(high, d)
	case !finite(high):
		return "≥ " + num(low, d)
	}
	if low < 0 || high < 0 {
		return num(low, d) + " to " + num(high, d)
	}
	return num(low, d) + "–" + num(high, d)
}

// halfWidth is the larger half of an interval around v, NaN when unknown.
func halfWidth(v, low, high float64) float64 {
	hw := math.NaN()
	if finite(v) && finite(low) {
		hw = v - low
	}
	if finite(v) && finite(high) && !(high-v <= hw) {
		hw = high - v
	}
	return hw
}

// shorten cuts s to at most n runes, ending in "…" when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// coord formats an SVG coordinate (always finite: callers clamp).
func coord(v float64) string {
	if !finite(v) {
		v = 0
	}
	return num(v, 1)
}
