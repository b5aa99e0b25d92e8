package kpitest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// Tolerances of value comparisons: two values are equal when they differ by
// at most Abs or by at most Rel of the larger magnitude. They absorb float
// rounding (a mean summed in another order), nothing more.
const (
	Rel = 1e-9
	Abs = 1e-9
)

// Equal reports whether two KPI values are equal within Rel and Abs. NaN
// equals nothing: a KPI value is never NaN.
func Equal(want, got float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return false
	}
	d := math.Abs(want - got)
	return d <= Abs || d <= Rel*math.Max(math.Abs(want), math.Abs(got))
}

// RequireRowsMatch checks that every row of want exists in got (by Row.Key)
// with exactly the same set of value fields and equal values (Equal). got may
// hold more rows. On failure it lists every mismatch, one per line (key,
// field, want, got), then fails t.
func RequireRowsMatch(t testing.TB, want, got []kpi.Row) {
	t.Helper()
	report(t, diff(want, got, false), len(want), len(got))
}

// RequireSameRows checks that want and got hold the same set of keys, both
// ways, and that RequireRowsMatch holds; all differences are listed at once.
func RequireSameRows(t testing.TB, want, got []kpi.Row) {
	t.Helper()
	report(t, diff(want, got, true), len(want), len(got))
}

func report(t testing.TB, problems []string, nWant, nGot int) {
	t.Helper()
	if len(problems) == 0 {
		return
	}
	t.Fatalf("KPI rows differ (%d problems; %d rows wanted, %d got):\n  %s",
		len(problems), nWant, nGot, strings.Join(problems, "\n  "))
}

// diff returns one line per problem, sorted by key: rows or fields missing
// on either side, values that differ, duplicate keys, and (when both) rows
// got holds that want does not.
func diff(want, got []kpi.Row, both bool) []string {
	type problem struct{ key, text string }
	var ps []problem
	add := func(key, format string, args ...any) {
		ps = append(ps, problem{key, key + ": " + fmt.Sprintf(format, args...)})
	}
	index := func(rows []kpi.Row, side string) map[string]kpi.Row {
		m := make(map[string]kpi.Row, len(rows))
		for _, r := range rows {
			if _, dup := m[r.Key()]; dup {
				add(r.Key(), "%s holds this key more than once", side)
			}
			m[r.Key()] = r
		}
		return m
	}
	wantBy, gotBy := index(want, "want"), index(got, "got")

	for key, w := range wantBy {
		g, ok := gotBy[key]
		if !ok {
			add(key, "missing row (want %s)", formatValues(w.Values))
			continue
		}
		for _, f := range unionKeys(w.Values, g.Values) {
			wv, inWant := w.Values[f]
			gv, inGot := g.Values[f]
			switch {
			case !inGot:
				add(key, "field %s: want %s, got <absent>", f, formatValue(wv))
			case !inWant:
				add(key, "field %s: want <absent>, got %s", f, formatValue(gv))
			case !Equal(wv, gv):
				add(key, "field %s: want %s, got %s", f, formatValue(wv), formatValue(gv))
			}
		}
	}
	if both {
		for key, g := range gotBy {
			if _, ok := wantBy[key]; !ok {
				add(key, "unexpected row (got %s)", formatValues(g.Values))
			}
		}
	}
	slices.SortStableFunc(ps, func(a, b problem) int { return strings.Compare(a.text, b.text) })
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.text
	}
	return out
}

func unionKeys(a, b map[string]float64) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// formatValue prints a value exactly enough to tell a rounding slip from a
// real difference.
func formatValue(v float64) string { return fmt.Sprintf("%.12g", v) }

func formatValues(vs map[string]float64) string {
	keys := unionKeys(vs, nil)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + formatValue(vs[k])
	}
	return "{" + strings.Join(parts, " ") + "}"
}
