package stats

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Retention by service experience (metrics/kpi, KPI retention_experience)
// compares the retention of a small group, the customers who had a bad
// experience, with that of a large one, everybody else: CompareProportions
// of good minus bad. By seeded simulation in that regime (a bad group of 12
// to 300 customers against 300 to 3,000, retention from 0.3 to 0.98), the
// Newcombe interval of the gap covers the true gap at about its 95 %, the
// test rejects a true null hypothesis at most about 5 % of the time, and it
// finds a 10-point gap with 300 bad customers and a 20-point gap with 100.
func TestRetentionGapCoverageBySimulation(t *testing.T) {
	const reps = 3000
	rng := rand.New(rand.NewPCG(15, 2026))
	binomial := func(n int, p float64) float64 {
		k := 0
		for range n {
			if rng.Float64() < p {
				k++
			}
		}
		return float64(k)
	}
	cases := []struct {
		nBad, nGood      int
		pBad, pGood      float64
		minPower         float64 // 0: not a power case
		checkNullRejects bool
	}{
		{nBad: 12, nGood: 300, pBad: 0.5, pGood: 0.8},
		{nBad: 12, nGood: 3000, pBad: 0.9, pGood: 0.9, checkNullRejects: true},
		{nBad: 25, nGood: 500, pBad: 0.3, pGood: 0.3, checkNullRejects: true},
		{nBad: 40, nGood: 2000, pBad: 0.6, pGood: 0.85},
		{nBad: 40, nGood: 400, pBad: 0.95, pGood: 0.95, checkNullRejects: true},
		{nBad: 100, nGood: 1000, pBad: 0.6, pGood: 0.8, minPower: 0.9},
		{nBad: 150, nGood: 2000, pBad: 0.85, pGood: 0.85, checkNullRejects: true},
		{nBad: 300, nGood: 3000, pBad: 0.7, pGood: 0.8, minPower: 0.9},
		{nBad: 300, nGood: 3000, pBad: 0.96, pGood: 0.98},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("bad%d@%.2f_good%d@%.2f", tc.nBad, tc.pBad, tc.nGood, tc.pGood), func(t *testing.T) {
			truth := tc.pGood - tc.pBad
			var covered, rejected, runs float64
			for range reps {
				bad, good := binomial(tc.nBad, tc.pBad), binomial(tc.nGood, tc.pGood)
				got := CompareProportions(Counts{good, float64(tc.nGood)}, Counts{bad, float64(tc.nBad)}, 0)
				runs++
				if got.Low <= truth && truth <= got.High {
					covered++
				}
				if got.PValue <= 0.05 {
					rejected++
				}
			}
			// 3000 runs: a Monte Carlo standard error of 0.004 at 0.95
			require.GreaterOrEqual(t, covered/runs, 0.935, "coverage of the gap's interval")
			if tc.checkNullRejects {
				require.LessOrEqual(t, rejected/runs, 0.062, "false rejections under a true null")
			}
			if tc.minPower > 0 {
				require.GreaterOrEqual(t, rejected/runs, tc.minPower, "power")
			}
		})
	}
}
