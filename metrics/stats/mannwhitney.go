package stats

import (
	"math"
	"slices"
)

// MannWhitney compares two samples (response times, delays) with the
// Mann–Whitney U test: normal approximation with tie correction and
// continuity correction, two-sided. Statistic is U of a: the pairs with
// a > b, plus half the ties. Effect is the Hodges–Lehmann shift (the median
// of all differences a_i − b_j) and Low, High its Moses interval; when the
// samples are too small for the level, the interval is [−Inf, +Inf].
// Non-finite values are left out.
//
// The n·m differences are never built (see pairDiffs): their order
// statistics are found by counting over the sorted samples, a few passes of
// O(min(n, m)·log max(n, m)) each, so a branch can be tested against a fleet
// of a million tickets.
func MannWhitney(a, b []float64, level float64) Test {
	level = checkLevel(level)
	x, y := sortedFinite(a), sortedFinite(b)
	return mannWhitneySorted(x, y, tieTerm(x, y), level)
}

// mannWhitneySorted is MannWhitney on sorted finite samples, with the tie
// term Σ(t³ − t) of the pooled sample given, so that a fleet screen computes
// it once for the whole fleet.
func mannWhitneySorted(x, y []float64, ties, level float64) Test {
	if len(x) == 0 || len(y) == 0 {
		return noTest(MethodMannWhitney)
	}
	d := pairDiffs{x: x, y: y}
	n, m := float64(len(x)), float64(len(y))
	nm := n * m
	le, lt := float64(d.countLE(0)), float64(d.countLT(0))
	u := nm - le + (le-lt)/2

	total := n + m
	sigma := math.Sqrt(nm / 12 * ((total + 1) - ties/(total*(total-1))))
	t := Test{Statistic: u, Method: MethodMannWhitney, PValue: 1}
	if sigma > 0 {
		t.PValue = zPValue(math.Max(math.Abs(u-nm/2)-0.5, 0) / sigma)
	}

	k := d.pairs()
	if k%2 == 1 {
		t.Effect = d.kth(k/2 + 1)
	} else {
		below, above := d.kthPair(k / 2)
		t.Effect = (below + above) / 2
	}
	// Moses: the C-th smallest and C-th largest difference, with C from the
	// normal approximation of U's null distribution.
	c := int64(math.Round(nm/2 - zQuantile(level)*sigma))
	t.Low, t.High = math.Inf(-1), math.Inf(1)
	if c >= 1 {
		t.Low, t.High = d.kth(c), d.kth(k-c+1)
	}
	return t
}

func sortedFinite(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if isFinite(x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// tieTerm is Σ(t³ − t) over the groups of equal values in x ∪ y (both sorted).
func tieTerm(x, y []float64) float64 {
	var sum float64
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		v := math.Inf(1)
		if i < len(x) {
			v = x[i]
		}
		if j < len(y) && y[j] < v {
			v = y[j]
		}
		var t float64
		for ; i < len(x) && x[i] == v; i++ {
			t++
		}
		for ; j < len(y) && y[j] == v; j++ {
			t++
		}
		sum += t*t*t - t
	}
	return sum
}
