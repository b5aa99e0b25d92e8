package stats

import (
	"math"
	"slices"
)

// BenjaminiHochberg adjusts p-values for testing many hypotheses at once and
// flags those whose adjusted value (q-value) is at most the false discovery
// rate q (0 selects DefaultFDR). Among the flagged hypotheses the expected
// share of true nulls is then at most q. The q-value of the p-value of rank
// i among m is min over j ≥ i of p_(j)·m/j, capped at 1; flagging q-values
// ≤ q is the step-up rule of Benjamini & Hochberg (1995). NaN p-values (tests
// without data) are not hypotheses: they get NaN, are not flagged and do not
// count in m.
func BenjaminiHochberg(p []float64, q float64) (adjusted []float64, flagged []bool) {
	q = checkFDR(q)
	adjusted = make([]float64, len(p))
	flagged = make([]bool, len(p))
	order := make([]int, 0, len(p))
	for i, v := range p {
		adjusted[i] = math.NaN()
		if !math.IsNaN(v) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case p[i] < p[j]:
			return -1
		case p[i] > p[j]:
			return 1
		}
		return 0
	})
	m := float64(len(order))
	running := 1.0
	for r := len(order) - 1; r >= 0; r-- {
		i := order[r]
		running = math.Min(running, p[i]*m/float64(r+1))
		adjusted[i] = running
		flagged[i] = running <= q
	}
	return adjusted, flagged
}
