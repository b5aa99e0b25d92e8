package stats

import "math"

// Interval is a KPI value of one group with its confidence interval.
// Estimate is the plain KPI value as published (x/n, the NPS, the mean);
// Low and High bound the true value at the requested level; N is the sample
// size; Method names how the bounds were computed.
type Interval struct {
	Estimate, Low, High float64
	N                   float64
	Method              string
}

// Interval methods.
const (
	MethodWilson     = "wilson"
	MethodNPSWaldZ   = "adjusted-wald-z"
	MethodNPSWaldT   = "adjusted-wald-t"
	MethodStudentT   = "student-t"
	MethodNoInterval = "none" // too little data for any interval
)

// Rocks' pseudo-counts: ¾ promoter and ¾ detractor, and 3/2 passives, so that
// N grows by 3.
const (
	npsPseudoCount    = 0.75
	npsPseudoResponse = 3
)

// WilsonInterval is the Wilson score interval for successes out of n, in
// [0, 1]. With n = 0 it is [0, 1] around a NaN estimate: no data, no value.
func WilsonInterval(successes, n, level float64) Interval {
	level = checkLevel(level)
	iv := Interval{Estimate: math.NaN(), Low: 0, High: 1, N: n, Method: MethodWilson}
	if n == 0 {
		return iv
	}
	iv.Estimate = successes / n
	iv.Low, iv.High = wilson(successes, n, zQuantile(level))
	return iv
}

// wilson returns the score bounds for critical value z. The bounds at 0/n
// and n/n are set exactly: rounding would otherwise leave 1e-17 outside.
func wilson(x, n, z float64) (lo, hi float64) {
	z2 := z * z
	centre := (x + z2/2) / (n + z2)
	half := z / (n + z2) * math.Sqrt(x*(n-x)/n+z2/4)
	lo, hi = clamp(centre-half, 0, 1), clamp(centre+half, 0, 1)
	if x <= 0 {
		lo = 0
	}
	if x >= n {
		hi = 1
	}
	return lo, hi
}

// NPSInterval is the adjusted-Wald interval of Rocks (2016) for the NPS of
// the given answers, in points and clamped to [−100, 100]. Estimate is the
// plain NPS; the interval is centred on the adjusted one, which is pulled
// towards 0 for small N — that pull is what gives it its coverage. Below 30
// responses the critical value is Student t with N − 1 degrees of freedom
// (at least 1).
func NPSInterval(promoters, passives, detractors, level float64) Interval {
	level = checkLevel(level)
	c := NPSCounts{promoters, passives, detractors}
	n := c.N()
	iv := Interval{Estimate: c.NPS(), Low: -100, High: 100, N: n, Method: MethodNPSWaldZ}
	if n == 0 {
		return iv
	}
	diff, se := adjustedNPS(c)
	q := zQuantile(level)
	if n < smallSample {
		q = tQuantile(level, math.Max(n-1, 1))
		iv.Method = MethodNPSWaldT
	}
	iv.Low = clamp(100*(diff-q*se), -100, 100)
	iv.High = clamp(100*(diff+q*se), -100, 100)
	return iv
}

// adjustedNPS returns Rocks' adjusted p̂ − d̂ (on the −1…1 scale) and its
// standard error.
func adjustedNPS(c NPSCounts) (diff, se float64) {
	m := c.N() + npsPseudoResponse
	p := (c.Promoters + npsPseudoCount) / m
	d := (c.Detractors + npsPseudoCount) / m
	return p - d, math.Sqrt((p + d - (p-d)*(p-d)) / m)
}

// MeanInterval is the Student t interval mean ± t·SD/√n with n − 1 degrees
// of freedom. With fewer than two values the SD says nothing and the
// interval is [−Inf, +Inf].
func MeanInterval(s MeanSample, level float64) Interval {
	level = checkLevel(level)
	iv := Interval{Estimate: s.Mean, Low: math.Inf(-1), High: math.Inf(1), N: s.N, Method: MethodNoInterval}
	if s.N == 0 {
		iv.Estimate = math.NaN()
		return iv
	}
	if s.N < 2 {
		return iv
	}
	half := tQuantile(level, s.N-1) * s.SD / math.Sqrt(s.N)
	iv.Low, iv.High, iv.Method = s.Mean-half, s.Mean+half, MethodStudentT
	return iv
}
