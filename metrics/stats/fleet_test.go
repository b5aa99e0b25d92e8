package stats

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFlagProportionsSmallFleet(t *testing.T) {
	groups := map[string]Counts{
		"praha-1":   {400, 500},
		"praha-2":   {392, 490},
		"plzen":     {405, 500},
		"liberec":   {398, 500},
		"olomouc":   {402, 505},
		"pardubice": {396, 495},
		"brno-1":    {300, 500}, // 60 % where the rest is near 80 %
		"ostrava":   {11, 12},   // 92 % of 12: luck, not a finding
	}
	flags := FlagProportions(groups, FleetOptions{})
	names := make([]string, len(flags))
	for i, f := range flags {
		names[i] = f.Group
	}
	require.True(t, slices.IsSorted(names), "stable order: by group name")

	byName := map[string]Flag{}
	for _, f := range flags {
		byName[f.Group] = f
	}
	require.Equal(t, Below, byName["brno-1"].Direction)
	require.True(t, byName["brno-1"].Flagged())
	for _, name := range []string{"praha-1", "praha-2", "plzen", "liberec", "olomouc", "pardubice", "ostrava"} {
		require.False(t, byName[name].Flagged(), name)
		require.Empty(t, byName[name].Direction, name)
	}

	// Each group is compared with the fleet minus itself.
	rest := Counts{400 + 392 + 405 + 398 + 402 + 396 + 11, 500 + 490 + 500 + 500 + 505 + 495 + 12}
	require.Equal(t, CompareProportions(groups["brno-1"], rest, 0), byName["brno-1"].Test)
	require.Equal(t, MethodFisherExact, byName["ostrava"].Test.Method)
}

func TestFlagMeansMatchesPooledRest(t *testing.T) {
	raw := map[string][]float64{
		"a": {4, 5, 5, 4, 5, 4, 5, 5},
		"b": {3, 4, 4, 3, 4, 4, 3, 4, 4},
		"c": {1, 2, 2, 1, 2, 1, 2, 2, 1, 2, 2},
		"d": {4, 4, 5, 4, 3, 4},
	}
	groups := map[string]MeanSample{}
	for name, xs := range raw {
		groups[name] = Describe(xs)
	}
	flags := FlagMeans(groups, FleetOptions{FDR: 0.05})
	require.Len(t, flags, 4)
	for _, f := range flags {
		var rest []float64
		for name, xs := range raw {
			if name != f.Group {
				rest = append(rest, xs...)
			}
		}
		want := CompareMeans(groups[f.Group], Describe(rest), 0)
		require.InDelta(t, want.Effect, f.Test.Effect, 1e-12, f.Group)
		require.InDelta(t, want.PValue, f.Test.PValue, 1e-12, f.Group)
		require.InDelta(t, want.Low, f.Test.Low, 1e-12, f.Group)
	}
	require.Equal(t, Below, flags[2].Direction, "c scores 1–2 where the rest scores 3–5")
}

func TestFlagSamplesMatchesMannWhitney(t *testing.T) {
	rng := newRand(9)
	groups := map[string][]float64{}
	for i := range 12 {
		xs := make([]float64, logUniform(rng, 3, 80))
		for j := range xs {
			xs[j] = math.Round(rng.ExpFloat64() * 300)
		}
		groups[branchName(i)] = xs
	}
	groups[branchName(12)] = []float64{math.NaN()} // no finite data
	flags := FlagSamples(groups, FleetOptions{})
	for _, f := range flags[:12] {
		var rest []float64
		for name, xs := range groups {
			if name != f.Group {
				rest = append(rest, xs...)
			}
		}
		want := MannWhitney(groups[f.Group], rest, 0)
		require.Equal(t, want.Statistic, f.Test.Statistic, f.Group)
		require.InDelta(t, want.PValue, f.Test.PValue, 1e-12, f.Group)
		require.Equal(t, want.Effect, f.Test.Effect, f.Group)
		require.Equal(t, want.Low, f.Test.Low, f.Group)
		require.Equal(t, want.High, f.Test.High, f.Group)
	}
	require.True(t, math.IsNaN(flags[12].QValue))
	require.False(t, flags[12].Flagged())
}

// Fleets of 200 branches with 5 to 2,000 answers; the first 10 are planted
// with a truly lower CSAT share (65 % against 80 %) and 200 to 1,000 answers.
func TestFlagProportionsSimulatedFleets(t *testing.T) {
	run := func(seed uint64, plant bool, fleets int) screen {
		rng := newRand(seed)
		runs := make([]screen, fleets)
		for r := range runs {
			sim, groups := newSimFleet(), map[string]Counts{}
			for i := range simBranches {
				p, n := 0.80, logUniform(rng, 5, 2000)
				isPlanted := plant && i < simPlanted
				if isPlanted {
					p, n = 0.65, logUniform(rng, 200, 1000)
				}
				sim.add(branchName(i), p, float64(n), isPlanted)
				groups[branchName(i)] = Counts{binomial(rng, n, p), float64(n)}
			}
			runs[r] = sim.score(FlagProportions(groups, FleetOptions{FDR: fdr}), Below)
		}
		return average(runs)
	}
	// 200 null fleets: the SE of an average FDP of 0.05 is 0.015.
	requireScreen(t, run(21, true, 100), run(22, false, 200), 0.03)
}

// The same screen for NPS: planted branches at NPS 0 (35 % promoters, 35 %
// detractors) against a fleet at 30 (50 %, 20 %).
func TestFlagNPSSimulatedFleets(t *testing.T) {
	run := func(seed uint64, plant bool, fleets int) screen {
		rng := newRand(seed)
		runs := make([]screen, fleets)
		for r := range runs {
			sim, groups := newSimFleet(), map[string]NPSCounts{}
			for i := range simBranches {
				p, d, n := 0.5, 0.2, logUniform(rng, 5, 2000)
				isPlanted := plant && i < simPlanted
				if isPlanted {
					p, d, n = 0.35, 0.35, logUniform(rng, 200, 1000)
				}
				sim.add(branchName(i), 100*(p-d), float64(n), isPlanted)
				groups[branchName(i)] = trinomial(rng, n, p, d)
			}
			runs[r] = sim.score(FlagNPS(groups, FleetOptions{FDR: fdr}), Below)
		}
		return average(runs)
	}
	requireScreen(t, run(31, true, 60), run(32, false, 150), 0.035)
}

// Response times: exponential with a mean of 10 minutes, in whole seconds
// (so with many ties); five planted branches answer in 20 minutes on average
// and must be found above (slower) by the Mann–Whitney screen. Fewer fleets
// than for counts, as each screen runs 100 rank tests against the rest; the
// null fleets are checked through their 2,500 p-values, which must be
// uniform, more sharply than through their few flags.
func TestFlagSamplesSimulatedFleets(t *testing.T) {
	run := func(seed uint64, plant bool, fleets int) (screen, []float64) {
		rng := newRand(seed)
		runs := make([]screen, fleets)
		var pvalues []float64
		for r := range runs {
			sim, groups := newSimFleet(), map[string][]float64{}
			for i := range 100 {
				mean, n := 600.0, logUniform(rng, 5, 300)
				isPlanted := plant && i < 5
				if isPlanted {
					mean, n = 1200, logUniform(rng, 60, 300)
				}
				xs := make([]float64, n)
				for j := range xs {
					xs[j] = math.Round(rng.ExpFloat64() * mean)
				}
				sim.add(branchName(i), mean, float64(n), isPlanted)
				groups[branchName(i)] = xs
			}
			flags := FlagSamples(groups, FleetOptions{})
			runs[r] = sim.score(flags, Above)
			for _, f := range flags {
				pvalues = append(pvalues, f.Test.PValue)
			}
		}
		return average(runs), pvalues
	}
	planted, _ := run(41, true, 15)
	null, pvalues := run(42, false, 25)
	t.Logf("planted: directional FDP %.4f, unplanted share %.4f, recall %.3f, flags %.2f",
		planted.fdp, planted.plantedFDP, planted.recall, planted.flagged)
	require.LessOrEqual(t, planted.fdp, fdr+0.03)
	require.LessOrEqual(t, planted.plantedFDP, fdr+0.03)
	require.GreaterOrEqual(t, planted.recall, 0.95)

	share := func(alpha float64) float64 {
		n := 0
		for _, p := range pvalues {
			if p <= alpha {
				n++
			}
		}
		return float64(n) / float64(len(pvalues))
	}
	t.Logf("null: flags %.3f; p ≤ 0.05: %.4f, p ≤ 0.01: %.4f", null.flagged, share(0.05), share(0.01))
	require.InDelta(t, 0.05, share(0.05), 0.015) // SE 0.0044 over 2,500
	require.LessOrEqual(t, share(0.01), 0.02)
	require.Less(t, null.flagged, 0.2)
}
