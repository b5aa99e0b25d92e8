package stats

import "math"

// fisherExact is the two-sided p-value of Fisher's exact test for the 2×2
// table [[a b] [c d]] (rows: groups; columns: successes, failures). Given the
// margins, a is hypergeometric; the p-value sums the probabilities of every
// table no more likely than the observed one. The 1e-7 relative slack keeps
// tables of equal probability, which rounding would split, on the same side
// (R's fisher.test does the same).
func fisherExact(a, b, c, d int) float64 {
	row1, col1, n := a+b, a+c, a+b+c+d
	lo, hi := max(0, row1+col1-n), min(row1, col1)
	logP := func(x int) float64 {
		return logChoose(row1, x) + logChoose(n-row1, col1-x) - logChoose(n, col1)
	}
	observed := logP(a) + math.Log1p(1e-7)
	var p float64
	for x := lo; x <= hi; x++ {
		if lp := logP(x); lp <= observed {
			p += math.Exp(lp)
		}
	}
	return math.Min(p, 1)
}

func logChoose(n, k int) float64 {
	return lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1)
}

func lgamma(n int) float64 {
	v, _ := math.Lgamma(float64(n))
	return v
}

// round turns a whole-number count carried as float64 into an int.
func round(x float64) int { return int(math.Round(x)) }

// npsExact is the two-sided p-value of the exact permutation test of the
// mean −1/0/+1 score of two groups. Given the pooled answers, the answers of
// the group of size n are multivariate hypergeometric; the p-value sums the
// probabilities of every split whose net score (promoters − detractors)
// lies at least as far from its expectation as the observed one. It
// enumerates O(n²) splits, so n is the smaller group.
func npsExact(group, pooled NPSCounts) float64 {
	n := round(group.N())
	pro, det, pas := round(pooled.Promoters), round(pooled.Detractors), round(pooled.Passives)
	total := pro + det + pas
	expect := float64(n) * float64(pro-det) / float64(total)
	observed := math.Abs(group.Promoters - group.Detractors - expect)
	observed -= 1e-7 * math.Max(observed, 1) // splits as extreme up to rounding count
	// log C(pro, a), log C(det, b), log C(pas, c) for a, b, c ≤ n: O(n)
	// log-gammas instead of O(n²).
	lp, ld, lq := logChooseRow(pro, n), logChooseRow(det, n), logChooseRow(pas, n)
	norm := logChoose(total, n)
	var p float64
	for a := max(0, n-det-pas); a <= min(n, pro); a++ {
		for b := max(0, n-a-pas); b <= min(n-a, det); b++ {
			if math.Abs(float64(a-b)-expect) >= observed {
				p += math.Exp(lp[a] + ld[b] + lq[n-a-b] - norm)
			}
		}
	}
	return math.Min(p, 1)
}

// logChooseRow is log C(n, k) for k = 0…upTo (−Inf past n).
func logChooseRow(n, upTo int) []float64 {
	row := make([]float64, upTo+1)
	for k := range row {
		row[k] = math.Inf(-1)
		if k <= n {
			row[k] = logChoose(n, k)
		}
	}
	return row
}
