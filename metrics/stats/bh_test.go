package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Benjamini & Hochberg (1995), §4: 15 p-values from a study of myocardial
// infarction treatment. At q = 0.05 the step-up procedure rejects the four
// smallest (0.0095 ≤ 4/15·0.05 while 0.0201 > 5/15·0.05, …, 0.0459 > 9/15·0.05);
// Bonferroni would reject three. The adjusted values are those of R's
// p.adjust(p, "BH").
var bh1995 = []float64{
	0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
	0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000,
}

func TestBenjaminiHochberg(t *testing.T) {
	adjusted, flagged := BenjaminiHochberg(bh1995, 0.05)
	want := []float64{
		0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645,
		0.0765, 0.486, 0.58118182, 0.714875, 0.75323077, 0.81321429, 1,
	}
	require.InDeltaSlice(t, want, adjusted, 1e-8)
	require.Equal(t, []bool{true, true, true, true, false, false, false, false, false, false, false, false, false, false, false}, flagged)

	// The default rate is 0.05; at 0.1 the first nine go.
	_, dflt := BenjaminiHochberg(bh1995, 0)
	require.Equal(t, flagged, dflt)
	_, loose := BenjaminiHochberg(bh1995, 0.1)
	require.Equal(t, 9, count(loose))
}

func TestBenjaminiHochbergOrderAndMissing(t *testing.T) {
	// Order does not matter, and NaN (no data) is not a hypothesis: with it
	// the other values adjust over m = 3, not 4.
	adjusted, flagged := BenjaminiHochberg([]float64{0.04, math.NaN(), 0.01, 0.03}, 0.05)
	require.InDelta(t, 0.04, adjusted[0], 1e-12)
	require.True(t, math.IsNaN(adjusted[1]))
	require.InDelta(t, 0.03, adjusted[2], 1e-12)
	require.InDelta(t, 0.04, adjusted[3], 1e-12)
	require.Equal(t, []bool{true, false, true, true}, flagged)

	adjusted, flagged = BenjaminiHochberg(nil, 0)
	require.Empty(t, adjusted)
	require.Empty(t, flagged)

	require.Panics(t, func() { BenjaminiHochberg(bh1995, 1.5) })
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}
