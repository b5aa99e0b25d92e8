package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Helpers that draw simulated fleets. Every simulation takes its own seeded
// generator, so that each test is deterministic on its own.

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// binomial draws successes out of n trials with probability p.
func binomial(rng *rand.Rand, n int, p float64) float64 {
	k := 0
	for range n {
		if rng.Float64() < p {
			k++
		}
	}
	return float64(k)
}

// trinomial draws n NPS answers with promoter share p and detractor share d.
func trinomial(rng *rand.Rand, n int, p, d float64) NPSCounts {
	var c NPSCounts
	for range n {
		switch u := rng.Float64(); {
		case u < p:
			c.Promoters++
		case u < p+d:
			c.Detractors++
		default:
			c.Passives++
		}
	}
	return c
}

// logUniform draws a branch size between lo and hi, evenly on a log scale:
// many small branches, a few big ones, as in a real fleet.
func logUniform(rng *rand.Rand, lo, hi int) int {
	return int(math.Round(math.Exp(math.Log(float64(lo)) + rng.Float64()*math.Log(float64(hi)/float64(lo)))))
}

func branchName(i int) string { return fmt.Sprintf("branch-%03d", i) }

// A simulated fleet: per branch its true KPI value, its size, and whether it
// was planted. Truth for a flag is the sign of the branch's true value minus
// the true value of the rest of the fleet (answers-weighted), because that is
// the hypothesis each test is about. When some branches are planted below,
// the rest of the fleet is a little below the ordinary branches too, so an
// ordinary branch is truly (slightly) above the rest: flagging a big one
// "above" is a correct discovery, flagging it "below" is not.
type simFleet struct {
	truth   map[string]float64
	size    map[string]float64
	planted map[string]bool
}

func newSimFleet() simFleet {
	return simFleet{map[string]float64{}, map[string]float64{}, map[string]bool{}}
}

func (f simFleet) add(name string, truth, n float64, planted bool) {
	f.truth[name], f.size[name] = truth, n
	if planted {
		f.planted[name] = true
	}
}

// screen is one screen's outcome. fdp is the directional false discovery
// proportion: flags whose direction is not that of the true difference from
// the rest (Benjamini & Yekutieli 2005). plantedFDP is what a team lead reads
// in the list of flags in the planted direction: the share of them that
// were not planted. recall is the share of planted branches flagged in the
// planted direction.
type screen struct{ fdp, plantedFDP, recall, flagged float64 }

func (f simFleet) score(flags []Flag, direction string) screen {
	var total, weighted float64
	for name, n := range f.size {
		total += n
		weighted += n * f.truth[name]
	}
	var s screen
	var wrong, inDirection, notPlanted, found float64
	for _, fl := range flags {
		if !fl.Flagged() {
			continue
		}
		s.flagged++
		n := f.size[fl.Group]
		diff := f.truth[fl.Group] - (weighted-n*f.truth[fl.Group])/(total-n)
		if !(diff > 1e-12 && fl.Direction == Above || diff < -1e-12 && fl.Direction == Below) {
			wrong++
		}
		if fl.Direction == direction {
			inDirection++
			if f.planted[fl.Group] {
				found++
			} else {
				notPlanted++
			}
		}
	}
	if s.flagged > 0 {
		s.fdp = wrong / s.flagged
	}
	if inDirection > 0 {
		s.plantedFDP = notPlanted / inDirection
	}
	if len(f.planted) > 0 {
		s.recall = found / float64(len(f.planted))
	}
	return s
}

func average(runs []screen) screen {
	var a screen
	k := float64(len(runs))
	for _, r := range runs {
		a.fdp += r.fdp / k
		a.plantedFDP += r.plantedFDP / k
		a.recall += r.recall / k
		a.flagged += r.flagged / k
	}
	return a
}

const (
	simBranches = 200
	simPlanted  = 10
	fdr         = 0.05
)

// requireScreen checks a screen of fleets with planted branches and one of
// fleets without real differences. With planted branches: nearly all found,
// the directional FDP and the share of unplanted among the flags in the
// planted direction both average at most the FDR (with simulation
// tolerance). Without: every flag is false, so the average FDP is the share
// of fleets with any flag, which BH holds at q; flags must be rare.
func requireScreen(t *testing.T, planted, null screen, tol float64) {
	t.Helper()
	t.Logf("planted: directional FDP %.4f, unplanted share %.4f, recall %.3f, flags %.2f",
		planted.fdp, planted.plantedFDP, planted.recall, planted.flagged)
	t.Logf("null: FDP %.4f, flags %.3f", null.fdp, null.flagged)
	require.LessOrEqual(t, planted.fdp, fdr+tol)
	require.LessOrEqual(t, planted.plantedFDP, fdr+tol)
	require.GreaterOrEqual(t, planted.recall, 0.95)
	require.LessOrEqual(t, null.fdp, fdr+tol)
	require.Less(t, null.flagged, 0.15)
}
