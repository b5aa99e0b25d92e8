package stats

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultLevel is the confidence level used when a function is given 0.
const DefaultLevel = 0.95

// DefaultFDR is the false discovery rate used when a function is given 0.
const DefaultFDR = 0.05

// smallSample is the number of answers below which NPS intervals use a t
// quantile instead of a normal one and two-group tests are exact (the
// threshold under which KPIS.md flags an NPS as low-confidence).
const smallSample = 30

// checkLevel resolves 0 to DefaultLevel and panics on a level outside (0, 1):
// a level is configuration, validated when read, so a bad one here is a bug.
func checkLevel(level float64) float64 {
	if level == 0 {
		return DefaultLevel
	}
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("stats: confidence level %v outside (0, 1)", level))
	}
	return level
}

// checkFDR is checkLevel for a false discovery rate.
func checkFDR(q float64) float64 {
	if q == 0 {
		return DefaultFDR
	}
	if !(q > 0 && q < 1) {
		panic(fmt.Sprintf("stats: false discovery rate %v outside (0, 1)", q))
	}
	return q
}

// zQuantile is the two-sided normal critical value for level (1.959964 at 0.95).
func zQuantile(level float64) float64 {
	return distuv.UnitNormal.Quantile(1 - (1-level)/2)
}

// tQuantile is the two-sided Student t critical value for level and df.
// Small whole df (from sample sizes below smallSample, the common case) are
// memoised: the inverse incomplete beta costs some 10 µs, and a fleet report
// asks for the same few values thousands of times.
func tQuantile(level, df float64) float64 {
	memo := df == math.Trunc(df) && df < smallSample
	if memo {
		if q, ok := tMemo.Load([2]float64{level, df}); ok {
			return q.(float64)
		}
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - (1-level)/2)
	if memo {
		tMemo.Store([2]float64{level, df}, q)
	}
	return q
}

// tMemo maps {level, df} to tQuantile's result. Levels are configuration,
// so it stays small.
var tMemo sync.Map

// zPValue is the two-sided p-value of a standard normal statistic.
func zPValue(z float64) float64 {
	return 2 * distuv.UnitNormal.CDF(-math.Abs(z))
}

// tPValue is the two-sided p-value of a Student t statistic with df.
func tPValue(t, df float64) float64 {
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
