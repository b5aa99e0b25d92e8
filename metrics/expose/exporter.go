// Package expose serves the KPI snapshots as Prometheus series
// (docs/METRICS.md). Jobs hand each new snapshot to Update, which turns it
// into ready-made, sorted metric families; a scrape (Gather) only hands them
// out, so it never waits for ClickHouse and costs the same whatever the KPIs
// cost. A group missing from a job's new snapshot loses its series at once.
//
// The Exporter is a prometheus.Gatherer rather than a Collector: a Collector
// would have every one of some 200,000 series re-encoded and re-sorted on
// each scrape.
package expose

import (
	"bytes"
	"io"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/rs/zerolog"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// The exporter's own metric families (the KPI ones are the descriptors'),
// for the dashboards that read them.
const (
	MetricSeriesDropped     = "cxpulse_kpi_series_dropped_total"
	MetricSnapshotAge       = "cxpulse_kpi_snapshot_age_seconds"
	MetricSnapshotTimestamp = "cxpulse_kpi_snapshot_timestamp_seconds"
	MetricSnapshotRows      = "cxpulse_kpi_snapshot_rows"
	MetricSLAObjective      = "cxpulse_sla_objective_ratio"
	MetricBranchFlagged     = "cxpulse_branch_flagged"
	MetricCompareValue      = "cxpulse_compare_value"
	MetricCompareAnswers    = "cxpulse_compare_answers"
	MetricCompareShrunk     = "cxpulse_compare_shrunk"
	MetricCompareLimit      = "cxpulse_compare_limit"
	MetricCompareStandard   = "cxpulse_compare_standard"
	MetricCompareBetweenSD  = "cxpulse_compare_between_sd"
)

// Options configure an Exporter.
type Options struct {
	// Regions maps a branch to its region label ("-" when absent).
	Regions map[string]string
	// Policies give the cxpulse_sla_objective_ratio series.
	Policies []sla.Policy
	// TeamSeries and AgentSeries export the rows grouped by team or agent
	// (off by default: they multiply the series count).
	TeamSeries, AgentSeries bool
	// MaxSeries bounds the KPI series; the excess is dropped and counted.
	MaxSeries int
	// Now is the clock of the snapshot-age series (default time.Now).
	Now func() time.Time
}

// Exporter is a prometheus.Gatherer of the latest KPI snapshot of each job.
type Exporter struct {
	opts    Options
	log     zerolog.Logger
	descs   map[string]*prometheus.Desc
	layouts map[string]layout
	help    map[string]string
	dropped prometheus.Counter
	age     *prometheus.Desc
	stamp   *prometheus.Desc
	rows    *prometheus.Desc
	obj     *prometheus.Desc

	mu       sync.RWMutex
	jobs     map[string]*snapshot
	dropping bool // logged that series are dropped; reset when they fit again
}

type snapshot struct {
	asOf     time.Time
	rows     int
	series   int
	families map[string]*dto.MetricFamily // sorted metrics, by family name
	text     []byte                       // the families in the text format
}

// The label names of KPI series: SLA families add policy and target; team
// and agent come only when switched on.
var baseLabels = []string{"branch", "channel", "region", "window"}

// perPolicy are the KPIs whose series carry policy and target labels.
var perPolicy = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range kpi.Descriptors() {
		m[d.Name] = d.PerPolicy
	}
	return m
}()

// New returns an exporter; serve it beside the process registry with
// prometheus.Gatherers{registry, exporter}.
func New(opts Options, log zerolog.Logger) *Exporter {
	if opts.MaxSeries <= 0 {
		opts.MaxSeries = DefaultMaxSeries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Exporter{opts: opts, log: log, descs: map[string]*prometheus.Desc{}, layouts: map[string]layout{}, jobs: map[string]*snapshot{},
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricSeriesDropped,
			Help: "KPI series left out of /metrics because metrics.max_series was reached."}),
		age: prometheus.NewDesc(MetricSnapshotAge,
			"Seconds since the as_of of the KPI snapshot being served, per job.", []string{"kpi_job"}, nil),
		stamp: prometheus.NewDesc(MetricSnapshotTimestamp,
			"as_of of the KPI snapshot being served, per job.", []string{"kpi_job"}, nil),
		rows: prometheus.NewDesc(MetricSnapshotRows,
			"KPI rows in the snapshot being served, per job.", []string{"kpi_job"}, nil),
		obj: prometheus.NewDesc(MetricSLAObjective,
			"The SLA policy's objective: the share of tickets that must meet its targets.", []string{"policy"}, nil),
	}
	var extra []string
	if opts.TeamSeries {
		extra = append(extra, "team")
	}
	if opts.AgentSeries {
		extra = append(extra, "agent")
	}
	help := map[string]string{}
	for _, f := range families {
		if _, ok := help[f.name]; !ok {
			help[f.name] = f.help // a summary's, or a labelled family's, first field says it
		}
	}
	e.help = help
	for _, f := range families {
		if _, ok := e.descs[f.name]; ok {
			continue
		}
		names := append([]string(nil), baseLabels...)
		if f.perPolicy {
			names = append(names, "policy", "target")
		}
		names = append(names, extra...)
		if f.constLabel != "" && f.constLabel != "quantile" {
			names = append(names, f.constLabel)
		}
		e.descs[f.name] = prometheus.NewDesc(f.name, help[f.name], names, nil)
		e.layouts[f.name] = newLayout(names)
	}
	return e
}

// DefaultMaxSeries bounds the KPI series: 200 branches × 9 channel groups ×
// 5 windows × ~45 families, with room to spare.
const DefaultMaxSeries = 500_000

// byKPI indexes families by KPI name.
var byKPI = func() map[string][]family {
	m := map[string][]family{}
	for _, f := range families {
		m[f.kpi] = append(m[f.kpi], f)
	}
	return m
}()

// Update replaces the series of job with those of its snapshot at asOf.
func (e *Exporter) Update(job string, asOf time.Time, rows []kpi.Row) {
	var metrics []named
	for i := range rows {
		r := &rows[i]
		values, ok := e.labelValues(r)
		if !ok {
			continue
		}
		var summary *dto.Metric // the row's quantiles, as one summary sample
		for _, f := range byKPI[r.KPI] {
			v, ok := r.Values[f.field]
			if !ok {
				continue
			}
			if f.constLabel == "quantile" {
				if summary == nil {
					summary = e.layouts[f.name].summary(values, r.Values["count"], r.Values["count"]*r.Values["mean_seconds"])
					metrics = append(metrics, named{f.name, summary})
				}
				q, _ := strconv.ParseFloat(f.constValue, 64)
				summary.Summary.Quantile = append(summary.Summary.Quantile, &dto.Quantile{Quantile: &q, Value: &v})
				continue
			}
			lv := values
			if f.constLabel != "" {
				lv = append(append(make([]string, 0, len(values)+1), values...), f.constValue)
			}
			metrics = append(metrics, named{f.name, e.layouts[f.name].metric(lv, v*f.scale)})
		}
	}
	e.mu.Lock()
	others := 0
	for name, s := range e.jobs {
		if name != job {
			others += s.series
		}
	}
	if room := e.opts.MaxSeries - others; len(metrics) > room {
		room = max(room, 0)
		e.dropped.Add(float64(len(metrics) - room))
		if !e.dropping {
			e.log.Warn().Str("job", job).Int("series", len(metrics)+others).Int("max_series", e.opts.MaxSeries).
				Msg("KPI series over metrics.max_series; the excess is dropped (cxpulse_kpi_series_dropped_total)")
			e.dropping = true
		}
		metrics = metrics[:room]
	} else if e.dropping && others+len(metrics) < e.opts.MaxSeries {
		e.dropping = false
	}
	e.mu.Unlock()

	// Prometheus does not need a family's samples in order, so they stay in
	// row order; encoding happens here, once per snapshot, not per scrape.
	fams := map[string]*dto.MetricFamily{}
	for _, m := range metrics {
		mf := fams[m.family]
		if mf == nil {
			typ := dto.MetricType_GAUGE
			if m.metric.Summary != nil {
				typ = dto.MetricType_SUMMARY
			}
			mf = &dto.MetricFamily{Name: proto(m.family), Help: proto(e.help[m.family]), Type: typ.Enum()}
			fams[m.family] = mf
		}
		mf.Metric = append(mf.Metric, m.metric)
	}
	names := make([]string, 0, len(fams))
	for name := range fams {
		names = append(names, name)
	}
	sort.Strings(names)
	var text bytes.Buffer
	for _, name := range names {
		if _, err := expfmt.MetricFamilyToText(&text, fams[name]); err != nil {
			e.log.Error().Err(err).Str("family", name).Msg("encode KPI series")
		}
	}
	e.mu.Lock()
	e.jobs[job] = &snapshot{asOf: asOf, rows: len(rows), series: len(metrics), families: fams, text: text.Bytes()}
	e.mu.Unlock()
}

type named struct {
	family string
	metric *dto.Metric
}

func proto(s string) *string { return &s }

// labelValues returns the label values of a row, false for rows that are
// not exported: cohorts, report groupings, and team or agent rows that are
// switched off.
func (e *Exporter) labelValues(r *kpi.Row) ([]string, bool) {
	l := r.Labels
	if l.Cohort != "" || l.Region != "" || l.Priority != "" || l.Team == kpi.All || l.Agent == kpi.All {
		return nil, false
	}
	if (l.Team != "" && !e.opts.TeamSeries) || (l.Agent != "" && !e.opts.AgentSeries) {
		return nil, false
	}
	region := kpi.All
	if l.Branch != kpi.All {
		region = e.opts.Regions[l.Branch]
		if region == "" {
			region = kpi.Missing
		}
	}
	out := make([]string, 0, 8)
	out = append(out, l.Branch, l.Channel, region, r.Window)
	if perPolicy[r.KPI] {
		out = append(out, l.Policy, l.Target)
	}
	if e.opts.TeamSeries {
		out = append(out, l.Team)
	}
	if e.opts.AgentSeries {
		out = append(out, l.Agent)
	}
	return out, true
}

// Gather returns the KPI series of every job's latest snapshot and the
// series about the snapshots themselves, sorted by family name (for tests
// and tools; /metrics uses WriteText).
func (e *Exporter) Gather() ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.dropped, snapshotCollector{e})
	out, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	e.mu.RLock()
	merged := map[string]*dto.MetricFamily{}
	for _, s := range e.jobs {
		for name, mf := range s.families {
			if m, ok := merged[name]; ok {
				// two jobs never share a family, but keep the output sound
				merged[name] = &dto.MetricFamily{Name: m.Name, Help: m.Help, Type: m.Type,
					Metric: append(append([]*dto.Metric(nil), m.Metric...), mf.Metric...)}
				continue
			}
			merged[name] = mf
		}
	}
	e.mu.RUnlock()
	for _, mf := range merged {
		out = append(out, mf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out, nil
}

// WriteText writes every KPI series in the Prometheus text format: the
// snapshots' series as encoded once by Update, and the series about the
// snapshots. This is what /metrics serves after the process registry.
func (e *Exporter) WriteText(w io.Writer) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.dropped, snapshotCollector{e})
	mfs, err := reg.Gather()
	if err != nil {
		return err
	}
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(w, mf); err != nil {
			return err
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	jobs := make([]string, 0, len(e.jobs))
	for j := range e.jobs {
		jobs = append(jobs, j)
	}
	sort.Strings(jobs)
	for _, j := range jobs {
		if _, err := w.Write(e.jobs[j].text); err != nil {
			return err
		}
	}
	return nil
}

// snapshotCollector reports the age, time and size of each job's snapshot
// and the SLA objectives, computed at scrape time.
type snapshotCollector struct{ e *Exporter }

func (c snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.e.age
	ch <- c.e.stamp
	ch <- c.e.rows
	ch <- c.e.obj
}

func (c snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	e := c.e
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, p := range e.opts.Policies {
		ch <- prometheus.MustNewConstMetric(e.obj, prometheus.GaugeValue, p.Objective, p.Name)
	}
	now := e.opts.Now()
	for j, s := range e.jobs {
		ch <- prometheus.MustNewConstMetric(e.age, prometheus.GaugeValue, now.Sub(s.asOf).Seconds(), j)
		ch <- prometheus.MustNewConstMetric(e.stamp, prometheus.GaugeValue, float64(s.asOf.UnixMilli())/1000, j)
		ch <- prometheus.MustNewConstMetric(e.rows, prometheus.GaugeValue, float64(s.rows), j)
	}
}

// SetPolicies replaces the policies of cxpulse_sla_objective_ratio (a
// configuration reload); the next scrape shows them.
func (e *Exporter) SetPolicies(policies []sla.Policy) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opts.Policies = append([]sla.Policy(nil), policies...)
}

// Jobs returns the as_of of each job's snapshot being served.
func (e *Exporter) Jobs() map[string]time.Time {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string]time.Time, len(e.jobs))
	for j, s := range e.jobs {
		out[j] = s.asOf
	}
	return out
}

// Compared is one branch's line of a screen against the standard (package
// compare): its value, answers, shrunken estimate and funnel limits, and
// Direction ("above", "below") with Worse when it is flagged. Values are in
// the KPI's scale: a ratio for proportions, points for NPS, seconds for
// response-time medians.
type Compared struct {
	KPI, Window, Branch            string
	Value, Answers, Shrunk         float64
	Low95, High95, Low998, High998 float64
	Direction                      string
	Worse                          bool
}

// Standard is one screen's standard: the typical branch's value and the
// between-branch SD of in-control branches.
type Standard struct {
	KPI, Window       string
	Centre, BetweenSD float64
}

// UpdateComparisons replaces the compare job's series: cxpulse_branch_flagged
// (1 for each branch flagged above or below the standard, worse="true" when
// that is bad news), and the funnel plot's cxpulse_compare_* families.
func (e *Exporter) UpdateComparisons(asOf time.Time, branches []Compared, standards []Standard) {
	gauge := func(name, help string) *dto.MetricFamily {
		return &dto.MetricFamily{Name: proto(name), Type: dto.MetricType_GAUGE.Enum(), Help: proto(help)}
	}
	flagged := gauge(MetricBranchFlagged, "1 for a branch whose KPI differs from the standard of the typical branch beyond noise and the usual spread between branches (funnel plot with overdispersion, false discovery rate controlled); direction above or below, worse when that is bad news.")
	value := gauge(MetricCompareValue, "A branch's KPI value as the compare job screens it: ratio for proportions, points for NPS, seconds for response-time medians.")
	answers := gauge(MetricCompareAnswers, "The answers (or tickets, appointments, callbacks) behind cxpulse_compare_value.")
	shrunk := gauge(MetricCompareShrunk, "A branch's empirical-Bayes estimate, shrunk toward the standard; the league order.")
	limit := gauge(MetricCompareLimit, "The funnel's control limit for the branch's number of answers: level 0.95 or 0.998, bound lower or upper, in the KPI's scale.")
	standard := gauge(MetricCompareStandard, "The standard every branch is compared with: the value of the typical branch (weighted median, Spiegelhalter funnel).")
	between := gauge(MetricCompareBetweenSD, "The between-branch SD of in-control branches (additive overdispersion √τ²) that widens the funnel.")
	fl := newLayout([]string{"kpi", "window", "branch", "direction", "worse"})
	bl := newLayout([]string{"kpi", "window", "branch"})
	ll := newLayout([]string{"kpi", "window", "branch", "level", "bound"})
	sl := newLayout([]string{"kpi", "window"})
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, c := range branches {
		if c.Direction != "" {
			flagged.Metric = append(flagged.Metric, fl.metric([]string{c.KPI, c.Window, c.Branch, c.Direction, strconv.FormatBool(c.Worse)}, 1))
		}
		key := []string{c.KPI, c.Window, c.Branch}
		for _, m := range []struct {
			mf *dto.MetricFamily
			v  float64
		}{{value, c.Value}, {answers, c.Answers}, {shrunk, c.Shrunk}} {
			if finite(m.v) {
				m.mf.Metric = append(m.mf.Metric, bl.metric(key, m.v))
			}
		}
		for _, l := range []struct {
			level, bound string
			v            float64
		}{{"0.95", "lower", c.Low95}, {"0.95", "upper", c.High95}, {"0.998", "lower", c.Low998}, {"0.998", "upper", c.High998}} {
			if finite(l.v) {
				limit.Metric = append(limit.Metric, ll.metric(append(key[:3:3], l.level, l.bound), l.v))
			}
		}
	}
	for _, s := range standards {
		if finite(s.Centre) {
			standard.Metric = append(standard.Metric, sl.metric([]string{s.KPI, s.Window}, s.Centre))
			between.Metric = append(between.Metric, sl.metric([]string{s.KPI, s.Window}, s.BetweenSD))
		}
	}
	var text bytes.Buffer
	fams := map[string]*dto.MetricFamily{}
	series := 0
	for _, mf := range []*dto.MetricFamily{flagged, value, answers, shrunk, limit, standard, between} {
		if len(mf.Metric) == 0 {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&text, mf); err != nil {
			e.log.Error().Err(err).Str("family", mf.GetName()).Msg("encode comparison")
			continue
		}
		fams[mf.GetName()] = mf
		series += len(mf.Metric)
	}
	e.mu.Lock()
	e.jobs["compare"] = &snapshot{asOf: asOf, rows: len(branches), series: series, families: fams, text: text.Bytes()}
	e.mu.Unlock()
}
