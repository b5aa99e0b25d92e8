package stats

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultWinsor is the share of z-scores winsorised at each end when the
// overdispersion of a funnel is estimated (Spiegelhalter 2005 uses 10 %).
const DefaultWinsor = 0.1

// Funnel is the standard a fleet screen compares every branch with, and the
// spread the branches show around it once sampling noise is removed: the
// funnel plot of Spiegelhalter (2005) with an additive random-effects
// overdispersion.
//
// Centre is the standard θ₀, the value of the typical branch (a robust
// centre that the outliers do not drag); Sigma is the SD of one answer at
// the standard, so that a branch of n answers has the sampling SE Sigma/√n
// under the null; Phi is the winsorised overdispersion φ̂ (about 1 when the
// branches differ by sampling noise only); Between is τ², the variance of
// the true values of in-control branches around the standard. A branch of n
// answers is in control while it lies within Centre ± z·SE(n).
type Funnel struct {
	Centre  float64 `json:"centre"`
	Sigma   float64 `json:"sigma"`
	Phi     float64 `json:"phi"`
	Between float64 `json:"between"`
	Winsor  float64 `json:"winsor"`
	Groups  int     `json:"groups"`
}

// SE is the SD of a branch of n answers around the standard:
// √(Sigma²/n + τ²). +Inf for n = 0.
func (f Funnel) SE(n float64) float64 {
	if n <= 0 {
		return math.Inf(1)
	}
	return math.Sqrt(f.Sigma*f.Sigma/n + f.Between)
}

// Limits are the funnel's control limits at a two-sided level for a branch
// of n answers (0 selects DefaultLevel; Spiegelhalter draws 0.95 and 0.998).
func (f Funnel) Limits(n, level float64) (lo, hi float64) {
	half := zQuantile(checkLevel(level)) * f.SE(n)
	return f.Centre - half, f.Centre + half
}

// Shrink is the empirical-Bayes estimate of a branch's true value under the
// funnel's random-effects model: the standard plus the share
// τ²/(τ² + Sigma²/n) of the branch's distance from it (Morris 1983). With
// τ² = 0 every branch is estimated at the standard.
func (f Funnel) Shrink(value, n float64) float64 {
	if n <= 0 || math.IsNaN(value) {
		return f.Centre
	}
	return f.Centre + f.weight(n)*(value-f.Centre)
}

func (f Funnel) weight(n float64) float64 {
	s2 := f.Sigma * f.Sigma / n
	if f.Between+s2 == 0 {
		return 1
	}
	return f.Between / (f.Between + s2)
}

// Evidence orders branches the funnel shrinks to the same value: the limit of
// (Shrink − Centre)/τ² as τ² → 0, n·(value − Centre)/Sigma². A league sorted
// by Shrink and then by Evidence is the league of the shrunken estimates for
// any small τ², so that a branch of 8 lucky answers does not lead a flat
// fleet either.
func (f Funnel) Evidence(value, n float64) float64 {
	if n <= 0 || math.IsNaN(value) || f.Sigma == 0 {
		return 0
	}
	return n * (value - f.Centre) / (f.Sigma * f.Sigma)
}

// Methods of a funnel test.
const (
	MethodFunnelZ     = "funnel-z"     // normal z with the random-effects SE
	MethodFunnelExact = "funnel-exact" // small branch: the larger of that and the exact p-value at the standard
)

// Screen is a fleet screen against the standard: one Flag per group, sorted
// by group name, and the Funnel they were tested against. A flag's Test is
// the group minus the standard: Effect is the distance, Low and High its
// in-control range at the level (so a group is outside the funnel when 0 is
// outside [Low, High]... for the effect: Effect ∓ z·SE), PValue the two-sided
// p-value of the overdispersed z, Statistic that z.
type Screen struct {
	Flags  []Flag
	Funnel Funnel
}

// FunnelOptions configures a screen against the standard.
type FunnelOptions struct {
	FDR    float64 // 0: DefaultFDR
	Level  float64 // 0: DefaultLevel
	Winsor float64 // share winsorised at each end; 0: DefaultWinsor; must lie in [0, 0.5)
	// Target, when HasTarget, is the standard itself (an objective such as
	// SLA attainment 0.95) instead of the typical branch.
	Target    float64
	HasTarget bool
}

// unit is one group in a funnel: its size, its indicator, and for small
// groups the exact two-sided p-value of the indicator at a standard (centre,
// sigma), nil where none applies.
type unit struct {
	name  string
	n, y  float64
	exact func(centre, sigma float64) float64
	// exactBelow is the size under which the exact p-value applies.
	exactBelow float64
}

// fitFunnel estimates the standard and the overdispersion of units:
//
//  1. the centre is the weighted median of the branch values with weights
//     1/SEᵢ (the weights that make a weighted median efficient: its variance
//     is then (π/2)/Σ SEᵢ⁻²), so that up to half of the fleet's weight can
//     be outliers in either direction without moving it far;
//  2. zᵢ = (yᵢ − θ₀)/(σ(θ₀)/√nᵢ); the round(w·I) largest and smallest are
//     set to the nearest remaining value, and φ̂ = Σ zᵢ²/(I·κ), where κ is the
//     second moment of a standard normal winsorised at that share (0.68 at
//     10 %), so that φ̂ is 1 on average without overdispersion — Spiegelhalter's
//     uncorrected Σ zᵢ²/I stays near 0.68 then, and would miss an
//     overdispersion below 1.47;
//  3. τ² = max(0, (Iφ̂ − (I − 1))/(Σ wᵢ − Σ wᵢ²/Σ wᵢ)), wᵢ = nᵢ/σ², the
//     DerSimonian–Laird form of Spiegelhalter (2005, §4.2; 2012, §3.3);
//  4. the centre is refitted with weights 1/√(σ²/nᵢ + τ²), and 2–3 repeated
//     three times;
//  5. with a target, the target becomes the centre, the spread staying
//     the fleet's.
func fitFunnel(units []unit, sigmaAt func(centre float64) float64, opt FunnelOptions) Funnel {
	w := opt.Winsor
	if w == 0 {
		w = DefaultWinsor
	}
	if !(w >= 0 && w < 0.5) {
		panic("stats: winsor share outside [0, 0.5)")
	}
	f := Funnel{Winsor: w, Groups: len(units), Centre: math.NaN(), Sigma: math.NaN(), Phi: math.NaN()}
	if len(units) == 0 {
		return f
	}
	f.Centre = weightedMedian(units, func(u unit) float64 { return math.Sqrt(u.n) })
	for range 3 {
		f.Sigma = sigmaAt(f.Centre)
		if !(f.Sigma > 0) {
			break // no noise at all (every answer alike): nothing to weigh by
		}
		f.Phi, f.Between = overdispersion(units, f.Centre, f.Sigma, w)
		f.Centre = weightedMedian(units, func(u unit) float64 { return 1 / f.SE(u.n) })
	}
	f.Sigma = sigmaAt(f.Centre)
	f.Phi, f.Between = overdispersion(units, f.Centre, f.Sigma, w)
	if opt.HasTarget {
		// The spread is the fleet's around its typical branch; measured
		// around a target every branch misses, it would absorb the miss.
		f.Centre, f.Sigma = opt.Target, sigmaAt(opt.Target)
	}
	return f
}

func overdispersion(units []unit, centre, sigma, w float64) (phi, tau2 float64) {
	if sigma == 0 || math.IsNaN(sigma) {
		return math.NaN(), 0
	}
	z := make([]float64, len(units))
	var sw, sw2 float64
	for i, u := range units {
		z[i] = (u.y - centre) / (sigma / math.Sqrt(u.n))
		wi := u.n / (sigma * sigma)
		sw += wi
		sw2 += wi * wi
	}
	zs := slices.Clone(z)
	slices.Sort(zs)
	k := len(zs)
	// The share rounds to whole branches: of 8, the most extreme 10 % is the
	// one at each end (truncating would winsorise none, and one planted
	// outlier would then pass for overdispersion and hide itself).
	cut := min(int(math.Round(w*float64(k))), (k-1)/2)
	lo, hi := zs[cut], zs[k-1-cut]
	var ss float64
	for _, v := range z {
		v = clamp(v, lo, hi)
		ss += v * v
	}
	fk := float64(k)
	phi = ss / fk / winsorisedMoment(float64(cut)/fk)
	if k > 1 && sw > 0 {
		tau2 = math.Max(0, (fk*phi-(fk-1))/(sw-sw2/sw))
	}
	return phi, tau2
}

// winsorisedMoment is E[min(max(Z, −c), c)²] for a standard normal Z and its
// w-quantile −c: (1 − 2w) − 2c·φ(c) + 2w·c².
func winsorisedMoment(w float64) float64 {
	if w == 0 {
		return 1
	}
	c := -distuv.UnitNormal.Quantile(w)
	return (1 - 2*w) - 2*c*distuv.UnitNormal.Prob(c) + 2*w*c*c
}

// weightedMedian is the value where the cumulative weight of the sorted
// values reaches half of the total, averaged over a tie at exactly half.
func weightedMedian(units []unit, weight func(unit) float64) float64 {
	type wv struct{ y, w float64 }
	vs := make([]wv, 0, len(units))
	var total float64
	for _, u := range units {
		w := weight(u)
		if w > 0 && !math.IsInf(w, 0) && !math.IsNaN(w) {
			vs = append(vs, wv{u.y, w})
			total += w
		}
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	slices.SortFunc(vs, func(a, b wv) int { return cmp.Compare(a.y, b.y) })
	var cum float64
	for i, v := range vs {
		cum += v.w
		switch {
		case math.Abs(cum-total/2) <= 1e-12*total && i+1 < len(vs):
			return (v.y + vs[i+1].y) / 2
		case cum > total/2:
			return v.y
		}
	}
	return vs[len(vs)-1].y
}

// screenFunnel fits the funnel and tests every unit against it, the FDR held
// by Benjamini–Hochberg over the fleet.
func screenFunnel(units []unit, sigmaAt func(float64) float64, opt FunnelOptions) Screen {
	level := checkLevel(opt.Level)
	slices.SortFunc(units, func(a, b unit) int { return strings.Compare(a.name, b.name) })
	var fit []unit
	for _, u := range units {
		if u.n > 0 && !math.IsNaN(u.y) {
			fit = append(fit, u)
		}
	}
	f := fitFunnel(fit, sigmaAt, opt)
	q := zQuantile(level)
	names := make([]string, len(units))
	tests := make([]Test, len(units))
	signs := make([]float64, len(units))
	for i, u := range units {
		names[i] = u.name
		if u.n <= 0 || math.IsNaN(u.y) || math.IsNaN(f.Centre) || !(f.Sigma > 0) {
			tests[i] = noTest(MethodFunnelZ)
			continue
		}
		se := f.SE(u.n)
		t := Test{Effect: u.y - f.Centre, Method: MethodFunnelZ}
		t.Low, t.High = t.Effect-q*se, t.Effect+q*se
		t.Statistic = t.Effect / se
		t.PValue = zPValue(t.Statistic)
		if u.exact != nil && u.n < u.exactBelow {
			t.Method = MethodFunnelExact
			t.PValue = math.Max(t.PValue, u.exact(f.Centre, f.Sigma))
		}
		tests[i], signs[i] = t, t.Effect
	}
	return Screen{Flags: flag(names, tests, signs, opt.FDR), Funnel: f}
}

// FunnelProportions screens every group of a proportion KPI against the
// standard of the typical branch (or opt.Target). Under the null a branch of
// n answers has SE √(θ₀(1 − θ₀)/n) (θ₀ kept half an answer of the
// median-size branch from 0 and 1); below 30 answers the p-value is the
// larger of the overdispersed z's and the exact binomial one at θ₀.
func FunnelProportions(groups map[string]Counts, opt FunnelOptions) Screen {
	units := make([]unit, 0, len(groups))
	for name, c := range groups {
		x, n := c.Successes, c.N
		units = append(units, unit{name: name, n: n, y: c.Ratio(), exact: func(centre, _ float64) float64 {
			return binomialTwoSided(round(x), round(n), clamp(centre, 0, 1))
		}, exactBelow: smallSample})
	}
	// A standard of exactly 0 or 1 (every typical branch perfect) would have
	// no noise and make one miss infinitely significant: its SD is taken half
	// an answer of the median-size branch inside the bound.
	sizes := make([]float64, 0, len(units))
	for _, u := range units {
		if u.n > 0 {
			sizes = append(sizes, u.n)
		}
	}
	edge := 0.0
	if len(sizes) > 0 {
		slices.Sort(sizes)
		edge = 0.5 / sizes[len(sizes)/2]
	}
	return screenFunnel(units, func(c float64) float64 {
		c = clamp(c, edge, 1-edge)
		return math.Sqrt(c * (1 - c))
	}, opt)
}

// FunnelNPS screens every group's NPS (points) against the standard of the
// typical branch. One answer's SD is the pooled within-branch SD of the
// −100/0/+100 score; below 30 answers the p-value is the larger of the
// overdispersed z's and the exact one of the trinomial at the standard
// (promoter and detractor shares that give the standard's NPS and SD).
func FunnelNPS(groups map[string]NPSCounts, opt FunnelOptions) Screen {
	units := make([]unit, 0, len(groups))
	samples := make([]MeanSample, 0, len(groups))
	for name, c := range groups {
		units = append(units, unit{name: name, n: c.N(), y: c.NPS(), exact: func(centre, sigma float64) float64 {
			return npsTwoSided(c, centre/100, sigma/100)
		}, exactBelow: smallSample})
		samples = append(samples, c.Sample())
	}
	sigma := pooledWithinSD(samples)
	return screenFunnel(units, func(float64) float64 { return sigma }, opt)
}

// FunnelMedians screens every group's median (of response times, say)
// against the median of the typical branch. A branch median of n values has
// the SE 1/(2f(m)√n) (f the density at the median), and 1/(2f(m)) is
// estimated from the fleet's pooled values as √N times the SE of the pooled
// median read off its distribution-free order-statistic interval (the one
// the medians' intervals use). The p-value is the larger of the
// overdispersed z's and the exact sign test of the standard as median, at
// every size: the median of skewed times approaches its normal limit slowly
// (a null fleet of exponential times flags 8 % of screens on the z alone,
// against the 5 % BH allows).
func FunnelMedians(groups map[string][]float64, opt FunnelOptions) Screen {
	units := make([]unit, 0, len(groups))
	var fleet []float64
	for name, xs := range groups {
		s := sortedFinite(xs)
		fleet = append(fleet, s...)
		u := unit{name: name, n: float64(len(s)), y: math.NaN(), exact: func(centre, _ float64) float64 {
			return signTest(s, centre)
		}, exactBelow: math.Inf(1)}
		if len(s) > 0 {
			u.y = sortedMedian(s)
		}
		units = append(units, u)
	}
	slices.Sort(fleet)
	sigma := medianSigma(fleet)
	return screenFunnel(units, func(float64) float64 { return sigma }, opt)
}

// MedianInterval is the median of xs with a distribution-free interval from
// the binomial order statistics (normal approximation of their ranks): the
// k-th smallest values with k = n/2 ∓ z·√n/2.
func MedianInterval(xs []float64, level float64) Interval {
	s := sortedFinite(xs)
	return medianInterval(s, zQuantile(checkLevel(level)))
}

func medianInterval(s []float64, z float64) Interval {
	n := len(s)
	iv := Interval{Estimate: math.NaN(), Low: math.Inf(-1), High: math.Inf(1), Method: "order-statistics"}
	if n == 0 {
		return iv
	}
	half := z * math.Sqrt(float64(n)) / 2
	lo := max(int(math.Floor(float64(n)/2-half)), 0)
	hi := min(int(math.Ceil(float64(n)/2+half))-1, n-1)
	iv.Estimate, iv.Low, iv.High, iv.N = sortedMedian(s), s[lo], s[hi], float64(n)
	return iv
}

// sortedMedian is the lower median of sorted values, the one the KPI engine
// publishes as p50 (quantileExact).
func sortedMedian(s []float64) float64 { return s[int(math.Ceil(0.5*float64(len(s))))-1] }

// medianSigma is √N·SE of the median of the sorted fleet, the SE read off the
// 95 % order-statistic interval as its width over 2·1.96.
func medianSigma(fleet []float64) float64 {
	if len(fleet) < 2 {
		return math.NaN()
	}
	z := zQuantile(DefaultLevel)
	iv := medianInterval(fleet, z)
	return math.Sqrt(float64(len(fleet))) * (iv.High - iv.Low) / (2 * z)
}

// pooledWithinSD is √MSW of the groups, the SD of one answer within a branch.
func pooledWithinSD(groups []MeanSample) float64 {
	var ssw, n, k float64
	for _, g := range groups {
		if g.N > 0 {
			ssw += (g.N - 1) * g.SD * g.SD
			n += g.N
			k++
		}
	}
	if n <= k {
		return math.NaN()
	}
	return math.Sqrt(ssw / (n - k))
}
