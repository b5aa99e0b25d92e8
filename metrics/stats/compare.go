package stats

import "math"

// Test is the comparison of two groups, always the first minus the second.
// Effect is the difference in the KPI's scale (ratio for proportions, points
// for NPS, the unit of the mean, the Hodges–Lehmann shift for samples); Low
// and High are the confidence interval of that difference; PValue is
// two-sided; Statistic is the statistic the p-value comes from (z, Welch t,
// Mann–Whitney U of the first group, or for an exact test the first group's
// count whose conditional null distribution it enumerates). A test without
// data in both groups has NaN Effect, PValue and Statistic and an unbounded
// interval.
type Test struct {
	Effect, Low, High float64
	PValue            float64
	Statistic         float64
	Method            string
}

// Test methods.
const (
	MethodTwoProportionZ = "two-proportion-z"
	MethodFisherExact    = "fisher-exact"
	MethodNPSPooledZ     = "nps-pooled-z"
	MethodNPSExact       = "nps-exact"
	MethodWelchT         = "welch-t"
	MethodMannWhitney    = "mann-whitney-u"
)

// cochranMin is Cochran's rule: the z test is trusted when every expected
// cell count is at least 5; below, Fisher's exact test is used.
const cochranMin = 5

// Exact tests are also used when the smaller group has fewer than
// smallSample answers. A fleet screen acts on p-values near 0.05/200, far in
// the tails, where the normal approximation of a skewed small-sample mean
// is too optimistic on one side: 10 NPS answers with 7 detractors, against a
// fleet at 50 % promoters and 20 % detractors, get p = 0.00027 from the z
// test, while their exact probability is 0.00044.

func noTest(method string) Test {
	nan := math.NaN()
	return Test{Effect: nan, Low: math.Inf(-1), High: math.Inf(1), PValue: nan, Statistic: nan, Method: method}
}

// CompareProportions tests whether two proportions differ. The p-value is
// the pooled two-proportion z test, or Fisher's exact test when an expected
// cell count is below 5 or a group has fewer than 30 answers. The interval
// of the difference is Newcombe's hybrid score interval, which stays inside
// [−1, 1] and is sound at 0/n and n/n.
func CompareProportions(a, b Counts, level float64) Test {
	level = checkLevel(level)
	if a.N == 0 || b.N == 0 {
		return noTest(MethodTwoProportionZ)
	}
	pa, pb := a.Successes/a.N, b.Successes/b.N
	t := Test{Effect: pa - pb, Method: MethodTwoProportionZ}

	z := zQuantile(level)
	la, ua := wilson(a.Successes, a.N, z)
	lb, ub := wilson(b.Successes, b.N, z)
	t.Low = t.Effect - math.Hypot(pa-la, ub-pb)
	t.High = t.Effect + math.Hypot(ua-pa, pb-lb)

	pooled := (a.Successes + b.Successes) / (a.N + b.N)
	minExpected := math.Min(a.N, b.N) * math.Min(pooled, 1-pooled)
	if minExpected < cochranMin || math.Min(a.N, b.N) < smallSample {
		t.Method = MethodFisherExact
		t.Statistic = math.Round(a.Successes)
		t.PValue = fisherExact(round(a.Successes), round(a.N-a.Successes), round(b.Successes), round(b.N-b.Successes))
		return t
	}
	se := math.Sqrt(pooled * (1 - pooled) * (1/a.N + 1/b.N))
	t.Statistic = t.Effect / se
	t.PValue = zPValue(t.Statistic)
	return t
}

// CompareNPS tests whether two NPS values differ, as a difference of the
// mean −1/0/+1 scores; Effect and the interval are in points. The p-value is
// a z test with the multinomial variance of both groups pooled, which is the
// variance under the null hypothesis and, unlike a group's own variance,
// never 0 for a small group that happens to be all promoters. When a group
// has fewer than 30 answers it is the exact permutation test of the same
// difference instead, and Statistic is the first group's promoters minus
// detractors. The interval of the difference (within [−200, 200]) adds
// Rocks' pseudo-counts to each group and, below 30 answers in either group,
// uses a t quantile with min(Na, Nb) − 1 degrees of freedom, as NPSInterval
// does for one group.
func CompareNPS(a, b NPSCounts, level float64) Test {
	level = checkLevel(level)
	na, nb := a.N(), b.N()
	if na == 0 || nb == 0 {
		return noTest(MethodNPSPooledZ)
	}
	t := Test{Effect: a.NPS() - b.NPS(), Method: MethodNPSPooledZ}

	da, sa := adjustedNPS(a)
	db, sb := adjustedNPS(b)
	q := zQuantile(level)
	if small := math.Min(na, nb); small < smallSample {
		q = tQuantile(level, math.Max(small-1, 1))
	}
	half := q * math.Hypot(sa, sb)
	t.Low = clamp(100*(da-db-half), -200, 200)
	t.High = clamp(100*(da-db+half), -200, 200)

	pool := a.add(b)
	n := pool.N()
	p, d := pool.Promoters/n, pool.Detractors/n
	v := p + d - (p-d)*(p-d)
	if v <= 0 {
		// Every answer in both groups is the same category: no difference.
		t.Statistic, t.PValue = 0, 1
		return t
	}
	if na < smallSample || nb < smallSample {
		small := a
		if nb < na {
			small = b
		}
		t.Method, t.Statistic = MethodNPSExact, a.Promoters-a.Detractors
		t.PValue = npsExact(small, pool)
		return t
	}
	t.Statistic = t.Effect / 100 / math.Sqrt(v*(1/na+1/nb))
	t.PValue = zPValue(t.Statistic)
	return t
}

// CompareMeans is Welch's t test of two means with the Welch–Satterthwaite
// degrees of freedom, which does not assume equal variances (response times
// of a busy and a quiet branch rarely have them). A group with fewer than two
// values gives a NaN p-value and an unbounded interval.
func CompareMeans(a, b MeanSample, level float64) Test {
	level = checkLevel(level)
	if a.N == 0 || b.N == 0 {
		return noTest(MethodWelchT)
	}
	t := noTest(MethodWelchT)
	t.Effect = a.Mean - b.Mean
	if a.N < 2 || b.N < 2 {
		return t
	}
	va, vb := a.SD*a.SD/a.N, b.SD*b.SD/b.N
	se := math.Sqrt(va + vb)
	if se == 0 {
		// Both groups constant: the difference is known exactly.
		t.Low, t.High, t.Statistic = t.Effect, t.Effect, math.Copysign(math.Inf(1), t.Effect)
		t.PValue = 0
		if t.Effect == 0 {
			t.Statistic, t.PValue = 0, 1
		}
		return t
	}
	df := (va + vb) * (va + vb) / (va*va/(a.N-1) + vb*vb/(b.N-1))
	half := tQuantile(level, df) * se
	t.Low, t.High = t.Effect-half, t.Effect+half
	t.Statistic = t.Effect / se
	t.PValue = tPValue(t.Statistic, df)
	return t
}
