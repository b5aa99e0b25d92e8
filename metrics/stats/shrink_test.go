package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// A fit worked by hand. ȳ = 36/30 = 1.2; SSB = 4·1.44 + 16·0.04 + 10·0.64 =
// 12.8, MSB = 6.4; MSW = 27/27 = 1; n₀ = (30 − 372/30)/2 = 8.8;
// τ² = (6.4 − 1)/8.8 = 27/44. Weights 1/(τ² + 1/n) give μ = 1.0602698.
func TestShrinkByHand(t *testing.T) {
	groups := []MeanSample{{N: 4, Mean: 0, SD: 1}, {N: 16, Mean: 1, SD: 1}, {N: 10, Mean: 2, SD: 1}, {}}
	shrunk, prior := Shrink(groups)
	require.Equal(t, 3, prior.Groups)
	require.Equal(t, 30.0, prior.N)
	require.InDelta(t, 1.0, prior.Within, 1e-12)
	require.InDelta(t, 27.0/44, prior.Between, 1e-12)
	require.InDelta(t, 1.0602698098, prior.Mean, 1e-9)
	require.InDelta(t, 44.0/27, prior.Strength(), 1e-12)

	want := []Shrunk{
		{N: 4, Raw: 0, Estimate: 0.3069202081, Weight: 4 / (4 + 44.0/27)},
		{N: 16, Raw: 1, Estimate: 1.0055711589, Weight: 16 / (16 + 44.0/27)},
		{N: 10, Raw: 2, Estimate: 1.8683180625, Weight: 10 / (10 + 44.0/27)},
	}
	for i, w := range want {
		require.Equal(t, w.N, shrunk[i].N)
		require.Equal(t, w.Raw, shrunk[i].Raw)
		require.InDelta(t, w.Estimate, shrunk[i].Estimate, 1e-9)
		require.InDelta(t, w.Weight, shrunk[i].Weight, 1e-12)
	}
	// An empty group has no raw value and gets the fleet mean.
	require.True(t, math.IsNaN(shrunk[3].Raw))
	require.Equal(t, prior.Mean, shrunk[3].Estimate)
	require.Zero(t, shrunk[3].Weight)
}

func TestShrinkNoRealDifferences(t *testing.T) {
	// Branch values closer together than noise allows: τ² = 0, every branch
	// is the fleet mean.
	groups := []Counts{{41, 50}, {40, 50}, {39, 50}}
	shrunk, prior := ShrinkProportions(groups)
	require.Zero(t, prior.Between)
	require.True(t, math.IsInf(prior.Strength(), 1))
	alpha, beta := prior.Beta()
	require.True(t, math.IsInf(alpha, 1) && math.IsInf(beta, 1))
	for _, s := range shrunk {
		require.InDelta(t, 0.8, s.Estimate, 1e-12)
		require.Zero(t, s.Weight)
	}

	one, prior := ShrinkProportions([]Counts{{3, 4}})
	require.Equal(t, 0.75, one[0].Estimate)
	require.Equal(t, 1, prior.Groups)
	require.True(t, math.IsNaN(FitPrior(nil).Mean))
}

// The case: a branch with 12 answers, all satisfied, must not top the
// league by luck over a big branch at 94 %.
func TestShrinkProportionsLeague(t *testing.T) {
	groups := []Counts{{12, 12}, {470, 500}}
	for i := range 20 {
		groups = append(groups, Counts{Successes: float64(320 + 2*i), N: 400}) // 80 % … 89.5 %
	}
	shrunk, prior := ShrinkProportions(groups)
	require.Greater(t, prior.Between, 0.0)
	tiny, big := shrunk[0], shrunk[1]
	require.Equal(t, 1.0, tiny.Raw)
	require.Less(t, tiny.Weight, 0.5, "12 answers are outweighed by the prior")
	require.Less(t, tiny.Estimate, big.Estimate, "the big branch tops the shrunken league")
	for _, s := range shrunk[2:] {
		require.Less(t, s.Estimate, big.Estimate)
	}

	// The beta-binomial reading: the shrunken value is the posterior mean
	// (x + α)/(n + α + β).
	alpha, beta := prior.Beta()
	require.InDelta(t, (12+alpha)/(12+alpha+beta), tiny.Estimate, 1e-12)
	require.InDelta(t, prior.Strength(), alpha+beta, 1e-9)
}

// Simulated fleets with known true values: shrinkage must move every branch
// towards the fleet mean and cut the error against the truth, most of all for
// small branches.
func TestShrinkReducesErrorProportions(t *testing.T) {
	rng := newRand(1)
	truth := distuv.Beta{Alpha: 50.4, Beta: 12.6, Src: rng} // mean 0.8, SD 0.05
	var rawSE, shrunkSE, rawSmall, shrunkSmall, between float64
	const fleets, branches = 40, 200
	for range fleets {
		theta := make([]float64, branches)
		groups := make([]Counts, branches)
		for i := range groups {
			theta[i] = truth.Rand()
			n := logUniform(rng, 3, 500)
			groups[i] = Counts{binomial(rng, n, theta[i]), float64(n)}
		}
		shrunk, prior := ShrinkProportions(groups)
		between += prior.Between / fleets
		for i, s := range shrunk {
			require.LessOrEqual(t, math.Abs(s.Estimate-prior.Mean), math.Abs(s.Raw-prior.Mean)+1e-12)
			rawErr, shrunkErr := (s.Raw-theta[i])*(s.Raw-theta[i]), (s.Estimate-theta[i])*(s.Estimate-theta[i])
			rawSE += rawErr
			shrunkSE += shrunkErr
			if s.N < 20 {
				rawSmall += rawErr
				shrunkSmall += shrunkErr
			}
		}
	}
	t.Logf("MSE ratio shrunk/raw: all %.3f, n<20 %.3f; mean τ² %.5f (true 0.0025)",
		shrunkSE/rawSE, shrunkSmall/rawSmall, between)
	require.Less(t, shrunkSE/rawSE, 0.3)
	require.Less(t, shrunkSmall/rawSmall, 0.2)
	require.InDelta(t, 0.0025, between, 0.0005, "τ² is recovered")
}

func TestShrinkReducesErrorNPS(t *testing.T) {
	rng := newRand(2)
	var rawSE, shrunkSE float64
	const fleets, branches = 40, 200
	for range fleets {
		truth := make([]float64, branches)
		groups := make([]NPSCounts, branches)
		for i := range groups {
			// True shares vary around 50 % promoters, 20 % detractors: the
			// true NPS has mean 30 and SD about 10 points.
			shift := clamp(rng.NormFloat64()*0.05, -0.15, 0.15)
			p, d := 0.5+shift, 0.2-shift
			truth[i] = 100 * (p - d)
			groups[i] = trinomial(rng, logUniform(rng, 3, 500), p, d)
		}
		shrunk, prior := ShrinkNPS(groups)
		for i, s := range shrunk {
			require.LessOrEqual(t, math.Abs(s.Estimate-prior.Mean), math.Abs(s.Raw-prior.Mean)+1e-9)
			rawSE += (s.Raw - truth[i]) * (s.Raw - truth[i])
			shrunkSE += (s.Estimate - truth[i]) * (s.Estimate - truth[i])
		}
	}
	t.Logf("NPS MSE ratio shrunk/raw %.3f", shrunkSE/rawSE)
	require.Less(t, shrunkSE/rawSE, 0.3)
}
