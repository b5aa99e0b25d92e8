package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Newcombe (1998), Stat Med 17:857–872, Table I, method 3 (score without
// continuity correction), published to 4 decimals; the 0/10 and 10/10 edges
// are z²/(n+z²) and n/(n+z²) by hand.
func TestWilsonInterval(t *testing.T) {
	tests := []struct {
		name        string
		x, n, level float64
		low, high   float64
		tol         float64
	}{
		{"Newcombe 81/263", 81, 263, 0, 0.2553, 0.3662, 5e-5},
		{"Newcombe 15/148", 15, 148, 0.95, 0.0624, 0.1605, 5e-5},
		{"Newcombe 0/20", 0, 20, 0.95, 0, 0.1611, 5e-5},
		{"Newcombe 1/29", 1, 29, 0.95, 0.0061, 0.1718, 5e-5},
		{"none of 10", 0, 10, 0.95, 0, 3.841459 / 13.841459, 1e-6},
		{"all of 10", 10, 10, 0.95, 10 / 13.841459, 1, 1e-6},
		{"81/263 at 99 %", 81, 263, 0.99, 0.2401369, 0.3852825, 1e-6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iv := WilsonInterval(tc.x, tc.n, tc.level)
			require.InDelta(t, tc.x/tc.n, iv.Estimate, 1e-12)
			require.InDelta(t, tc.low, iv.Low, tc.tol)
			require.InDelta(t, tc.high, iv.High, tc.tol)
			require.Equal(t, tc.n, iv.N)
			require.Equal(t, MethodWilson, iv.Method)
		})
	}
}

func TestWilsonIntervalEdges(t *testing.T) {
	iv := WilsonInterval(0, 0, 0)
	require.True(t, math.IsNaN(iv.Estimate), "no data, no value")
	require.Equal(t, [2]float64{0, 1}, [2]float64{iv.Low, iv.High})

	// Exactly 0 and 1 at the edges, not 1e-17 outside.
	require.Equal(t, 0.0, WilsonInterval(0, 7, 0).Low)
	require.Equal(t, 1.0, WilsonInterval(7, 7, 0).High)

	require.Panics(t, func() { WilsonInterval(1, 2, 1) })
	require.Panics(t, func() { WilsonInterval(1, 2, -0.5) })
}

// Expected values are the formula of Rocks (2016) worked by hand (a desk
// calculator and a t table), not by this code.
func TestNPSInterval(t *testing.T) {
	tests := []struct {
		name                string
		p, pa, d, level     float64
		estimate, low, high float64
		method              string
	}{
		// p̂ = 50.75/103, d̂ = 20.75/103, SE = 0.0769155, z = 1.959964.
		{"100 answers", 50, 30, 20, 0.95, 30, 14.051130, 44.201297, MethodNPSWaldZ},
		// 20 answers: t(0.975, 19) = 2.093024.
		{"20 answers uses t", 10, 6, 4, 0.95, 30, -7.883117, 60.057030, MethodNPSWaldT},
		// 5 promoters: the upper bound is clamped at 100.
		{"clamped", 5, 0, 0, 0.95, 100, -1.258192, 100, MethodNPSWaldT},
		{"90 %", 120, 50, 30, 0.90, 45, 35.775238, 52.894713, MethodNPSWaldZ},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iv := NPSInterval(tc.p, tc.pa, tc.d, tc.level)
			require.InDelta(t, tc.estimate, iv.Estimate, 1e-9)
			require.InDelta(t, tc.low, iv.Low, 1e-5)
			require.InDelta(t, tc.high, iv.High, 1e-5)
			require.Equal(t, tc.p+tc.pa+tc.d, iv.N)
			require.Equal(t, tc.method, iv.Method)
		})
	}

	empty := NPSInterval(0, 0, 0, 0)
	require.True(t, math.IsNaN(empty.Estimate))
	require.Equal(t, [2]float64{-100, 100}, [2]float64{empty.Low, empty.High})

	// One answer: df would be 0 and is taken as 1; t(0.975, 1) = 12.7
	// leaves the whole range, which is what one answer tells.
	one := NPSInterval(0, 0, 1, 0)
	require.Equal(t, -100.0, one.Estimate)
	require.Equal(t, [2]float64{-100, 100}, [2]float64{one.Low, one.High})
}

// Student's sleep data (Cushny & Peebles 1905, R's `sleep`): the extra hours
// of drug 2 over drug 1 for 10 patients. R's t.test(..., paired = TRUE)
// prints mean 1.58 and the 95 % interval 0.7001142 to 2.4598858.
var sleepDiffs = []float64{1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4}

func TestMeanInterval(t *testing.T) {
	s := Describe(sleepDiffs)
	require.Equal(t, 10.0, s.N)
	require.InDelta(t, 1.58, s.Mean, 1e-12)
	require.InDelta(t, 1.2299955, s.SD, 1e-7)

	iv := MeanInterval(s, 0)
	require.InDelta(t, 1.58, iv.Estimate, 1e-12)
	require.InDelta(t, 0.7001142, iv.Low, 1e-7)
	require.InDelta(t, 2.4598858, iv.High, 1e-7)
	require.Equal(t, MethodStudentT, iv.Method)

	var sum, sq float64
	for _, x := range sleepDiffs {
		sum += x
		sq += x * x
	}
	fromSums := MeanFromSums(10, sum, sq)
	require.InDelta(t, s.Mean, fromSums.Mean, 1e-12)
	require.InDelta(t, s.SD, fromSums.SD, 1e-9)

	one := MeanInterval(MeanSample{N: 1, Mean: 3}, 0)
	require.Equal(t, 3.0, one.Estimate)
	require.True(t, math.IsInf(one.Low, -1) && math.IsInf(one.High, 1))
	require.True(t, math.IsNaN(MeanInterval(MeanSample{}, 0).Estimate))

	// Missing values are not measurements.
	require.Equal(t, s, Describe(append([]float64{math.NaN()}, sleepDiffs...)))
}
