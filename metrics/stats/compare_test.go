package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompareProportions(t *testing.T) {
	tests := []struct {
		name       string
		a, b       Counts
		effect     float64
		low, high  float64 // Newcombe (1998b), Stat Med 17:873–890, Table II, method 10, to 4 decimals
		ciTol      float64
		statistic  float64
		p          float64
		pTol       float64
		method     string
		wantFisher bool
	}{
		{
			// Newcombe's example (a); z² = 7.02 is Pearson's χ² without
			// continuity correction of the same 2×2 table.
			name: "Newcombe 56/70 vs 48/80", a: Counts{56, 70}, b: Counts{48, 80},
			effect: 0.2, low: 0.0524, high: 0.3339, ciTol: 5e-5,
			statistic: 2.650172, p: 0.008045, pTol: 1e-6, method: MethodTwoProportionZ,
		},
		{
			// Physicians' Health Study (Agresti, Categorical Data Analysis,
			// 2nd ed., §2.2): heart attacks 189/11034 on placebo, 104/11037
			// on aspirin; Pearson X² = 25.01, so z = √25.01.
			name: "aspirin", a: Counts{189, 11034}, b: Counts{104, 11037},
			effect: 189.0/11034 - 104.0/11037, low: math.NaN(),
			statistic: 5.001388, p: 5.6919e-7, pTol: 1e-10, method: MethodTwoProportionZ,
		},
		{
			name: "Newcombe 9/10 vs 3/10 is small: Fisher", a: Counts{9, 10}, b: Counts{3, 10},
			effect: 0.6, low: 0.1705, high: 0.8090, ciTol: 5e-5,
			statistic: 9, p: 2490.0 / 125970, pTol: 1e-12, method: MethodFisherExact,
		},
		{
			// Fisher's lady tasting tea (The Design of Experiments, 1935):
			// 3 of 4 milk-first cups found; two-sided p = 34/70.
			name: "lady tasting tea", a: Counts{3, 4}, b: Counts{1, 4},
			effect: 0.5, low: math.NaN(),
			statistic: 3, p: 34.0 / 70, pTol: 1e-12, method: MethodFisherExact,
		},
		{
			// Newcombe's (d) and (f): a zero cell, where Wald collapses.
			name: "Newcombe 5/56 vs 0/29", a: Counts{5, 56}, b: Counts{0, 29},
			effect: 5.0 / 56, low: -0.0381, high: 0.1926, ciTol: 5e-5,
			statistic: 5, p: math.NaN(), method: MethodFisherExact,
		},
		{
			name: "Newcombe 10/10 vs 0/20", a: Counts{10, 10}, b: Counts{0, 20},
			effect: 1, low: 0.6791, high: 1, ciTol: 5e-5,
			statistic: 10, p: 1 / 30045015.0, pTol: 1e-12, method: MethodFisherExact,
		},
		{
			name: "Newcombe 0/10 vs 0/20", a: Counts{0, 10}, b: Counts{0, 20},
			effect: 0, low: -0.1611, high: 0.2775, ciTol: 5e-5,
			statistic: 0, p: 1, pTol: 1e-12, method: MethodFisherExact,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CompareProportions(tc.a, tc.b, 0)
			require.Equal(t, tc.method, got.Method)
			require.InDelta(t, tc.effect, got.Effect, 1e-12)
			require.InDelta(t, tc.statistic, got.Statistic, 1e-6)
			if !math.IsNaN(tc.low) {
				require.InDelta(t, tc.low, got.Low, tc.ciTol)
				require.InDelta(t, tc.high, got.High, tc.ciTol)
			}
			require.LessOrEqual(t, got.Low, got.Effect)
			require.GreaterOrEqual(t, got.High, got.Effect)
			if !math.IsNaN(tc.p) {
				require.InDelta(t, tc.p, got.PValue, tc.pTol)
			}
			require.True(t, got.PValue > 0 && got.PValue <= 1)
		})
	}

	none := CompareProportions(Counts{3, 5}, Counts{}, 0)
	require.True(t, math.IsNaN(none.PValue) && math.IsNaN(none.Effect))
}

// Fisher's exact test against hypergeometric sums enumerated by hand.
func TestFisherExact(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
		p          float64
	}{
		// Tea: P(x) ∝ C(4,x)C(4,4−x) = 1, 16, 36, 16, 1 of 70; as likely or
		// less than x = 3: 1 + 16 + 16 + 1.
		{"tea", 3, 1, 1, 3, 34.0 / 70},
		// Margins 10, 12 of 20: C(10,x)C(10,12−x) = 45, 1200, 9450, … of
		// C(20,12) = 125970; x = 9 (1200) and rarer: 45 + 1200 + 1200 + 45.
		{"9/10 vs 3/10", 9, 1, 3, 7, 2490.0 / 125970},
		// The dieting example of textbook presentations: p = 0.002759.
		{"dieting", 1, 9, 11, 3, 0.0027594562},
		{"one column empty", 0, 0, 0, 5, 1},
	}
	for _, tc := range tests {
		require.InDelta(t, tc.p, fisherExact(tc.a, tc.b, tc.c, tc.d), 1e-9, tc.name)
	}
}

// A change over time is the same test, this period first.
func TestCompareProportionsPeriodOverPeriod(t *testing.T) {
	thisMonth, lastMonth := Counts{412, 500}, Counts{445, 500} // SLA met of met+breached
	got := CompareProportions(thisMonth, lastMonth, 0)
	require.InDelta(t, -0.066, got.Effect, 1e-12)
	require.InDelta(t, -2.980956, got.Statistic, 1e-6)
	require.InDelta(t, 0.0028735, got.PValue, 1e-7)
	require.Less(t, got.High, 0.0, "attainment really fell")
}

// Hand computation: pooled p = 100/200, d = 45/200, V = 0.6175; z =
// 0.35/√(0.6175·(2/100)); interval from the adjusted counts (¾ each).
func TestCompareNPS(t *testing.T) {
	a := NPSCounts{Promoters: 60, Passives: 25, Detractors: 15}
	b := NPSCounts{Promoters: 40, Passives: 30, Detractors: 30}
	got := CompareNPS(a, b, 0)
	require.Equal(t, MethodNPSPooledZ, got.Method)
	require.InDelta(t, 35, got.Effect, 1e-9)
	require.InDelta(t, 3.071180, got.Statistic, 1e-6)
	require.InDelta(t, 0.0021321, got.PValue, 1e-7)
	require.InDelta(t, 12.505115, got.Low, 1e-5)
	require.InDelta(t, 55.456050, got.High, 1e-5)

	// Welch's t on the 200 expanded −1/0/+1 scores gives p = 0.00201: the
	// pooled z test agrees with it where both apply.
	require.InDelta(t, 0.00201, got.PValue, 2e-4)

	// Small groups all promoters vs all detractors: a sample variance of 0
	// would make any difference "certain". The exact test enumerates by
	// hand: pooled 2 promoters and 2 detractors, the first group takes 2 of
	// the 4 answers; net scores +2, 0, −2 with probabilities 1/6, 4/6, 1/6
	// around an expectation of 0, so p = 2/6.
	tiny := CompareNPS(NPSCounts{Promoters: 2}, NPSCounts{Detractors: 2}, 0)
	require.Equal(t, MethodNPSExact, tiny.Method)
	require.InDelta(t, 200, tiny.Effect, 1e-12)
	require.Equal(t, 2.0, tiny.Statistic)
	require.InDelta(t, 1.0/3, tiny.PValue, 1e-12)
	require.GreaterOrEqual(t, tiny.Low, -200.0)
	require.LessOrEqual(t, tiny.High, 200.0)

	// Pooled 4 promoters, 1 passive, 1 detractor; the first group takes 3:
	// splits (promoters, detractors, passives) (3,0,0), (2,1,0), (2,0,1),
	// (1,1,1) have C(4,a)·… = 4, 6, 6, 4 of 20 ways and net scores 3, 1,
	// 2, 0 around 1.5; 3 and 0 are as far as the observed 3: p = 8/20.
	three := CompareNPS(NPSCounts{Promoters: 3}, NPSCounts{Promoters: 1, Passives: 1, Detractors: 1}, 0)
	require.InDelta(t, 0.4, three.PValue, 1e-12)
	// The same from the other side: the smaller group is enumerated.
	require.InDelta(t, 0.4, CompareNPS(NPSCounts{Promoters: 1, Passives: 1, Detractors: 1}, NPSCounts{Promoters: 3}, 0).PValue, 1e-12)

	same := CompareNPS(NPSCounts{Promoters: 4}, NPSCounts{Promoters: 9}, 0)
	require.Equal(t, 1.0, same.PValue)

	none := CompareNPS(NPSCounts{}, b, 0)
	require.True(t, math.IsNaN(none.PValue))
}

// Student's sleep data as two independent groups: R's t.test (Welch)
// prints t = −1.8608, df = 17.776, p-value = 0.07939, 95 % interval
// −3.3654832 to 0.2054832.
func TestCompareMeansWelch(t *testing.T) {
	drug1 := Describe([]float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0})
	drug2 := Describe([]float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4})
	got := CompareMeans(drug1, drug2, 0)
	require.Equal(t, MethodWelchT, got.Method)
	require.InDelta(t, -1.58, got.Effect, 1e-12)
	require.InDelta(t, -1.860813, got.Statistic, 1e-6)
	require.InDelta(t, 0.07939, got.PValue, 1e-5)
	require.InDelta(t, -3.3654832, got.Low, 1e-7)
	require.InDelta(t, 0.2054832, got.High, 1e-7)
}

func TestCompareMeansDegenerate(t *testing.T) {
	tests := []struct {
		name     string
		a, b     MeanSample
		p        float64 // NaN: no p-value
		low, hig float64
	}{
		{"one value", MeanSample{N: 1, Mean: 3}, MeanSample{N: 5, Mean: 2, SD: 1}, math.NaN(), math.Inf(-1), math.Inf(1)},
		{"both constant, equal", MeanSample{N: 3, Mean: 2}, MeanSample{N: 4, Mean: 2}, 1, 0, 0},
		{"both constant, apart", MeanSample{N: 3, Mean: 2}, MeanSample{N: 4, Mean: 5}, 0, -3, -3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CompareMeans(tc.a, tc.b, 0)
			if math.IsNaN(tc.p) {
				require.True(t, math.IsNaN(got.PValue))
			} else {
				require.Equal(t, tc.p, got.PValue)
			}
			require.Equal(t, tc.low, got.Low)
			require.Equal(t, tc.hig, got.High)
		})
	}
}
