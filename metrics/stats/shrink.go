package stats

import "math"

// Prior is the fleet's distribution of true branch values of one KPI, fitted
// by the method of moments of the one-way random-effects ANOVA: a branch's
// true value has mean Mean and variance Between (τ²) across the fleet, and
// one answer within a branch varies with variance Within (σ²) around it.
// Groups and N count the branches and answers that entered the fit.
type Prior struct {
	Mean, Between, Within float64
	Groups                int
	N                     float64
}

// Strength is how many answers the prior is worth, m = σ²/τ²: a branch with
// m answers is pulled halfway to the fleet mean. +Inf when τ² is 0 (the
// fleet shows no real differences and every branch is pulled all the way).
func (p Prior) Strength() float64 {
	if p.Between == 0 {
		return math.Inf(1)
	}
	return p.Within / p.Between
}

// Beta is the prior of a proportion KPI as Beta(α, β), α = μm, β = (1 − μ)m,
// the beta-binomial reading of the same fit; the shrunken estimate of x of n
// is then the posterior mean (x + α)/(n + α + β). Both are +Inf when τ² is 0:
// the prior is a point mass at Mean.
func (p Prior) Beta() (alpha, beta float64) {
	m := p.Strength()
	if math.IsInf(m, 1) {
		return m, m
	}
	return p.Mean * m, (1 - p.Mean) * m
}

// Shrunk is one group's raw estimate and its shrunken estimate, in the order
// the groups were given. Weight is the share of the shrunken estimate that
// comes from the group's own answers, n/(n + m); the rest is the fleet mean.
// An empty group has a NaN Raw and the fleet mean as Estimate.
type Shrunk struct {
	N, Raw, Estimate, Weight float64
}

// FitPrior fits Prior to groups (each a branch's mean KPI with its N and SD)
// by the ANOVA method of moments for unbalanced groups:
//
//	MSB = Σ nᵢ(ȳᵢ − ȳ)²/(k − 1), MSW = Σ (nᵢ − 1)sᵢ²/(N − k),
//	n₀ = (N − Σnᵢ²/N)/(k − 1), τ² = max(0, (MSB − MSW)/n₀), σ² = MSW,
//
// then μ = Σ wᵢȳᵢ/Σ wᵢ with wᵢ = 1/(τ² + σ²/nᵢ), the best linear estimate of
// the fleet mean once τ² is known. σ² is pooled over the fleet on purpose: a
// small branch's own SD is too noisy (often 0) to say how noisy it is.
// Empty groups are skipped. With one group, or one answer per group, the
// within variance cannot be told from the between variance, and everything
// is taken as noise (τ² = 0).
func FitPrior(groups []MeanSample) Prior {
	var p Prior
	var sum, sumSq, ssw float64
	for _, g := range groups {
		if g.N > 0 {
			p.Groups++
			p.N += g.N
			sum += g.N * g.Mean
			sumSq += g.N * g.N
			if g.N > 1 {
				ssw += (g.N - 1) * g.SD * g.SD
			}
		}
	}
	if p.Groups == 0 {
		p.Mean = math.NaN()
		return p
	}
	grand := sum / p.N
	p.Mean = grand
	var ssb float64
	for _, g := range groups {
		if g.N > 0 {
			ssb += g.N * (g.Mean - grand) * (g.Mean - grand)
		}
	}
	k := float64(p.Groups)
	switch {
	case p.Groups == 1:
		p.Within = ssw / math.Max(p.N-1, 1)
		return p
	case p.N <= k:
		p.Within = ssb / (k - 1)
		return p
	}
	p.Within = ssw / (p.N - k)
	n0 := (p.N - sumSq/p.N) / (k - 1)
	p.Between = math.Max(0, (ssb/(k-1)-p.Within)/n0)
	if p.Between > 0 {
		var wsum, wy float64
		for _, g := range groups {
			if g.N > 0 {
				w := 1 / (p.Between + p.Within/g.N)
				wsum += w
				wy += w * g.Mean
			}
		}
		p.Mean = wy / wsum
	}
	return p
}

// Shrink fits a Prior to groups and pulls each group's mean towards the fleet
// mean by its weight nᵢτ²/(nᵢτ² + σ²) — little for a branch with thousands
// of answers, most of the way for one with a dozen.
func Shrink(groups []MeanSample) ([]Shrunk, Prior) {
	prior := FitPrior(groups)
	out := make([]Shrunk, len(groups))
	for i, g := range groups {
		s := Shrunk{N: g.N, Raw: math.NaN(), Estimate: prior.Mean}
		if g.N > 0 {
			s.Raw = g.Mean
			s.Weight = weight(g.N, prior)
			s.Estimate = prior.Mean + s.Weight*(g.Mean-prior.Mean)
		}
		out[i] = s
	}
	return out, prior
}

func weight(n float64, p Prior) float64 {
	if p.Within == 0 {
		// No noise within branches: every branch value is exact (or all
		// branches are identical, and then the weight does not matter).
		return 1
	}
	return n * p.Between / (n*p.Between + p.Within)
}

// ShrinkProportions is Shrink for proportion KPIs: the posterior means of the
// beta-binomial model with prior Beta(Prior.Beta()), in [0, 1].
func ShrinkProportions(groups []Counts) ([]Shrunk, Prior) {
	samples := make([]MeanSample, len(groups))
	for i, g := range groups {
		samples[i] = g.Sample()
	}
	return Shrink(samples)
}

// ShrinkNPS is Shrink for NPS, in points: the normal–normal model on the
// −100/0/+100 score with the multinomial within-branch variance.
func ShrinkNPS(groups []NPSCounts) ([]Shrunk, Prior) {
	samples := make([]MeanSample, len(groups))
	for i, g := range groups {
		samples[i] = g.Sample()
	}
	return Shrink(samples)
}
