package kpi

import (
	"math"
	"sort"
)

// dimValues are the values one fact has for each dimension.
type dimValues struct {
	branch, channel, region, team, agent, priority string
}

// field is where v keeps dim's value.
func (v *dimValues) field(dim string) *string {
	switch dim {
	case DimBranch:
		return &v.branch
	case DimChannel:
		return &v.channel
	case DimRegion:
		return &v.region
	case DimTeam:
		return &v.team
	case DimAgent:
		return &v.agent
	default:
		return &v.priority
	}
}

func (v dimValues) get(dim string) string { return *v.field(dim) }

// field is where l keeps dim's value.
func (l *Labels) field(dim string) *string {
	switch dim {
	case DimBranch:
		return &l.Branch
	case DimChannel:
		return &l.Channel
	case DimRegion:
		return &l.Region
	case DimTeam:
		return &l.Team
	case DimAgent:
		return &l.Agent
	default:
		return &l.Priority
	}
}

func setDim(l *Labels, dim, value string) { *l.field(dim) = value }

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

// cell accumulates one group's counts, sums and samples. Fields are few per
// KPI, so parallel slices searched in order beat maps here: a refresh adds
// to cells millions of times.
type cell struct {
	names   []string
	sums    []float64
	snames  []string
	samples [][]float64
}

func (c *cell) add(field string, x float64) {
	for i, n := range c.names {
		if n == field {
			c.sums[i] += x
			return
		}
	}
	c.names = append(c.names, field)
	c.sums = append(c.sums, x)
}

// sum is the total added to field (0 when nothing was).
func (c *cell) sum(field string) float64 {
	if c == nil {
		return 0
	}
	for i, n := range c.names {
		if n == field {
			return c.sums[i]
		}
	}
	return 0
}

func (c *cell) sample(field string, x float64) {
	for i, n := range c.snames {
		if n == field {
			c.samples[i] = append(c.samples[i], x)
			return
		}
	}
	c.snames = append(c.snames, field)
	c.samples = append(c.samples, []float64{x})
}

// samplesOf returns the samples of field (nil when none).
func (c *cell) samplesOf(field string) []float64 {
	for i, n := range c.snames {
		if n == field {
			return c.samples[i]
		}
	}
	return nil
}

// groupIndex numbers label sets, so that the tables of one computation look
// a fact's groups up once and then index slices.
type groupIndex struct {
	ids    map[Labels]int32
	labels []Labels
}

func newGroupIndex() *groupIndex { return &groupIndex{ids: map[Labels]int32{}} }

func (g *groupIndex) id(l Labels) int32 {
	id, ok := g.ids[l]
	if !ok {
		id = int32(len(g.labels))
		g.ids[l] = id
		g.labels = append(g.labels, l)
	}
	return id
}

func (g *groupIndex) idsOf(ls []Labels) []int32 {
	out := make([]int32, len(ls))
	for i, l := range ls {
		out[i] = g.id(l)
	}
	return out
}

// table collects the cells of one KPI and window.
type table struct {
	kpi, window string
	idx         *groupIndex
	cells       []*cell // by group id
	order       []int32 // group ids in the order cells appeared
}

func newTable(kpi, window string) *table { return newTableIn(newGroupIndex(), kpi, window) }

// newTableIn makes a table whose groups are numbered by idx, shared with
// other tables of the same facts.
func newTableIn(idx *groupIndex, kpi, window string) *table {
	return &table{kpi: kpi, window: window, idx: idx}
}

func (t *table) atID(id int32) *cell {
	if int(id) >= len(t.cells) {
		t.cells = append(t.cells, make([]*cell, int(id)+1-len(t.cells))...)
	}
	c := t.cells[id]
	if c == nil {
		c = &cell{}
		t.cells[id] = c
		t.order = append(t.order, id)
	}
	return c
}

func (t *table) at(l Labels) *cell { return t.atID(t.idx.id(l)) }

// get returns the cell of l, nil when it has none.
func (t *table) get(l Labels) *cell {
	id, ok := t.idx.ids[l]
	if !ok || int(id) >= len(t.cells) {
		return nil
	}
	return t.cells[id]
}

// each calls fn for every label set of the fact.
func (t *table) each(ls []Labels, fn func(c *cell)) {
	for _, l := range ls {
		fn(t.at(l))
	}
}

// eachID calls fn for every group id of the fact.
func (t *table) eachID(ids []int32, fn func(c *cell)) {
	for _, id := range ids {
		fn(t.atID(id))
	}
}

// rows turns the cells into rows through finish, which derives the values of
// one cell (returning nil for a cell without data).
func (t *table) rows(p Params, finish func(l Labels, c *cell) map[string]float64) []Row {
	out := make([]Row, 0, len(t.order))
	for _, id := range t.order {
		l := t.idx.labels[id]
		vals := finish(l, t.cells[id])
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

// fineGroups numbers the finest groups of one family of KPIs: every
// grouping dimension that applies to the family set to the fact's value.
// Facts are reduced to these once; coarser groups are unions of them.
type fineGroups struct {
	g      grouping
	dims   map[string]bool
	blank  []string // dimensions that do not split these groups
	ids    map[dimValues]int32
	values []dimValues
}

func newFineGroups(r *run, dims map[string]bool) *fineGroups {
	f := &fineGroups{g: r.g, dims: dims, ids: map[dimValues]int32{}}
	keep := map[string]bool{}
	for _, d := range r.g.by {
		keep[d] = dims[d]
	}
	for _, d := range Dims {
		if !keep[d] {
			f.blank = append(f.blank, d)
		}
	}
	return f
}

// id returns the finest group of a fact with values v; dimensions that are
// not grouped by are blanked, so that they do not split groups.
func (f *fineGroups) id(v dimValues) int32 {
	for _, d := range f.blank {
		*v.field(d) = ""
	}
	id, ok := f.ids[v]
	if !ok {
		id = int32(len(f.values))
		f.ids[v] = id
		f.values = append(f.values, v)
	}
	return id
}

// coarseGroup is a group and the finest groups it is the union of.
type coarseGroup struct {
	labels  Labels
	members []int
}

// less orders finest groups by their values, so that every group adds its
// members up in the same order on every run.
func (v dimValues) less(o dimValues) bool {
	a := [6]string{v.branch, v.channel, v.region, v.team, v.agent, v.priority}
	b := [6]string{o.branch, o.channel, o.region, o.team, o.agent, o.priority}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// coarse returns every group with the finest groups in it, in a stable order.
func (f *fineGroups) coarse() []coarseGroup {
	index := map[Labels]int{}
	var out []coarseGroup
	for id, v := range f.values {
		for _, l := range f.g.labels(v, f.dims) {
			i, ok := index[l]
			if !ok {
				i = len(out)
				index[l] = i
				out = append(out, coarseGroup{labels: l})
			}
			out[i].members = append(out[i].members, id)
		}
	}
	for _, g := range out {
		sort.Slice(g.members, func(i, j int) bool { return f.values[g.members[i]].less(f.values[g.members[j]]) })
	}
	sort.Slice(out, func(i, j int) bool { return out[i].labels.String() < out[j].labels.String() })
	return out
}

// quantiles returns the nearest-rank quantiles named by fields (keys of
// QuantileFields), in that order, reordering xs. Selection instead of a full
// sort keeps a refresh linear in the number of samples.
func quantiles(xs []float64, fields []string) []float64 {
	out := make([]float64, len(fields))
	type want struct {
		k, i int
	}
	ws := make([]want, len(fields))
	for i, f := range fields {
		k := int(math.Ceil(QuantileFields[f]*float64(len(xs)))) - 1
		ws[i] = want{k: max(0, min(k, len(xs)-1)), i: i}
	}
	sort.Slice(ws, func(a, b int) bool { return ws[a].k < ws[b].k })
	lo := 0
	for _, w := range ws {
		out[w.i] = selectKth(xs, lo, len(xs)-1, w.k)
		lo = w.k
	}
	return out
}

// selectKth puts the k-th smallest of xs[lo..hi] at xs[k] and returns it
// (three-way partitioning: business times repeat a lot, zeros above all).
func selectKth(xs []float64, lo, hi, k int) float64 {
	for lo < hi {
		pivot := median3(xs[lo], xs[lo+(hi-lo)/2], xs[hi])
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch {
			case xs[i] < pivot:
				xs[lt], xs[i] = xs[i], xs[lt]
				lt++
				i++
			case xs[i] > pivot:
				xs[i], xs[gt] = xs[gt], xs[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return xs[k]
		}
	}
	return xs[k]
}

func median3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	if a > b {
		b = a
	}
	return b
}
