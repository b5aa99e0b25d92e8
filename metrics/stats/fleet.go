package stats

import (
	"maps"
	"slices"
)

// FleetOptions configures a fleet screen. Zero values select the defaults.
type FleetOptions struct {
	FDR   float64 // false discovery rate of the flags; 0: DefaultFDR (0.05)
	Level float64 // confidence level of each test's interval; 0: DefaultLevel (0.95)
}

// Directions of a Flag. Above means a higher KPI value than the rest of the
// fleet, which is worse for response times and better for CSAT.
const (
	Above = "above"
	Below = "below"
)

// Flag is one group's result in a fleet screen; screens return one per group,
// sorted by group name. In the Flag* screens of this file Test compares the
// group with the rest of the fleet (every other group pooled), group minus
// rest; in the Funnel* screens (funnel.go, what compare uses) with the
// standard of the typical branch. QValue is its
// Benjamini–Hochberg adjusted p-value (NaN without data); Direction is Above
// or Below when QValue ≤ the FDR, and "" otherwise.
//
// Among the flags, the expected share whose direction is wrong is at most
// the FDR. Note what "the rest" means: when a few branches are truly bad,
// the rest of the fleet is pulled down a little with them, so an ordinary
// big branch is truly, slightly above it and may be flagged Above. That is
// a correct answer to the question asked, but not the one a manager asks
// (is this branch off the standard?): the Funnel* screens answer that.
type Flag struct {
	Group     string
	Direction string
	Test      Test
	QValue    float64
}

// FlagProportions screens every group of a proportion KPI against the rest
// of the fleet with CompareProportions and flags, under FDR control, those
// that differ.
func FlagProportions(groups map[string]Counts, opt FleetOptions) []Flag {
	level := checkLevel(opt.Level)
	names := slices.Sorted(maps.Keys(groups))
	var total Counts
	for _, name := range names {
		total.Successes += groups[name].Successes
		total.N += groups[name].N
	}
	tests := make([]Test, len(names))
	for i, name := range names {
		g := groups[name]
		tests[i] = CompareProportions(g, Counts{total.Successes - g.Successes, total.N - g.N}, level)
	}
	return flag(names, tests, effectSigns(tests), opt.FDR)
}

// FlagNPS screens every group's NPS against the rest of the fleet with
// CompareNPS and flags, under FDR control, those that differ.
func FlagNPS(groups map[string]NPSCounts, opt FleetOptions) []Flag {
	level := checkLevel(opt.Level)
	names := slices.Sorted(maps.Keys(groups))
	var total NPSCounts
	for _, name := range names {
		total = total.add(groups[name])
	}
	tests := make([]Test, len(names))
	for i, name := range names {
		g := groups[name]
		rest := NPSCounts{total.Promoters - g.Promoters, total.Passives - g.Passives, total.Detractors - g.Detractors}
		tests[i] = CompareNPS(g, rest, level)
	}
	return flag(names, tests, effectSigns(tests), opt.FDR)
}

// FlagMeans screens every group's mean against the rest of the fleet with
// CompareMeans (Welch) and flags, under FDR control, those that differ. The
// rest of the fleet is pooled exactly from prefix and suffix pools, O(k).
func FlagMeans(groups map[string]MeanSample, opt FleetOptions) []Flag {
	level := checkLevel(opt.Level)
	names := slices.Sorted(maps.Keys(groups))
	k := len(names)
	// before[i] pools groups 0..i−1, after[i] pools groups i+1..k−1.
	before, after := make([]MeanSample, k+1), make([]MeanSample, k+1)
	for i, name := range names {
		before[i+1] = combine(before[i], groups[name])
	}
	for i := k - 1; i >= 0; i-- {
		after[i] = combine(after[i+1], groups[names[i]])
	}
	tests := make([]Test, k)
	for i, name := range names {
		tests[i] = CompareMeans(groups[name], combine(before[i], after[i+1]), level)
	}
	return flag(names, tests, effectSigns(tests), opt.FDR)
}

// FlagSamples screens every group's sample (response times, delays) against
// the rest of the fleet with MannWhitney and flags, under FDR control, those
// that differ. The direction follows U, not the Hodges–Lehmann shift, which
// can be 0 when many values tie. The fleet is sorted once and its tie term
// computed once (the pooled sample of a group and its rest is always the
// whole fleet), so a screen costs O(k·N) plus the tests.
func FlagSamples(groups map[string][]float64, opt FleetOptions) []Flag {
	level := checkLevel(opt.Level)
	names := slices.Sorted(maps.Keys(groups))
	sorted := make([][]float64, len(names))
	var fleet []float64
	for i, name := range names {
		sorted[i] = sortedFinite(groups[name])
		fleet = append(fleet, sorted[i]...)
	}
	slices.Sort(fleet)
	ties := tieTerm(fleet, nil)
	tests := make([]Test, len(names))
	signs := make([]float64, len(names))
	rest := make([]float64, 0, len(fleet))
	for i, own := range sorted {
		rest = without(rest[:0], fleet, own)
		tests[i] = mannWhitneySorted(own, rest, ties, level)
		signs[i] = tests[i].Statistic - float64(len(own))*float64(len(rest))/2
	}
	return flag(names, tests, signs, opt.FDR)
}

// without appends to dst the sorted multiset all minus its sorted sub-multiset sub.
func without(dst, all, sub []float64) []float64 {
	j := 0
	for _, v := range all {
		if j < len(sub) && sub[j] == v {
			j++
			continue
		}
		dst = append(dst, v)
	}
	return dst
}

func effectSigns(tests []Test) []float64 {
	out := make([]float64, len(tests))
	for i, t := range tests {
		out[i] = t.Effect
	}
	return out
}

// flag applies Benjamini–Hochberg to the tests' p-values and sets each
// flagged group's direction from the sign of its effect.
func flag(names []string, tests []Test, signs []float64, fdr float64) []Flag {
	p := make([]float64, len(tests))
	for i, t := range tests {
		p[i] = t.PValue
	}
	q, flagged := BenjaminiHochberg(p, fdr)
	out := make([]Flag, len(names))
	for i, name := range names {
		out[i] = Flag{Group: name, Test: tests[i], QValue: q[i]}
		if flagged[i] {
			switch {
			case signs[i] > 0:
				out[i].Direction = Above
			case signs[i] < 0:
				out[i].Direction = Below
			}
		}
	}
	return out
}

// Flagged reports whether the group was flagged above or below the fleet.
func (f Flag) Flagged() bool { return f.Direction != "" }
