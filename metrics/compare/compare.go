// Package compare ranks branches on one KPI and says which differences are
// real: each branch's estimate with its confidence interval and a shrunken
// estimate next to the raw one, a test against the rest of the fleet with
// Benjamini–Hochberg control of the false discovery rate, a test against
// the branch's own previous period, and how evenly the fleet performs. The
// numbers come from the KPI engine (the same as `cxpulse report`); the
// statistics from package stats.
package compare

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/stats"
)

// KPIs that can be compared, and what their values mean.
var KPIs = map[string]Kind{
	"nps":            {Unit: "points", HigherIsBetter: true, Title: "NPS"},
	"csat":           {Unit: "ratio", HigherIsBetter: true, Title: "CSAT (share satisfied)"},
	"sla":            {Unit: "ratio", HigherIsBetter: true, Title: "SLA attainment"},
	"fcr":            {Unit: "ratio", HigherIsBetter: true, Title: "First-contact resolution"},
	"punctuality":    {Unit: "ratio", HigherIsBetter: true, Title: "Appointments on time"},
	"promise_kept":   {Unit: "ratio", HigherIsBetter: true, Title: "Callbacks kept"},
	"first_response": {Unit: "seconds", HigherIsBetter: false, Title: "First-response time (median)"},
	"resolution":     {Unit: "seconds", HigherIsBetter: false, Title: "Resolution time (median)"},
}

// Kind says how to read a KPI.
type Kind struct {
	Title          string
	Unit           string
	HigherIsBetter bool
}

// Options select a comparison.
type Options struct {
	KPI    string
	Window kpi.Window
	// Branches limits the ranking to these (default: all with data). The
	// fleet and the tests against it always use every branch.
	Branches []string
	// Policy and Target pick the SLA (default: the first policy, first_response).
	Policy, Target string
	Level, FDR     float64 // 0: 0.95 and 0.05
}

// Result is a ranked comparison.
type Result struct {
	KPI            string    `json:"kpi"`
	Title          string    `json:"title"`
	Unit           string    `json:"unit"`
	HigherIsBetter bool      `json:"higher_is_better"`
	Window         string    `json:"window"`
	AsOf           time.Time `json:"as_of"`
	Policy         string    `json:"policy,omitempty"`
	Target         string    `json:"target,omitempty"`
	Level          float64   `json:"level"`
	FDR            float64   `json:"fdr"`
	Fleet          Estimate  `json:"fleet"`
	// Branches, best first by raw estimate.
	Branches    []Branch     `json:"branches"`
	Consistency stats.Spread `json:"consistency"`
}

// Estimate is a value with its interval and sample size; Has is false when
// there is no data (the numbers are then absent in JSON).
type Estimate struct {
	Has   bool    `json:"has"`
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	N     float64 `json:"n"`
}

// Branch is one branch's line.
type Branch struct {
	Branch   string   `json:"branch"`
	Estimate Estimate `json:"estimate"`
	// Shrunk is the empirical-Bayes estimate: small branches pulled towards
	// the fleet, so that luck does not top the league.
	Shrunk float64 `json:"shrunk"`
	// VsFleet tests the branch against the rest of the fleet (branch − rest).
	VsFleet Test `json:"vs_fleet"`
	// Flag is "above" or "below" when VsFleet is significant at the FDR.
	Flag string `json:"flag"`
	// Worse is true when the flag means worse than the fleet.
	Worse bool `json:"worse"`
	// VsPrevious tests this period against the branch's previous one.
	VsPrevious *Test `json:"vs_previous,omitempty"`
}

// Test is a two-group comparison: Effect (first − second) with its interval
// and p-value; QValue is the FDR-adjusted p-value where one applies.
type Test struct {
	Effect float64 `json:"effect"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	PValue float64 `json:"p_value"`
	QValue float64 `json:"q_value,omitempty"`
	Method string  `json:"method"`
}

func toTest(t stats.Test) Test {
	return Test{Effect: t.Effect, Low: t.Low, High: t.High, PValue: t.PValue, Method: t.Method}
}

// Compare ranks the branches on opts.KPI as of p.AsOf.
func Compare(ctx context.Context, e *kpi.Engine, p kpi.Params, opts Options) (Result, error) {
	kind, ok := KPIs[opts.KPI]
	if !ok {
		return Result{}, fmt.Errorf("kpi %q cannot be compared (comparable: %s)", opts.KPI, comparable())
	}
	if opts.Level == 0 {
		opts.Level = stats.DefaultLevel
	}
	if opts.FDR == 0 {
		opts.FDR = stats.DefaultFDR
	}
	if opts.Level <= 0 || opts.Level >= 1 || opts.FDR <= 0 || opts.FDR >= 1 {
		return Result{}, fmt.Errorf("level %v and fdr %v must lie between 0 and 1", opts.Level, opts.FDR)
	}
	p = p.WithDefaults()
	if opts.KPI == "sla" {
		if opts.Policy == "" && len(p.Policies) > 0 {
			opts.Policy = p.Policies[0].Name
		}
		if opts.Target == "" {
			opts.Target = "first_response"
		}
	}
	res := Result{KPI: opts.KPI, Title: kind.Title, Unit: kind.Unit, HigherIsBetter: kind.HigherIsBetter,
		Window: opts.Window.Label, AsOf: p.AsOf, Policy: opts.Policy, Target: opts.Target, Level: opts.Level, FDR: opts.FDR}
	now, err := collect(ctx, e, p, opts)
	if err != nil {
		return res, err
	}
	prev := p
	prev.AsOf = p.AsOf.Add(-opts.Window.Duration)
	before, err := collect(ctx, e, prev, opts)
	if err != nil {
		return res, err
	}
	now.rank(&res, before, opts)
	return res, nil
}

func comparable() string {
	names := make([]string, 0, len(KPIs))
	for k := range KPIs {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}

// sample is what the statistics need of each branch for one KPI: counts for
// a proportion, answer counts for NPS, durations for response times.
type sample struct {
	props   map[string]stats.Counts
	nps     map[string]stats.NPSCounts
	samples map[string][]float64
}

func collect(ctx context.Context, e *kpi.Engine, p kpi.Params, opts Options) (sample, error) {
	s := sample{props: map[string]stats.Counts{}, nps: map[string]stats.NPSCounts{}, samples: map[string][]float64{}}
	p.Windows = []kpi.Window{opts.Window}
	p.By = []string{kpi.DimBranch}
	if opts.KPI == "first_response" || opts.KPI == "resolution" {
		var err error
		s.samples, err = e.Samples(ctx, p, opts.KPI, opts.Window)
		return s, err
	}
	rows, err := e.Compute(ctx, p, opts.KPI)
	if err != nil {
		return s, err
	}
	for _, r := range rows {
		b, v := r.Labels.Branch, r.Values
		if b == kpi.All {
			continue
		}
		switch opts.KPI {
		case "nps":
			s.nps[b] = stats.NPSCounts{Promoters: v["promoters"], Passives: v["passives"], Detractors: v["detractors"]}
		case "csat":
			s.props[b] = stats.Counts{Successes: v["satisfied"], N: v["responses"]}
		case "sla":
			if r.Labels.Policy == opts.Policy && r.Labels.Target == opts.Target {
				s.props[b] = stats.Counts{Successes: v["met"], N: v["met"] + v["breached"]}
			}
		case "fcr":
			s.props[b] = stats.Counts{Successes: v["fcr"], N: v["resolved"]}
		case "punctuality":
			s.props[b] = stats.Counts{Successes: v["on_time"], N: v["started"]}
		case "promise_kept":
			s.props[b] = stats.Counts{Successes: v["kept"], N: v["promised"]}
		}
	}
	return s, nil
}

// rank fills res from the current and previous period's samples.
func (s sample) rank(res *Result, before sample, opts Options) {
	fo := stats.FleetOptions{FDR: opts.FDR, Level: opts.Level}
	var flags []stats.Flag
	est := map[string]Estimate{}
	shrunk := map[string]float64{}
	var groups []stats.MeanSample
	prevTest := map[string]stats.Test{}
	switch {
	case len(s.nps) > 0 || res.KPI == "nps":
		flags = stats.FlagNPS(s.nps, fo)
		names, counts := sortedNPS(s.nps)
		sh, _ := stats.ShrinkNPS(counts)
		var fleet stats.NPSCounts
		for i, b := range names {
			c := counts[i]
			in := stats.NPSInterval(c.Promoters, c.Passives, c.Detractors, opts.Level)
			est[b] = estimate(in)
			shrunk[b] = sh[i].Estimate
			groups = append(groups, c.Sample())
			fleet.Promoters += c.Promoters
			fleet.Passives += c.Passives
			fleet.Detractors += c.Detractors
			if p, ok := before.nps[b]; ok && p.N() > 0 {
				prevTest[b] = stats.CompareNPS(c, p, opts.Level)
			}
		}
		res.Fleet = estimate(stats.NPSInterval(fleet.Promoters, fleet.Passives, fleet.Detractors, opts.Level))
	case len(s.samples) > 0 || res.KPI == "first_response" || res.KPI == "resolution":
		flags = stats.FlagSamples(s.samples, fo)
		var all []float64
		names := sortedKeys(s.samples)
		var means []stats.MeanSample
		for _, b := range names {
			xs := s.samples[b]
			all = append(all, xs...)
			est[b] = median(xs, opts.Level)
			means = append(means, stats.Describe(xs))
			if p := before.samples[b]; len(p) > 0 && len(xs) > 0 {
				prevTest[b] = stats.MannWhitney(xs, p, opts.Level)
			}
		}
		sh, _ := stats.Shrink(means)
		for i, b := range names {
			// the shrinkage is of the mean; shift the median by the same amount
			shrunk[b] = est[b].Value + (sh[i].Estimate - sh[i].Raw)
		}
		groups = means
		res.Fleet = median(all, opts.Level)
	default:
		flags = stats.FlagProportions(s.props, fo)
		names := sortedKeys(s.props)
		var counts []stats.Counts
		var fleet stats.Counts
		for _, b := range names {
			counts = append(counts, s.props[b])
		}
		sh, _ := stats.ShrinkProportions(counts)
		for i, b := range names {
			c := counts[i]
			est[b] = estimate(stats.WilsonInterval(c.Successes, c.N, opts.Level))
			shrunk[b] = sh[i].Estimate
			groups = append(groups, c.Sample())
			fleet.Successes += c.Successes
			fleet.N += c.N
			if p, ok := before.props[b]; ok && p.N > 0 {
				prevTest[b] = stats.CompareProportions(c, p, opts.Level)
			}
		}
		res.Fleet = estimate(stats.WilsonInterval(fleet.Successes, fleet.N, opts.Level))
	}
	res.Consistency = stats.Consistency(groups)
	want := map[string]bool{}
	for _, b := range opts.Branches {
		want[b] = true
	}
	for _, f := range flags {
		if len(want) > 0 && !want[f.Group] {
			continue
		}
		e, ok := est[f.Group]
		if !ok || !e.Has {
			continue
		}
		t := toTest(f.Test)
		t.QValue = f.QValue
		br := Branch{Branch: f.Group, Estimate: e, Shrunk: shrunk[f.Group], VsFleet: t, Flag: f.Direction}
		br.Worse = (f.Direction == stats.Below && res.HigherIsBetter) || (f.Direction == stats.Above && !res.HigherIsBetter)
		if pt, ok := prevTest[f.Group]; ok {
			pt := toTest(pt)
			br.VsPrevious = &pt
		}
		res.Branches = append(res.Branches, br)
	}
	sort.SliceStable(res.Branches, func(i, j int) bool {
		a, b := res.Branches[i].Estimate.Value, res.Branches[j].Estimate.Value
		if res.HigherIsBetter {
			return a > b
		}
		return a < b
	})
}

func estimate(in stats.Interval) Estimate {
	if in.N == 0 || math.IsNaN(in.Estimate) {
		return Estimate{}
	}
	return Estimate{Has: true, Value: in.Estimate, Low: in.Low, High: in.High, N: in.N}
}

// median is a sample's median with a distribution-free interval from the
// binomial order statistics (normal approximation of their ranks).
func median(xs []float64, level float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	q := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	half := q * math.Sqrt(float64(n)) / 2
	lo := int(math.Floor(float64(n)/2 - half))
	hi := int(math.Ceil(float64(n)/2+half)) - 1
	lo, hi = max(lo, 0), min(hi, n-1)
	return Estimate{Has: true, Value: s[int(math.Ceil(0.5*float64(n)))-1], Low: s[lo], High: s[hi], N: float64(n)}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedNPS(m map[string]stats.NPSCounts) ([]string, []stats.NPSCounts) {
	names := sortedKeys(m)
	out := make([]stats.NPSCounts, len(names))
	for i, b := range names {
		out[i] = m[b]
	}
	return names, out
}
