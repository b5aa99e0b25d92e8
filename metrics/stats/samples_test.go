package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSamples(t *testing.T) {
	require.Equal(t, 0.75, Counts{3, 4}.Ratio())
	require.True(t, math.IsNaN(Counts{}.Ratio()))
	require.True(t, math.IsNaN(NPSCounts{}.NPS()))
	require.Equal(t, MeanSample{}, Counts{}.Sample())
	require.Equal(t, MeanSample{}, NPSCounts{}.Sample())

	// 3 of 4 as 1, 1, 1, 0: mean 0.75, SD √(0.75·0.25·4/3) = 0.5.
	require.InDelta(t, 0.5, Counts{3, 4}.Sample().SD, 1e-12)
	// +100, +100, 0, −100: mean 25, SD √((75² + 75² + 25² + 125²)/3).
	nps := NPSCounts{Promoters: 2, Passives: 1, Detractors: 1}.Sample()
	require.Equal(t, 4.0, nps.N)
	require.InDelta(t, 25, nps.Mean, 1e-12)
	require.InDelta(t, math.Sqrt((75*75+75*75+25*25+125*125)/3.0), nps.SD, 1e-9)
	require.Equal(t, Describe([]float64{100, 100, 0, -100}).SD, nps.SD)

	require.Equal(t, MeanSample{}, MeanFromSums(0, 0, 0))
	require.Equal(t, MeanSample{N: 1, Mean: 7}, MeanFromSums(1, 7, 49))
	require.Equal(t, MeanSample{}, Describe([]float64{math.NaN(), math.Inf(1)}))

	// Pooling summaries equals summarising the pooled values.
	a, b := []float64{1, 2, 4, 8}, []float64{3, 5, 30}
	pooled := combine(Describe(a), Describe(b))
	want := Describe(append(append([]float64{}, a...), b...))
	require.Equal(t, want.N, pooled.N)
	require.InDelta(t, want.Mean, pooled.Mean, 1e-12)
	require.InDelta(t, want.SD, pooled.SD, 1e-12)
	require.Equal(t, want, combine(want, MeanSample{}))
}

// A fleet whose branches are exact (no spread within a branch) keeps every
// branch value: there is no noise to shrink away.
func TestShrinkWithoutNoise(t *testing.T) {
	shrunk, prior := Shrink([]MeanSample{{N: 5, Mean: 1}, {N: 5, Mean: 2}, {N: 5, Mean: 6}})
	require.Zero(t, prior.Within)
	for _, s := range shrunk {
		require.Equal(t, 1.0, s.Weight)
		require.InDelta(t, s.Raw, s.Estimate, 1e-12)
	}
}
