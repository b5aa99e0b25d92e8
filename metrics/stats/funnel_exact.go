package stats

import "math"

// Exact p-values of a small branch at the standard. They are two-sided as
// twice the smaller tail (capped at 1), the convention of the exact
// binomial and sign tests, which is never below the central p-value.

// binomialTwoSided is the two-sided p-value of x successes of n at rate p.
func binomialTwoSided(x, n int, p float64) float64 {
	if n <= 0 {
		return 1
	}
	pmf := make([]float64, n+1)
	for k := range pmf {
		pmf[k] = binomialProb(k, n, p)
	}
	return twoTails(pmf, x)
}

func binomialProb(k, n int, p float64) float64 {
	switch {
	case p <= 0:
		return b2f(k == 0)
	case p >= 1:
		return b2f(k == n)
	}
	return math.Exp(logChoose(n, k) + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// twoTails is 2·min(P(X ≤ x), P(X ≥ x)), capped at 1, for the pmf of X on
// 0…len(pmf)−1.
func twoTails(pmf []float64, x int) float64 {
	var lo, hi float64
	for k, p := range pmf {
		if k <= x {
			lo += p
		}
		if k >= x {
			hi += p
		}
	}
	return math.Min(1, 2*math.Min(lo, hi))
}

// npsTwoSided is the exact two-sided p-value of a branch's net score
// (promoters − detractors) when each of its answers is a promoter with
// probability p₀ and a detractor with d₀, the shares of the standard: on the
// −1…1 scale p₀ − d₀ = centre and p₀ + d₀ − centre² = sigma².
func npsTwoSided(c NPSCounts, centre, sigma float64) float64 {
	n := round(c.N())
	if n == 0 {
		return 1
	}
	s := clamp(sigma*sigma+centre*centre, math.Abs(centre), 1)
	p0, d0 := (s+centre)/2, (s-centre)/2
	q0 := math.Max(0, 1-p0-d0)
	// pmf of the net score + n over 0…2n, one answer at a time: O(n²).
	pmf := make([]float64, 2*n+1)
	pmf[n] = 1
	next := make([]float64, 2*n+1)
	for range n {
		clear(next)
		for k, v := range pmf {
			if v == 0 {
				continue
			}
			next[k] += v * q0
			if k+1 <= 2*n {
				next[k+1] += v * p0
			}
			if k >= 1 {
				next[k-1] += v * d0
			}
		}
		pmf, next = next, pmf
	}
	return twoTails(pmf, round(c.Promoters-c.Detractors)+n)
}

// signTest is the exact sign test of centre as the median of the sorted
// values: the count below it is binomial(n, ½) over the values not equal to
// it (ties at the centre carry no sign).
func signTest(sorted []float64, centre float64) float64 {
	below, above := 0, 0
	for _, v := range sorted {
		switch {
		case v < centre:
			below++
		case v > centre:
			above++
		}
	}
	return binomialTwoSided(below, below+above, 0.5)
}
