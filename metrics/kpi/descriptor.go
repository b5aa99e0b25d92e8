package kpi

import "context"

// Descriptor is everything one KPI is, in one place: the engine, the jobs,
// /metrics (package expose), the configuration and the dashboards read it
// instead of keeping lists of their own. The table is descriptors.go.
type Descriptor struct {
	Name string // the KPI's name in Row.KPI, the API and snapshots
	Help string // what it measures, one line
	// Job is the scheduled job whose snapshot holds it.
	Job string
	// Families are the passes of the engine that compute it, in Compute's
	// order; a pass computes several KPIs at once (the complaint rate joins
	// two: complaints from the surveys pass, tickets from the tickets pass).
	Families []*Family
	// Dims are the grouping dimensions it can be split by (docs/KPI-ENGINE.md).
	Dims map[string]bool
	// ReadsTickets says it is computed from per-ticket facts, which a job
	// folds into ticket_facts before computing it.
	ReadsTickets bool
	// PerPolicy says its rows are per SLA policy and target (Labels.Policy,
	// Labels.Target; the policy and target labels of its series).
	PerPolicy bool
	// Fields are the values its rows may hold, in the order reports print them.
	Fields []Field
	// Compare says how the branch screen (package compare) compares
	// branches on it; nil when it does not.
	Compare *Comparison
	// Tile puts it on the overview page's fleet tiles; nil when not there.
	Tile *Tile
	// samples adds a ticket's samples of the KPI (its per-ticket durations)
	// to those of its branch in out, for Engine.Samples; nil for a KPI
	// without samples.
	samples func(r *run, t *ticketFact, out map[string][]float64)
}

// HasSamples says Engine.Samples gives the KPI's per-ticket samples: what
// the medians of a comparison (CompareMedians) are taken from.
func (d Descriptor) HasSamples() bool { return d.samples != nil }

// Comparison is how branches are compared on a KPI.
type Comparison struct {
	Title          string
	Unit           Unit // of the compared value
	HigherIsBetter bool
	Method         CompareMethod
	// Successes and Trials name the fields of a proportion: Successes out of
	// the sum of the Trials fields.
	Successes string
	Trials    []string
	// Screen, when not 0, is the KPI's place (from 1) in the compare job's
	// screen of the branches, whose flags and funnels /metrics serves in
	// that order (cxpulse_branch_flagged, cxpulse_compare_*). A per-policy
	// KPI is screened only when policies are configured.
	Screen int
	// League says the overview page ranks the branches on it, under its
	// Tile's title.
	League bool
}

// Tile is a KPI's tile on the overview page: the fleet's value of one field
// and its trend, shown in the field's unit. A per-policy KPI's tile is the
// first policy's first-response target.
type Tile struct {
	Place int // among the tiles, from 1
	Title string
	Value string // the field shown
	// N are the fields whose sum is the sample size behind Value.
	N []string
	// Margin is a field of ± units around Value, shown as its interval;
	// "" for none.
	Margin         string
	HigherIsBetter bool
}

// CompareMethod is the statistics a comparison uses.
type CompareMethod string

// The comparison methods.
const (
	// CompareProportion compares shares (Successes / Trials) per branch.
	CompareProportion CompareMethod = "proportion"
	// CompareNPS compares the promoters, passives and detractors per branch.
	CompareNPS CompareMethod = "nps"
	// CompareMedians compares the per-ticket durations of Engine.Samples.
	CompareMedians CompareMethod = "medians"
)

// Family is one pass of the engine: it reads its queries and computes the
// rows of every KPI that names it.
type Family struct {
	Name    string
	Queries []string // the sql/kpi files (without .sql) it reads its rows from; the ticket fold apart
	compute func(e *Engine, ctx context.Context, r *run) ([]Row, error)
}

// Field is one value of a KPI's rows.
type Field struct {
	Name string // the key in Row.Values, the JSON API and snapshots
	Unit Unit
	Help string
	// Metric is the Prometheus family it is exported as; empty when it is
	// not (Unexported then says why).
	Metric string
	// Quantile, when not 0, says the field is that quantile of its samples
	// (tests compare quantiles by rank, not by value).
	Quantile float64
	// Summary says Metric is a summary: the field is its quantile Quantile,
	// or with Quantile 0 its _count. A summary's _count is the KPI's
	// "count" field and its _sum count × mean_seconds.
	Summary bool
	// Label and LabelValue are a label the field fixes in Metric besides a
	// summary's quantile: fields that share a metric tell their series apart
	// by it (the SLA decisions' outcome="met"|"breached", retention by
	// service experience's experience="bad"|"good", reason=..., bound=...).
	Label, LabelValue string
	// Unexported says why a field has no Metric.
	Unexported string
	// NoPanel says why no dashboard panel shows Metric.
	NoPanel string
}

// Unit is what a field's number is in.
type Unit string

// The units of fields.
const (
	Count   Unit = "count"
	Ratio   Unit = "ratio"   // 0..1
	Percent Unit = "percent" // 0..100, as people read it; exported as a ratio
	Seconds Unit = "seconds" // business seconds for ticket times, plain seconds otherwise
	Score   Unit = "score"   // a survey's own scale (CSAT 1..5, CES 1..7)
	Points  Unit = "points"  // NPS points, -100..100
	Per100  Unit = "per_100" // per 100 tickets opened
	Flag    Unit = "flag"    // 0 or 1
)

// ExportScale is the factor from a value in u to its metric: Prometheus
// keeps shares as 0..1 ratios, so percents are divided by 100.
func (u Unit) ExportScale() float64 {
	if u == Percent {
		return 0.01
	}
	return 1
}

// Descriptors returns every KPI's descriptor, in the table's order.
func Descriptors() []Descriptor { return descriptors }

// Describe returns the descriptor of the KPI name.
func Describe(name string) (Descriptor, bool) {
	i, ok := descriptorIndex[name]
	if !ok {
		return Descriptor{}, false
	}
	return descriptors[i], true
}

// Field returns the field of d named name.
func (d Descriptor) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Metric returns the metric a field of a KPI is exported as, and panics when
// there is none: for code that names series (dashboards), whose tests then
// fail at once on a misspelt KPI or field.
func Metric(kpiName, field string) string {
	d, ok := Describe(kpiName)
	if !ok {
		panic("kpi.Metric: no KPI " + kpiName)
	}
	f, ok := d.Field(field)
	if !ok || f.Metric == "" {
		panic("kpi.Metric: KPI " + kpiName + " exports no field " + field)
	}
	return f.Metric
}

// JobKPIs returns, per scheduled job, the KPIs it computes, in table order.
func JobKPIs() map[string][]string {
	out := map[string][]string{}
	for _, d := range descriptors {
		out[d.Job] = append(out[d.Job], d.Name)
	}
	return out
}

// What the table gives the rest of the package and its users, derived once
// (in init, so that the family functions, which read QuantileFields, and
// the table do not form an initialization cycle).
var (
	descriptorIndex map[string]int
	// Fields lists, per KPI, every value name a Row of that KPI may hold.
	// Ratios and means whose denominator is 0 are left out of Values;
	// counts never are.
	Fields map[string][]string
	// QuantileFields are the fields that hold quantiles, with their level:
	// tests compare them by rank (within 1 % of q·n, KPIS.md), not by value.
	QuantileFields map[string]float64
	// familyOrder are the engine's passes in the order Compute runs them,
	// with the KPIs each computes.
	familyOrder []familyKPIs
)

type familyKPIs struct {
	family *Family
	kpis   []string
}

func init() {
	descriptorIndex = map[string]int{}
	Fields = map[string][]string{}
	QuantileFields = map[string]float64{}
	at := map[*Family]int{}
	for i, d := range descriptors {
		descriptorIndex[d.Name] = i
		for _, f := range d.Fields {
			Fields[d.Name] = append(Fields[d.Name], f.Name)
			if f.Quantile != 0 {
				QuantileFields[f.Name] = f.Quantile
			}
		}
		for _, fam := range d.Families {
			j, ok := at[fam]
			if !ok {
				j = len(familyOrder)
				at[fam] = j
				familyOrder = append(familyOrder, familyKPIs{family: fam})
			}
			familyOrder[j].kpis = append(familyOrder[j].kpis, d.Name)
		}
	}
}
