package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hand-worked fit of TestShrinkByHand: ȳ = 1.2, SSB = 12.8 over N = 30,
// MSB = 6.4, MSW = 1, τ² = 27/44.
func TestConsistencyByHand(t *testing.T) {
	s := Consistency([]MeanSample{{N: 4, Mean: 0, SD: 1}, {N: 16, Mean: 1, SD: 1}, {N: 10, Mean: 2, SD: 1}, {}})
	require.Equal(t, 3, s.Groups)
	require.InDelta(t, 1.2, s.Mean, 1e-12)
	require.InDelta(t, math.Sqrt(12.8/30), s.SD, 1e-12)
	require.InDelta(t, math.Sqrt(12.8/30)/1.2, s.CV, 1e-12)
	require.InDelta(t, math.Sqrt(27.0/44), s.BetweenSD, 1e-12)
	require.InDelta(t, (27.0/44)/(27.0/44+1), s.BetweenShare, 1e-12)
	require.InDelta(t, 1-1/6.4, s.Reliability, 1e-12)
}

func TestConsistencyEdges(t *testing.T) {
	empty := Consistency(nil)
	require.Zero(t, empty.Groups)
	require.True(t, math.IsNaN(empty.Mean))

	// NPS averaging 0: CV has no meaning.
	nps := Consistency([]MeanSample{
		NPSCounts{Promoters: 10, Detractors: 10}.Sample(),
		NPSCounts{Promoters: 12, Detractors: 12, Passives: 4}.Sample(),
	})
	require.Zero(t, nps.Mean)
	require.True(t, math.IsNaN(nps.CV))
	require.Zero(t, nps.SD)
	require.Zero(t, nps.Reliability)
}

// The seen spread of a fleet with no real differences is all noise, and a
// fleet with real differences shows them; the weighted SD alone cannot tell
// the two apart.
func TestConsistencySeparatesNoiseFromRealSpread(t *testing.T) {
	rng := newRand(4)
	fleet := func(sd float64) Spread {
		groups := make([]MeanSample, 200)
		for i := range groups {
			p := clamp(0.8+rng.NormFloat64()*sd, 0, 1)
			n := logUniform(rng, 5, 300)
			groups[i] = Counts{binomial(rng, n, p), float64(n)}.Sample()
		}
		return Consistency(groups)
	}
	flat, uneven := fleet(0), fleet(0.08)
	t.Logf("flat %+v", flat)
	t.Logf("uneven %+v", uneven)
	require.Greater(t, flat.SD, 0.02, "noise alone spreads the seen values")
	require.Less(t, flat.BetweenSD, 0.02)
	require.Less(t, flat.Reliability, 0.3)
	require.InDelta(t, 0.08, uneven.BetweenSD, 0.02)
	require.Greater(t, uneven.Reliability, 0.5)
	require.Greater(t, uneven.BetweenShare, flat.BetweenShare)
}
