package expose

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

var asOf = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func row(k, window string, l kpi.Labels, values map[string]float64) kpi.Row {
	return kpi.Row{KPI: k, Window: window, AsOf: asOf, Labels: l, Values: values}
}

func gather(t testing.TB, e *Exporter) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := prometheus.Gatherers{prometheus.NewPedanticRegistry(), e}.Gather()
	require.NoError(t, err)
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// value finds the sample of family with exactly these labels.
func value(t testing.TB, mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] != lp.GetValue() {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

func TestSeriesFollowTheSnapshots(t *testing.T) {
	e := New(Options{Regions: map[string]string{"praha-1": "cz"}, Now: func() time.Time { return asOf.Add(45 * time.Second) },
		Policies: []sla.Policy{{Name: "chat", Objective: 0.9}}}, zerolog.Nop())
	praha := kpi.Labels{Branch: "praha-1", Channel: "chat"}
	e.Update("satisfaction", asOf, []kpi.Row{
		row(kpi.NPS, "30d", praha, map[string]float64{"nps": 25, "responses": 40, "promoters": 20, "passives": 10, "detractors": 10, "margin_of_error": 24.1, "low_confidence": 0}),
		row(kpi.CSAT, "30d", kpi.Labels{Branch: kpi.All, Channel: kpi.All}, map[string]float64{"csat_percent": 80, "responses": 10, "satisfied": 8, "mean_score": 4.1}),
		row(kpi.Cohort, "cohort", kpi.Labels{Branch: "praha-1", Channel: kpi.All, Cohort: "2026-10"}, map[string]float64{"size": 3}),
	})
	e.Update("sla_now", asOf, []kpi.Row{
		row(kpi.SLANow, "30d", kpi.Labels{Branch: "praha-1", Channel: "chat", Policy: "chat", Target: sla.TargetFirstResponse},
			map[string]float64{"open": 3, "breaching": 1, "at_risk": 1, "oldest_wait_seconds": 900}),
	})
	mfs := gather(t, e)
	base := map[string]string{"branch": "praha-1", "channel": "chat", "region": "cz", "window": "30d"}
	v, ok := value(t, mfs, "cxpulse_nps", base)
	require.True(t, ok)
	require.Equal(t, 25.0, v)
	v, ok = value(t, mfs, "cxpulse_csat_ratio", map[string]string{"branch": "all", "channel": "all", "region": "all", "window": "30d"})
	require.True(t, ok)
	require.InDelta(t, 0.8, v, 1e-12, "CSAT is exported as a 0..1 ratio")
	slaLabels := map[string]string{"branch": "praha-1", "channel": "chat", "region": "cz", "window": "30d", "policy": "chat", "target": "first_response"}
	v, ok = value(t, mfs, "cxpulse_sla_oldest_waiting_seconds", slaLabels)
	require.True(t, ok)
	require.Equal(t, 900.0, v)
	v, ok = value(t, mfs, "cxpulse_kpi_snapshot_age_seconds", map[string]string{"kpi_job": "sla_now"})
	require.True(t, ok)
	require.Equal(t, 45.0, v)
	v, ok = value(t, mfs, "cxpulse_sla_objective_ratio", map[string]string{"policy": "chat"})
	require.True(t, ok)
	require.Equal(t, 0.9, v)
	for name := range mfs {
		require.NotContains(t, name, "cohort", "cohorts stay in ClickHouse")
	}

	// the next snapshot no longer has praha-1: its series disappear
	e.Update("satisfaction", asOf.Add(time.Minute), []kpi.Row{
		row(kpi.NPS, "30d", kpi.Labels{Branch: kpi.All, Channel: kpi.All}, map[string]float64{"nps": 10, "responses": 50}),
	})
	mfs = gather(t, e)
	_, ok = value(t, mfs, "cxpulse_nps", base)
	require.False(t, ok, "a group without data loses its series")
	_, ok = value(t, mfs, "cxpulse_nps", map[string]string{"branch": "all", "channel": "all", "region": "all", "window": "30d"})
	require.True(t, ok)
	_, ok = value(t, mfs, "cxpulse_sla_breaching_now", slaLabels)
	require.True(t, ok, "other jobs' series stay")
}

// A configuration reload replaces the policies: the objectives follow at
// the next scrape, a removed policy loses its series.
func TestSetPoliciesReplacesTheObjectives(t *testing.T) {
	e := New(Options{Policies: []sla.Policy{{Name: "chat", Objective: 0.9}}}, zerolog.Nop())
	e.SetPolicies([]sla.Policy{{Name: "email", Objective: 0.97}})
	mfs := gather(t, e)
	v, ok := value(t, mfs, "cxpulse_sla_objective_ratio", map[string]string{"policy": "email"})
	require.True(t, ok)
	require.Equal(t, 0.97, v)
	_, ok = value(t, mfs, "cxpulse_sla_objective_ratio", map[string]string{"policy": "chat"})
	require.False(t, ok, "the replaced policy's objective is gone")
}

func TestSeriesLimitDropsAndCounts(t *testing.T) {
	e := New(Options{MaxSeries: 5}, zerolog.Nop())
	var rows []kpi.Row
	for i := 0; i < 4; i++ {
		rows = append(rows, row(kpi.CES, "30d", kpi.Labels{Branch: fmt.Sprintf("b%d", i), Channel: kpi.All},
			map[string]float64{"mean_score": 5, "responses": 10}))
	}
	e.Update("satisfaction", asOf, rows)
	mfs := gather(t, e)
	n := len(mfs["cxpulse_ces_mean"].GetMetric()) + len(mfs["cxpulse_ces_responses"].GetMetric())
	require.Equal(t, 5, n)
	require.Equal(t, 3.0, mfs["cxpulse_kpi_series_dropped_total"].GetMetric()[0].GetCounter().GetValue())
}

func TestTeamSeriesOnlyWhenSwitchedOn(t *testing.T) {
	rows := []kpi.Row{
		row(kpi.CSAT, "7d", kpi.Labels{Branch: "b1", Channel: kpi.All, Team: "front"}, map[string]float64{"csat_percent": 50, "responses": 2, "satisfied": 1}),
		row(kpi.CSAT, "7d", kpi.Labels{Branch: "b1", Channel: kpi.All, Team: kpi.All}, map[string]float64{"csat_percent": 50, "responses": 2, "satisfied": 1}),
	}
	off := New(Options{}, zerolog.Nop())
	off.Update("satisfaction", asOf, rows)
	require.NotContains(t, gather(t, off), "cxpulse_csat_ratio")

	on := New(Options{TeamSeries: true}, zerolog.Nop())
	on.Update("satisfaction", asOf, rows)
	mfs := gather(t, on)
	require.Len(t, mfs["cxpulse_csat_ratio"].GetMetric(), 1, "the team=all copy is the team-less row again")
	_, ok := value(t, mfs, "cxpulse_csat_ratio", map[string]string{"branch": "b1", "channel": "all", "region": "-", "window": "7d", "team": "front"})
	require.True(t, ok)
}

// docs/METRICS.md and the code name the same families.
func TestFamiliesAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/METRICS.md")
	require.NoError(t, err)
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(cxpulse_[a-z0-9_]+)`").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	code := map[string]bool{"cxpulse_sla_objective_ratio": true, "cxpulse_kpi_snapshot_age_seconds": true,
		"cxpulse_kpi_snapshot_timestamp_seconds": true, "cxpulse_kpi_snapshot_rows": true, "cxpulse_kpi_series_dropped_total": true, "cxpulse_branch_flagged": true,
		"cxpulse_compare_value": true, "cxpulse_compare_answers": true, "cxpulse_compare_shrunk": true, "cxpulse_compare_limit": true,
		"cxpulse_compare_standard": true, "cxpulse_compare_between_sd": true}
	for _, f := range families {
		code[f.name] = true
		require.True(t, documented[f.name], "%s is exported but not in docs/METRICS.md", f.name)
	}
	var missing []string
	for name := range documented {
		// the job scheduler's and the process's own series come from elsewhere
		if !code[name] && !strings.HasPrefix(name, "cxpulse_kpi_job_") && !strings.HasPrefix(name, "cxpulse_config_") && name != "cxpulse_build_info" {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "documented in docs/METRICS.md but not exported")
}

// A fleet of 200 branches × (8 channels + all) × 5 windows: what one scrape
// costs, and what turning a snapshot into series costs.
func fleetRows() []kpi.Row {
	channels := []string{"phone", "email", "chat", "social", "web", "in_person", "self_service", "other", kpi.All}
	var rows []kpi.Row
	for b := 0; b < 200; b++ {
		for _, c := range channels {
			for _, w := range kpi.DefaultWindows {
				for _, k := range []string{kpi.NPS, kpi.CSAT, kpi.CES, kpi.FirstResponse, kpi.Resolution, kpi.Volume, kpi.Reopen, kpi.FCR, kpi.Complaints} {
					vals := map[string]float64{}
					for _, f := range kpi.Fields[k] {
						vals[f] = 1
					}
					rows = append(rows, row(k, w, kpi.Labels{Branch: fmt.Sprintf("branch-%d", b), Channel: c}, vals))
				}
			}
		}
	}
	return rows
}

// BenchmarkScrape is what /metrics does: gather the process registry and
// the KPI series, and encode them as text.
func BenchmarkScrape(b *testing.B) {
	e := New(Options{}, zerolog.Nop())
	e.Update("fleet", asOf, fleetRows())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(series(e)), "series")
}

func series(e *Exporter) int {
	n := 0
	for _, s := range e.jobs {
		n += s.series
	}
	return n
}

func BenchmarkUpdate(b *testing.B) {
	e := New(Options{}, zerolog.Nop())
	rows := fleetRows()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Update("fleet", asOf, rows)
	}
}

// The text /metrics serves parses, and holds the same series as Gather.
func TestWriteTextMatchesGather(t *testing.T) {
	e := New(Options{}, zerolog.Nop())
	rows := fleetRows()[:500]
	e.Update("fleet", asOf, rows)
	var buf bytes.Buffer
	require.NoError(t, e.WriteText(&buf))
	parser := expfmt.NewTextParser(model.LegacyValidation)
	parsed, err := parser.TextToMetricFamilies(&buf)
	require.NoError(t, err)
	mfs := gather(t, e)
	require.Equal(t, len(mfs), len(parsed))
	for name, mf := range mfs {
		require.Len(t, parsed[name].GetMetric(), len(mf.GetMetric()), name)
	}
}
