package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWinsorisedMomentMatchesSimulation(t *testing.T) {
	rng := newRand(3)
	c := 1.2815515655446004 // the 0.9 quantile of N(0, 1)
	var sum float64
	const n = 400_000
	for range n {
		z := clamp(rng.NormFloat64(), -c, c)
		sum += z * z
	}
	require.InDelta(t, sum/n, winsorisedMoment(0.1), 0.004)
	require.Equal(t, 1.0, winsorisedMoment(0))
}

func TestWeightedMedian(t *testing.T) {
	us := []unit{{y: 1, n: 1}, {y: 2, n: 1}, {y: 3, n: 1}, {y: 100, n: 1}}
	require.Equal(t, 2.5, weightedMedian(us, func(u unit) float64 { return u.n }))
	us[3].n = 10 // the outlier holds most of the weight: it is the median
	require.Equal(t, 100.0, weightedMedian(us, func(u unit) float64 { return u.n }))
}

func TestExactPValuesAtTheStandard(t *testing.T) {
	// 0 of 5 at 0.8: P = 0.2⁵, doubled.
	require.InDelta(t, 2*math.Pow(0.2, 5), binomialTwoSided(0, 5, 0.8), 1e-15)
	require.Equal(t, 1.0, binomialTwoSided(4, 5, 0.8))
	// the sign test: 1 of 9 values below the standard, one tie left out
	require.InDelta(t, 2*(1+9)/512.0, signTest([]float64{1, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 5), 1e-15)
	// NPS: 3 answers, all detractors, against promoter and detractor shares
	// of 0.5 and 0.2 (NPS 30, σ² = 0.7 − 0.09 = 0.61): P(net −3) = 0.2³.
	require.InDelta(t, 2*0.008, npsTwoSided(NPSCounts{Detractors: 3}, 0.3, math.Sqrt(0.61)), 1e-12)
}

// Ordinary branches whose true NPS varies with an SD of 8 points around 30,
// and 5 % outliers 40 points below: the funnel puts its standard at the
// ordinary branches' centre, not at the pool the outliers drag, and
// estimates the between-branch SD of the ordinary ones.
func TestFunnelEstimatesCentreAndOverdispersion(t *testing.T) {
	rng := newRand(8)
	var centre, tau, pooled float64
	const fleets = 60
	for range fleets {
		groups := map[string]NPSCounts{}
		var all NPSCounts
		for i := range 100 {
			nps := 30 + 8*rng.NormFloat64()
			if i < 5 {
				nps = -10
			}
			// promoter and detractor shares with that NPS and 30 % passives
			p := (0.7 + nps/100) / 2
			c := trinomial(rng, logUniform(rng, 100, 2000), p, 0.7-p)
			groups[branchName(i)] = c
			all = all.add(c)
		}
		s := FunnelNPS(groups, FunnelOptions{})
		centre += s.Funnel.Centre / fleets
		tau += math.Sqrt(s.Funnel.Between) / fleets
		pooled += all.NPS() / fleets
	}
	t.Logf("standard %.2f, between SD %.2f; pooled NPS %.2f", centre, tau, pooled)
	require.InDelta(t, 30, centre, 1.5)
	require.InDelta(t, 8, tau, 2)
	require.Less(t, math.Abs(centre-30), math.Abs(pooled-30), "the pool is dragged by the outliers")
}

// A target replaces the typical branch as the standard.
func TestFunnelTarget(t *testing.T) {
	groups := map[string]Counts{"z": {700, 1000}}
	for i, x := range []float64{900, 910, 890, 905, 895, 903, 897, 899, 901} {
		groups[branchName(i)] = Counts{x, 1000}
	}
	s := FunnelProportions(groups, FunnelOptions{Target: 0.95, HasTarget: true})
	require.Equal(t, 0.95, s.Funnel.Centre)
	for _, f := range s.Flags {
		require.Equal(t, Below, f.Direction, "%s: %+v", f.Group, s.Funnel)
	}
	lo, hi := s.Funnel.Limits(100, 0.95)
	require.Less(t, lo, 0.95)
	require.Greater(t, hi, 0.95)
}

// The shrunken estimate pulls a small branch most of the way to the
// standard and a big one hardly at all; with τ² = 0 everyone is at the
// standard and Evidence orders them as a tiny τ² would.
func TestFunnelShrink(t *testing.T) {
	f := Funnel{Centre: 30, Sigma: 80, Between: 25}
	require.InDelta(t, 30+25/(25+6400/8.0)*70, f.Shrink(100, 8), 1e-9)
	require.InDelta(t, 35, f.Shrink(35, 1e9), 1e-3)
	flat := Funnel{Centre: 30, Sigma: 80}
	require.Equal(t, 30.0, flat.Shrink(100, 8))
	require.Greater(t, flat.Evidence(33, 2000), flat.Evidence(100, 8))
}

// Degenerate fleets keep a standard and never panic: every typical branch
// perfect (a standard of 100 %) still flags a branch at 50 % of 1,000 and
// nobody else; one branch, or no noise at all, flags nobody.
func TestFunnelDegenerateFleets(t *testing.T) {
	perfect := map[string]Counts{"d": {500, 1000}}
	for i := range 9 {
		n := float64(50 * (i + 1))
		perfect[branchName(i)] = Counts{n, n}
	}
	s := FunnelProportions(perfect, FunnelOptions{})
	require.Equal(t, 1.0, s.Funnel.Centre)
	require.Greater(t, s.Funnel.Sigma, 0.0)
	for _, f := range s.Flags {
		require.Equal(t, map[bool]string{true: Below, false: ""}[f.Group == "d"], f.Direction, f.Group)
	}
	one := FunnelNPS(map[string]NPSCounts{"a": {Promoters: 5}}, FunnelOptions{})
	require.Equal(t, 100.0, one.Funnel.Centre)
	require.False(t, one.Flags[0].Flagged())
	flat := FunnelMedians(map[string][]float64{"a": {60, 60, 60}, "b": {60, 60}, "c": {}}, FunnelOptions{})
	require.Equal(t, 60.0, flat.Funnel.Centre)
	for _, f := range flat.Flags {
		require.False(t, f.Flagged(), f.Group)
	}
	require.Empty(t, FunnelProportions(nil, FunnelOptions{}).Flags)
}
