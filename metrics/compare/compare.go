// Package compare ranks branches on one KPI and says which differences are
// real: each branch's estimate with its confidence interval and a shrunken
// estimate next to the raw one, a test against the standard of the typical
// branch (a funnel plot with overdispersion, stats.FunnelNPS and its
// siblings) with Benjamini–Hochberg control of the false discovery rate, a
// test against the branch's own previous period, and how evenly the fleet
// performs. Leagues are ordered by the shrunken estimate, so that a branch
// with a handful of lucky answers does not lead. The numbers come from the
// KPI engine (the same as `cxpulse report`); the statistics from package
// stats.
package compare

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

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
	// Fleet is the pooled value of every branch's answers.
	Fleet Estimate `json:"fleet"`
	// Standard is what each branch is tested against: the value of the
	// typical branch (Centre), the SD of one answer there, the winsorised
	// overdispersion and the between-branch variance of in-control branches.
	Standard stats.Funnel `json:"standard"`
	// Branches, best first by the shrunken estimate.
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
	// the standard, so that luck does not top the league.
	Shrunk float64 `json:"shrunk"`
	// VsStandard tests the branch against the standard (branch − standard).
	VsStandard Test `json:"vs_standard"`
	// Limits are the funnel's control limits for the branch's size.
	Limits Limits `json:"limits"`
	// Flag is "above" or "below" when VsStandard is significant at the FDR.
	Flag string `json:"flag"`
	// Worse is true when the flag means worse than the standard.
	Worse bool `json:"worse"`
	// VsPrevious tests this period against the branch's previous one.
	VsPrevious *Test `json:"vs_previous,omitempty"`
}

// Limits are a funnel's control limits for one sample size: the standard
// ± 1.96 and ± 3.09 SE (95 % and 99.8 %, the two pairs funnel plots draw).
type Limits struct {
	Low95   float64 `json:"low_95"`
	High95  float64 `json:"high_95"`
	Low998  float64 `json:"low_998"`
	High998 float64 `json:"high_998"`
}

// FunnelLimits returns f's control limits for n answers.
func FunnelLimits(f stats.Funnel, n float64) Limits {
	var l Limits
	l.Low95, l.High95 = f.Limits(n, 0.95)
	l.Low998, l.High998 = f.Limits(n, 0.998)
	return l
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
	fo := stats.FunnelOptions{FDR: opts.FDR, Level: opts.Level}
	var screen stats.Screen
	est := map[string]Estimate{}
	var groups []stats.MeanSample
	prevTest := map[string]stats.Test{}
	switch {
	case len(s.nps) > 0 || res.KPI == "nps":
		screen = stats.FunnelNPS(s.nps, fo)
		var fleet stats.NPSCounts
		for _, b := range sortedKeys(s.nps) {
			c := s.nps[b]
			est[b] = estimate(stats.NPSInterval(c.Promoters, c.Passives, c.Detractors, opts.Level))
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
		screen = stats.FunnelMedians(s.samples, fo)
		var all []float64
		for _, b := range sortedKeys(s.samples) {
			xs := s.samples[b]
			all = append(all, xs...)
			est[b] = estimate(stats.MedianInterval(xs, opts.Level))
			groups = append(groups, stats.Describe(xs))
			if p := before.samples[b]; len(p) > 0 && len(xs) > 0 {
				prevTest[b] = stats.MannWhitney(xs, p, opts.Level)
			}
		}
		res.Fleet = estimate(stats.MedianInterval(all, opts.Level))
	default:
		screen = stats.FunnelProportions(s.props, fo)
		var fleet stats.Counts
		for _, b := range sortedKeys(s.props) {
			c := s.props[b]
			est[b] = estimate(stats.WilsonInterval(c.Successes, c.N, opts.Level))
			groups = append(groups, c.Sample())
			fleet.Successes += c.Successes
			fleet.N += c.N
			if p, ok := before.props[b]; ok && p.N > 0 {
				prevTest[b] = stats.CompareProportions(c, p, opts.Level)
			}
		}
		res.Fleet = estimate(stats.WilsonInterval(fleet.Successes, fleet.N, opts.Level))
	}
	res.Standard = screen.Funnel
	res.Consistency = stats.Consistency(groups)
	want := map[string]bool{}
	for _, b := range opts.Branches {
		want[b] = true
	}
	f := screen.Funnel
	evidence := map[string]float64{}
	for _, fl := range screen.Flags {
		if len(want) > 0 && !want[fl.Group] {
			continue
		}
		e, ok := est[fl.Group]
		if !ok || !e.Has {
			continue
		}
		t := toTest(fl.Test)
		t.QValue = fl.QValue
		br := Branch{Branch: fl.Group, Estimate: e, Shrunk: f.Shrink(e.Value, e.N), VsStandard: t,
			Limits: FunnelLimits(f, e.N), Flag: fl.Direction}
		br.Worse = (fl.Direction == stats.Below && res.HigherIsBetter) || (fl.Direction == stats.Above && !res.HigherIsBetter)
		if pt, ok := prevTest[fl.Group]; ok {
			pt := toTest(pt)
			br.VsPrevious = &pt
		}
		evidence[fl.Group] = f.Evidence(e.Value, e.N)
		res.Branches = append(res.Branches, br)
	}
	// Best first by what a manager should believe: the shrunken estimate,
	// then (where τ² = 0 shrinks everyone to the standard) the evidence.
	sort.SliceStable(res.Branches, func(i, j int) bool {
		a, b := res.Branches[i], res.Branches[j]
		ka, kb := [2]float64{a.Shrunk, evidence[a.Branch]}, [2]float64{b.Shrunk, evidence[b.Branch]}
		if !res.HigherIsBetter {
			ka, kb = [2]float64{-ka[0], -ka[1]}, [2]float64{-kb[0], -kb[1]}
		}
		if ka[0] != kb[0] {
			return ka[0] > kb[0]
		}
		return ka[1] > kb[1]
	})
}

func estimate(in stats.Interval) Estimate {
	if in.N == 0 || math.IsNaN(in.Estimate) {
		return Estimate{}
	}
	return Estimate{Has: true, Value: in.Estimate, Low: in.Low, High: in.High, N: in.N}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
