package kpi

import (
	"math"
	"sort"
)

// dimValues are the values one fact has for each dimension.
type dimValues struct {
	branch, channel, region, team, agent, priority string
}

func (v dimValues) get(dim string) string {
	switch dim {
	case DimBranch:
		return v.branch
	case DimChannel:
		return v.channel
	case DimRegion:
		return v.region
	case DimTeam:
		return v.team
	case DimAgent:
		return v.agent
	default:
		return v.priority
	}
}

func setDim(l *Labels, dim, value string) {
	switch dim {
	case DimBranch:
		l.Branch = value
	case DimChannel:
		l.Channel = value
	case DimRegion:
		l.Region = value
	case DimTeam:
		l.Team = value
	case DimAgent:
		l.Agent = value
	case DimPriority:
		l.Priority = value
	}
}

// Which dimensions each family of KPIs can be split by (docs/KPI-ENGINE.md).
var (
	ticketDims = map[string]bool{DimBranch: true, DimChannel: true, DimRegion: true, DimTeam: true, DimAgent: true, DimPriority: true}
	surveyDims = map[string]bool{DimBranch: true, DimChannel: true, DimRegion: true, DimTeam: true, DimAgent: true}
	branchDims = map[string]bool{DimBranch: true, DimRegion: true}
)

// grouping expands one fact into every group it counts in: each dimension
// of By that applies is crossed with All; the others are All (Branch and
// Channel) or left empty.
type grouping struct {
	by      []string
	regions map[string]string
}

func (g grouping) values(branch, channel, team, agent, priority string) dimValues {
	region, ok := g.regions[branch]
	if !ok || region == "" {
		region = Missing
	}
	return dimValues{branch: branch, channel: channel, region: region,
		team: orMissing(team), agent: orMissing(agent), priority: orMissing(priority)}
}

func orMissing(s string) string {
	if s == "" {
		return Missing
	}
	return s
}

// labels returns the label sets of a fact with values v for a KPI that can be
// split by the dimensions in applies.
func (g grouping) labels(v dimValues, applies map[string]bool) []Labels {
	var split, fixed []string
	for _, d := range g.by {
		if applies[d] {
			split = append(split, d)
		} else {
			fixed = append(fixed, d)
		}
	}
	var base Labels
	base.Branch, base.Channel = All, All
	for _, d := range fixed {
		setDim(&base, d, All)
	}
	out := make([]Labels, 0, 1<<len(split))
	for mask := 0; mask < 1<<len(split); mask++ {
		l := base
		for i, d := range split {
			if mask&(1<<i) != 0 {
				setDim(&l, d, v.get(d))
			} else {
				setDim(&l, d, All)
			}
		}
		out = append(out, l)
	}
	return out
}

// cell accumulates one group's counts, sums and samples.
type cell struct {
	sums    map[string]float64
	samples map[string][]float64
}

func (c *cell) add(field string, x float64) { c.sums[field] += x }

func (c *cell) sample(field string, x float64) { c.samples[field] = append(c.samples[field], x) }

// table collects the cells of one KPI and window.
type table struct {
	kpi, window string
	cells       map[Labels]*cell
	order       []Labels
}

func newTable(kpi, window string) *table {
	return &table{kpi: kpi, window: window, cells: map[Labels]*cell{}}
}

func (t *table) at(l Labels) *cell {
	c, ok := t.cells[l]
	if !ok {
		c = &cell{sums: map[string]float64{}, samples: map[string][]float64{}}
		t.cells[l] = c
		t.order = append(t.order, l)
	}
	return c
}

// each calls fn for every label set of the fact.
func (t *table) each(ls []Labels, fn func(c *cell)) {
	for _, l := range ls {
		fn(t.at(l))
	}
}

// rows turns the cells into rows through finish, which derives the values of
// one cell (returning nil for a cell without data).
func (t *table) rows(p Params, finish func(l Labels, c *cell) map[string]float64) []Row {
	out := make([]Row, 0, len(t.cells))
	for _, l := range t.order {
		vals := finish(l, t.cells[l])
		if vals == nil {
			continue
		}
		out = append(out, Row{KPI: t.kpi, Window: t.window, AsOf: p.AsOf, Labels: l, Values: vals})
	}
	return out
}

// ratio sets name to num/den when den > 0.
func ratio(vals map[string]float64, name string, num, den float64) {
	if den > 0 {
		vals[name] = num / den
	}
}

// quantile is the nearest-rank quantile of the samples: sorted[ceil(q·n)−1].
// It sorts xs in place.
func quantile(xs []float64, q float64) float64 {
	sort.Float64s(xs)
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	if i < 0 {
		i = 0
	}
	return xs[i]
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
