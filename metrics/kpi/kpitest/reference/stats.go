package reference

import (
	"math"
	"sort"
)

// samples is a list of values of which a KPI publishes the mean and
// nearest-rank quantiles.
type samples []float64

// mean is the arithmetic mean; callers only ask for it when len(s) > 0.
func (s samples) mean() float64 {
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return sum / float64(len(s))
}

// quantile is the exact nearest-rank quantile sorted[ceil(q·n)−1] for
// q = pct/100, computed in integers so that q·n never rounds the wrong way.
// Callers only ask for it when len(s) > 0.
func (s samples) quantile(pct int) float64 {
	sorted := append(samples(nil), s...)
	sort.Float64s(sorted)
	n := len(sorted)
	rank := (pct*n + 99) / 100 // ceil(pct·n/100)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// setRatio sets v[name] = num/den, and leaves it out when den is 0.
func setRatio(v map[string]float64, name string, num, den float64) {
	if den != 0 {
		v[name] = num / den
	}
}

// setMean sets v[name] to the mean of s, and leaves it out when s is empty.
func setMean(v map[string]float64, name string, s samples) {
	if len(s) > 0 {
		v[name] = s.mean()
	}
}

// setQuantile sets v[name] to the pct-th percentile of s, and leaves it out
// when s is empty.
func setQuantile(v map[string]float64, name string, s samples, pct int) {
	if len(s) > 0 {
		v[name] = s.quantile(pct)
	}
}

// b2f is 1 for true, 0 for false.
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// sqrt0 is math.Sqrt that treats a tiny negative rounding error as 0.
func sqrt0(x float64) float64 {
	return math.Sqrt(math.Max(x, 0))
}
