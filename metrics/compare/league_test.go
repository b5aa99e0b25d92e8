package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/stats"
)

// The fleet of the issue: 40 branches of very different sizes, 4 truly
// worse, and a small branch whose 8 answers happen to be all promoters. The
// league flags exactly the 4 (the pooled reference also flagged five
// ordinary branches "above"), and is led by a big branch, not by the lucky
// small one, which the raw estimate would put first.
func TestLeagueOfFortyBranches(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 15))
		s := sample{nps: map[string]stats.NPSCounts{}}
		worse := map[string]bool{}
		for i := range 39 {
			name := fmt.Sprintf("branch-%02d", i)
			n := int(math.Round(math.Exp(math.Log(40) + rng.Float64()*math.Log(2000.0/40))))
			p, d := 0.5, 0.2
			if i < 4 {
				p, d, n, worse[name] = 0.3, 0.4, 150+rng.IntN(800), true
			}
			var c stats.NPSCounts
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
			s.nps[name] = c
		}
		s.nps["lucky"] = stats.NPSCounts{Promoters: 8}
		res := Result{KPI: "nps", HigherIsBetter: true}
		s.rank(&res, sample{}, Options{Level: 0.95, FDR: 0.05})
		flagged := map[string]bool{}
		for _, b := range res.Branches {
			if b.Flag != "" {
				flagged[b.Branch] = true
				require.True(t, b.Worse, "seed %d: %s flagged %s", seed, b.Branch, b.Flag)
			}
		}
		require.Equal(t, worse, flagged, "seed %d: exactly the planted branches", seed)
		require.NotEqual(t, "lucky", res.Branches[0].Branch, "seed %d: 8 lucky answers do not lead", seed)
		for _, b := range res.Branches {
			if b.Branch == "lucky" {
				require.Less(t, b.Shrunk-res.Standard.Centre, (b.Estimate.Value-res.Standard.Centre)/3, "seed %d: pulled most of the way", seed)
			}
		}
		for i := 1; i < len(res.Branches); i++ {
			require.GreaterOrEqual(t, res.Branches[i-1].Shrunk, res.Branches[i].Shrunk, "seed %d: by the shrunken estimate", seed)
		}
	}
}

// When the fleet shows no real spread (τ² = 0) every shrunken estimate is
// the standard; the league then follows the evidence, n·(value − standard),
// so that a big branch slightly above still leads a small lucky one.
func TestFlatLeagueFollowsEvidence(t *testing.T) {
	s := sample{props: map[string]stats.Counts{"lucky": {Successes: 8, N: 8}}}
	for i := range 20 {
		s.props[fmt.Sprintf("b%02d", i)] = stats.Counts{Successes: 800 + float64(i%3), N: 1000}
	}
	s.props["big"] = stats.Counts{Successes: 1630, N: 2000}
	res := Result{KPI: "csat", HigherIsBetter: true}
	s.rank(&res, sample{}, Options{Level: 0.95, FDR: 0.05})
	require.Zero(t, res.Standard.Between)
	require.Equal(t, "big", res.Branches[0].Branch)
	for _, b := range res.Branches {
		require.Empty(t, b.Flag, b.Branch)
	}
}
