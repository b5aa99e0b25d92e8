package stats_test

import (
	"fmt"

	"github.com/cxpulse/cxpulse/metrics/stats"
)

// A team lead's question: is Brno really worse than the rest, or unlucky?
func ExampleFlagProportions() {
	csat := map[string]stats.Counts{ // satisfied of CSAT responses, last 30 days
		"praha-1":   {Successes: 400, N: 500},
		"praha-2":   {Successes: 392, N: 490},
		"plzen":     {Successes: 405, N: 500},
		"liberec":   {Successes: 398, N: 500},
		"olomouc":   {Successes: 402, N: 505},
		"pardubice": {Successes: 396, N: 495},
		"brno-1":    {Successes: 300, N: 500},
		"ostrava":   {Successes: 12, N: 12},
	}
	for _, f := range stats.FlagProportions(csat, stats.FleetOptions{}) {
		if f.Flagged() {
			fmt.Printf("%s: %s the rest of the fleet, %+.1f points (%+.1f to %+.1f), q = %.1e\n",
				f.Group, f.Direction, 100*f.Test.Effect, 100*f.Test.Low, 100*f.Test.High, f.QValue)
		}
	}
	// Output:
	// brno-1: below the rest of the fleet, -20.1 points (-24.7 to -15.7), q = 2.4e-22
}

// Twelve perfect answers do not top the league once shrunk.
func ExampleShrinkProportions() {
	shrunk, prior := stats.ShrinkProportions([]stats.Counts{
		{Successes: 12, N: 12}, {Successes: 940, N: 1000}, {Successes: 850, N: 1000},
		{Successes: 830, N: 1000}, {Successes: 610, N: 700}, {Successes: 170, N: 200},
	})
	fmt.Printf("prior mean %.3f, worth %.0f answers\n", prior.Mean, prior.Strength())
	for _, s := range shrunk[:2] {
		fmt.Printf("n=%4.0f raw %.3f shrunk %.3f\n", s.N, s.Raw, s.Estimate)
	}
	// Output:
	// prior mean 0.874, worth 50 answers
	// n=  12 raw 1.000 shrunk 0.899
	// n=1000 raw 0.940 shrunk 0.937
}

func ExampleNPSInterval() {
	iv := stats.NPSInterval(50, 30, 20, 0)
	fmt.Printf("NPS %.0f, 95 %% interval %.1f to %.1f (%s)\n", iv.Estimate, iv.Low, iv.High, iv.Method)
	// Output:
	// NPS 30, 95 % interval 14.1 to 44.2 (adjusted-wald-z)
}
