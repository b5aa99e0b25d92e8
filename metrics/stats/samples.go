package stats

import "math"

// Counts is a proportion KPI of one group as published: successes out of N
// (satisfied of CSAT responses, met of met+breached, on time of started,
// kept of promised, FCR of resolved). Counts are float64 because KPI rows
// carry float64 values; they are whole numbers.
type Counts struct {
	Successes, N float64
}

// Ratio is Successes/N, NaN when N is 0.
func (c Counts) Ratio() float64 {
	if c.N == 0 {
		return math.NaN()
	}
	return c.Successes / c.N
}

// Sample is the proportion seen as the mean of N answers that are 1 or 0, so
// that shrinkage and consistency treat it like any other mean.
func (c Counts) Sample() MeanSample {
	if c.N == 0 {
		return MeanSample{}
	}
	p := c.Successes / c.N
	return MeanSample{N: c.N, Mean: p, SD: besselSD(p*(1-p), c.N)}
}

// NPSCounts is an NPS row's answers: promoters (9–10), passives (7–8) and
// detractors (0–6).
type NPSCounts struct {
	Promoters, Passives, Detractors float64
}

// N is the number of responses.
func (c NPSCounts) N() float64 { return c.Promoters + c.Passives + c.Detractors }

// NPS is 100·(P − D)/N, NaN when there are no responses.
func (c NPSCounts) NPS() float64 {
	n := c.N()
	if n == 0 {
		return math.NaN()
	}
	return 100 * (c.Promoters - c.Detractors) / n
}

// Sample is NPS seen as the mean of N answers scored +100 (promoter), 0
// (passive) and −100 (detractor): its mean is the NPS and its SD comes from
// the multinomial, 100·√(p + d − (p − d)²) with Bessel's correction.
func (c NPSCounts) Sample() MeanSample {
	n := c.N()
	if n == 0 {
		return MeanSample{}
	}
	p, d := c.Promoters/n, c.Detractors/n
	return MeanSample{N: n, Mean: 100 * (p - d), SD: 100 * besselSD(p+d-(p-d)*(p-d), n)}
}

func (c NPSCounts) add(o NPSCounts) NPSCounts {
	return NPSCounts{c.Promoters + o.Promoters, c.Passives + o.Passives, c.Detractors + o.Detractors}
}

// MeanSample summarises a mean KPI of one group: the number of values, their
// mean and their sample standard deviation (n − 1 in the denominator). Build
// it with Describe from raw values or MeanFromSums from what ClickHouse
// aggregates (count, sum, sum of squares).
type MeanSample struct {
	N, Mean, SD float64
}

// Describe summarises raw values. Non-finite values are left out: a NaN is a
// missing value, not a measurement.
func Describe(xs []float64) MeanSample {
	var n, sum float64
	for _, x := range xs {
		if isFinite(x) {
			n++
			sum += x
		}
	}
	if n == 0 {
		return MeanSample{}
	}
	mean := sum / n
	var ss float64
	for _, x := range xs {
		if isFinite(x) {
			ss += (x - mean) * (x - mean)
		}
	}
	s := MeanSample{N: n, Mean: mean}
	if n > 1 {
		s.SD = math.Sqrt(ss / (n - 1))
	}
	return s
}

// MeanFromSums builds a MeanSample from a count, a sum and a sum of squares.
// The variance (Σx² − (Σx)²/n)/(n − 1) loses precision when the spread is
// tiny next to the mean; a negative result of that cancellation is read as 0.
func MeanFromSums(n, sum, sumSquares float64) MeanSample {
	if n == 0 {
		return MeanSample{}
	}
	s := MeanSample{N: n, Mean: sum / n}
	if n > 1 {
		s.SD = math.Sqrt(math.Max(0, (sumSquares-sum*sum/n)/(n-1)))
	}
	return s
}

// combine pools two samples exactly (Chan, Golub & LeVeque's pairwise
// update), without the cancellation of going through sums of squares.
func combine(a, b MeanSample) MeanSample {
	if a.N == 0 {
		return b
	}
	if b.N == 0 {
		return a
	}
	n := a.N + b.N
	delta := b.Mean - a.Mean
	m2 := (a.N-1)*a.SD*a.SD + (b.N-1)*b.SD*b.SD + delta*delta*a.N*b.N/n
	s := MeanSample{N: n, Mean: a.Mean + delta*b.N/n}
	if n > 1 {
		s.SD = math.Sqrt(m2 / (n - 1))
	}
	return s
}

// besselSD turns a population variance of n values into a sample SD.
func besselSD(populationVar, n float64) float64 {
	if n < 2 || populationVar <= 0 {
		return 0
	}
	return math.Sqrt(populationVar * n / (n - 1))
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
