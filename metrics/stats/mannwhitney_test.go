package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMannWhitney(t *testing.T) {
	tests := []struct {
		name      string
		a, b      []float64
		u, p      float64
		effect    float64
		low, high float64
	}{
		{
			// Hollander & Wolfe (1973), p. 69, the example of R's
			// wilcox.test: W = 35. Normal approximation with continuity
			// correction: z = (|35 − 25| − ½)/√(50·16/12) = 1.1635, two-sided
			// p = 0.2446. Hodges–Lehmann shift 0.305; Moses C =
			// round(25 − 1.96·8.165) = 9, so the 9th smallest and 9th largest
			// of the 50 differences.
			name: "Hollander & Wolfe",
			a:    []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46},
			b:    []float64{1.15, 0.88, 0.90, 0.74, 1.21},
			u:    35, p: 0.2446236, effect: 0.305, low: -0.15, high: 0.76,
		},
		{
			// Ties: the pooled sample has runs of 3 (2), 4 (3), 3 (4) and 2
			// (5), Σ(t³ − t) = 24 + 60 + 24 + 6 = 114, so σ_U =
			// √(72/12·(18 − 114/272)) = 10.2706; U = 16.5,
			// z = (|16.5 − 36| − ½)/σ_U = 1.8500, p = 0.06432.
			name: "ties",
			a:    []float64{1, 2, 2, 3, 3, 3, 4, 8},
			b:    []float64{2, 3, 4, 4, 5, 5, 6, 7, 9},
			u:    16.5, p: 0.0643222, effect: -2, low: -4, high: 0,
		},
		{
			// σ_U = 0: nothing to test, and every difference is 0.
			name: "all tied", a: []float64{5, 5, 5}, b: []float64{5, 5},
			u: 3, p: 1, effect: 0, low: 0, high: 0,
		},
		{
			// n·m = 4: z = (2 − ½)/√(20/12) = 1.1619; even the most extreme
			// ranking has p > 0.05, so
			// Moses' C < 1 and the interval is unbounded.
			name: "too small", a: []float64{1, 2}, b: []float64{3, 4},
			u: 0, p: 0.2452781, effect: -2, low: math.Inf(-1), high: math.Inf(1),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MannWhitney(tc.a, tc.b, 0)
			require.Equal(t, MethodMannWhitney, got.Method)
			require.Equal(t, tc.u, got.Statistic)
			require.InDelta(t, tc.p, got.PValue, 1e-7)
			require.InDelta(t, tc.effect, got.Effect, 1e-12)
			require.InDelta(t, tc.low, got.Low, 1e-12)
			require.InDelta(t, tc.high, got.High, 1e-12)
		})
	}

	// Swapping the samples mirrors everything.
	a, b := tests[0].a, tests[0].b
	ab, ba := MannWhitney(a, b, 0), MannWhitney(b, a, 0)
	require.Equal(t, 50-ab.Statistic, ba.Statistic)
	require.InDelta(t, ab.PValue, ba.PValue, 1e-15)
	require.InDelta(t, -ab.Effect, ba.Effect, 1e-12)
	require.InDelta(t, -ab.High, ba.Low, 1e-12)

	none := MannWhitney([]float64{math.NaN()}, b, 0)
	require.True(t, math.IsNaN(none.PValue))
}

// kth must be exactly the k-th smallest difference, for every k, with ties
// (integer seconds) and without, for either sample being the smaller one,
// whether it searches to the end or sorts what is left.
func TestPairDiffsKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 60 {
		n, m := 1+rng.IntN(25), 1+rng.IntN(25)
		draw := func(k int) []float64 {
			xs := make([]float64, k)
			for i := range xs {
				if round%2 == 0 {
					xs[i] = float64(rng.IntN(8)) * 30 // many ties
				} else {
					xs[i] = rng.ExpFloat64() * 600
				}
			}
			slices.Sort(xs)
			return xs
		}
		x, y := draw(n), draw(m)
		var all []float64
		for _, xi := range x {
			for _, yj := range y {
				all = append(all, xi-yj)
			}
		}
		slices.Sort(all)
		// gather 1 runs the search to its end; 0 sorts small brackets.
		for _, gather := range []int64{1, 0} {
			d := pairDiffs{x: x, y: y, gather: gather}
			for k := int64(1); k <= int64(len(all)); k++ {
				require.Equal(t, all[k-1], d.kth(k), "round %d n=%d m=%d k=%d gather %d", round, n, m, k, gather)
				if k < int64(len(all)) {
					v, next := d.kthPair(k)
					require.Equal(t, [2]float64{all[k-1], all[k]}, [2]float64{v, next}, "pair k=%d gather %d", k, gather)
				}
			}
		}
	}
}

// At a branch-vs-fleet size the search runs its rounds with the default
// gathering: check the order statistics a test asks for, and random ones,
// against the sorted differences.
func TestPairDiffsKthLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	for _, ties := range []bool{true, false} {
		x, y := make([]float64, 40), make([]float64, 3000)
		for _, xs := range [][]float64{x, y} {
			for i := range xs {
				xs[i] = rng.ExpFloat64() * 600
				if ties {
					xs[i] = math.Round(xs[i])
				}
			}
			slices.Sort(xs)
		}
		var all []float64
		for _, xi := range x {
			for _, yj := range y {
				all = append(all, xi-yj)
			}
		}
		slices.Sort(all)
		nm := int64(len(all))
		ks := []int64{1, 2, nm / 2, nm/2 + 1, nm - 1, nm, 58000, nm - 58000 + 1}
		for range 20 {
			ks = append(ks, 1+rng.Int64N(nm))
		}
		for _, k := range ks {
			require.Equal(t, all[k-1], pairDiffs{x: x, y: y}.kth(k), "ties %v k=%d", ties, k)
			// The k-th of y − x is the negated (nm − k + 1)-th of x − y.
			require.Equal(t, -all[nm-k], pairDiffs{x: y, y: x}.kth(k), "mirrored, ties %v k=%d", ties, k)
		}
	}
}

// Under the null hypothesis the p-values must be about uniform: 5 % below
// 0.05, with heavy ties and skew like real response times.
func TestMannWhitneyNullRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const runs = 2000
	rejected := 0
	for range runs {
		a, b := make([]float64, 15), make([]float64, 60)
		for i := range a {
			a[i] = math.Round(rng.ExpFloat64() * 4)
		}
		for i := range b {
			b[i] = math.Round(rng.ExpFloat64() * 4)
		}
		if MannWhitney(a, b, 0).PValue <= 0.05 {
			rejected++
		}
	}
	rate := float64(rejected) / runs
	require.InDelta(t, 0.05, rate, 0.015, "type I error rate %.3f", rate)
}
