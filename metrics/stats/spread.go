package stats

import "math"

// Spread says how evenly the fleet performs on one KPI.
//
// Mean, SD and CV describe the branch values as seen, each weighted by its
// number of answers (so that a branch with 5 answers counts for 5, not for as
// much as one with 5,000): SD = √(Σ nᵢ(ȳᵢ − ȳ)²/Σ nᵢ), CV = SD/|Mean| (NaN
// when Mean is 0; CV suits ratio-scale KPIs such as times and proportions,
// not NPS).
//
// The seen spread mixes real differences with sampling noise. BetweenSD (√τ²
// of FitPrior) is the spread of the true branch values; BetweenShare,
// τ²/(τ² + σ²), is the intraclass correlation, the share of the variance of a
// single answer that lies between branches; Reliability, 1 − MSW/MSB clamped
// at 0, is the share of the spread of branch values that is real rather than
// noise. A league table with a Reliability near 0 is ranking luck.
type Spread struct {
	Mean, SD, CV float64
	BetweenSD    float64
	BetweenShare float64
	Reliability  float64
	Groups       int
}

// Consistency measures the Spread of groups (each a branch's mean KPI with
// its N and SD; use Counts.Sample and NPSCounts.Sample for proportions and
// NPS). Empty groups are skipped; with fewer than two groups the
// between-branch measures are 0.
func Consistency(groups []MeanSample) Spread {
	prior := FitPrior(groups)
	s := Spread{Groups: prior.Groups, BetweenSD: math.Sqrt(prior.Between)}
	if prior.Groups == 0 {
		nan := math.NaN()
		s.Mean, s.SD, s.CV = nan, nan, nan
		return s
	}
	var sum, ssb float64
	for _, g := range groups {
		if g.N > 0 {
			sum += g.N * g.Mean
		}
	}
	s.Mean = sum / prior.N
	for _, g := range groups {
		if g.N > 0 {
			ssb += g.N * (g.Mean - s.Mean) * (g.Mean - s.Mean)
		}
	}
	s.SD = math.Sqrt(ssb / prior.N)
	s.CV = math.NaN()
	if s.Mean != 0 {
		s.CV = s.SD / math.Abs(s.Mean)
	}
	if total := prior.Between + prior.Within; total > 0 {
		s.BetweenShare = prior.Between / total
	}
	if prior.Groups > 1 && ssb > 0 {
		msb := ssb / float64(prior.Groups-1)
		s.Reliability = math.Max(0, 1-prior.Within/msb)
	}
	return s
}
