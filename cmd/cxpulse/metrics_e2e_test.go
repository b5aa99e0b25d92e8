package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// scrape reads a process's /metrics.
func (pr *process) scrape() (map[string]*dto.MetricFamily, error) {
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + pr.httpAddr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return parseMetrics(body)
}

func parseMetrics(text []byte) (map[string]*dto.MetricFamily, error) {
	parser := expfmt.NewTextParser(model.LegacyValidation)
	return parser.TextToMetricFamilies(bytes.NewReader(text))
}

// documentedFamilies are the KPI families of docs/METRICS.md.
func documentedFamilies(t *testing.T) []string {
	doc, err := os.ReadFile("../../docs/METRICS.md")
	require.NoError(t, err)
	section := string(doc)[strings.Index(string(doc), "## KPI series"):strings.Index(string(doc), "## KPI job and exposition series")]
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(cxpulse_[a-z0-9_]+)`").FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	require.Greater(t, len(out), 40)
	return out
}

// sampleKey identifies a sample: its family and its labels.
func sampleKey(family string, m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return family + "{" + strings.Join(parts, ",") + "}"
}

func sampleValues(m *dto.Metric) []float64 {
	switch {
	case m.GetSummary() != nil:
		s := m.GetSummary()
		out := []float64{float64(s.GetSampleCount()), s.GetSampleSum()}
		for _, q := range s.GetQuantile() {
			out = append(out, q.GetQuantile(), q.GetValue())
		}
		return out
	default:
		return []float64{m.GetGauge().GetValue()}
	}
}

// cxpulse run/compute on generated data serves every KPI family of
// docs/METRICS.md, and every served value is what `cxpulse report` computes
// for the same as_of.
func TestMetricsEqualReport(t *testing.T) {
	p := newPipeline(t)
	// Two weeks, not one: with one, some hours of the day leave no late
	// appointment in the data and the late-delay family undefined (the CI
	// run of 2026-12-03 12:12 UTC).
	recs, truth := generateFrom(t, generatorFor(t, 31, time.Now().UTC().Truncate(time.Minute), 14))
	p.appendConfig(generatedCalendars(t, 31) + slaPolicies)
	ing := p.start("ingest")
	p.produce(recs)
	p.waitForAll(truth, 3*time.Minute)
	require.NoError(t, ing.stop(t, syscall.SIGTERM))

	compute := p.startCommand("compute", "compute")
	jobs := []string{"sla_now", "tickets", "satisfaction", "retention"}
	var mfs map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		var err error
		if mfs, err = compute.scrape(); err != nil {
			return false
		}
		stamps := mfs["cxpulse_kpi_snapshot_timestamp_seconds"]
		// the compare job writes no snapshot: its series show it has run
		return stamps != nil && len(stamps.GetMetric()) >= len(jobs) && mfs["cxpulse_branch_flagged"] != nil
	}, 2*time.Minute, time.Second, "every job's snapshot and the comparison are served")
	require.NoError(t, compute.stop(t, syscall.SIGTERM))

	for _, name := range documentedFamilies(t) {
		require.Contains(t, mfs, name, "family %s is on /metrics", name)
		require.NotEmpty(t, mfs[name].GetMetric(), name)
	}

	cfg, err := config.LoadFile(p.configPath)
	require.NoError(t, err)
	exp := (&app{cfg: cfg, log: zerolog.Nop()}).newExporter()
	windows := strings.Join(cfg.KPI.Windows, ",")
	for _, m := range mfs["cxpulse_kpi_snapshot_timestamp_seconds"].GetMetric() {
		job := m.GetLabel()[0].GetValue()
		if job == config.CompareJob {
			continue // flags, not KPI rows: compared in the compare package's tests
		}
		asOf := time.UnixMilli(int64(m.GetGauge().GetValue() * 1000)).UTC()
		out := p.stdout("report", "--format", "json", "--as-of", asOf.Format(time.RFC3339Nano),
			"--window", windows, "--kpi", strings.Join(config.JobKPIs[job], ","))
		var rows []kpi.Row
		require.NoError(t, json.Unmarshal([]byte(out), &rows))
		require.NotEmpty(t, rows, "report of %s as of %s", job, asOf)
		exp.Update(job, asOf, rows)
	}
	var want bytes.Buffer
	require.NoError(t, exp.WriteText(&want))
	expected, err := parseMetrics(want.Bytes())
	require.NoError(t, err)

	compared := 0
	for name, mf := range expected {
		if strings.HasPrefix(name, "cxpulse_kpi_") {
			continue // about the snapshots: age differs by nature
		}
		got := map[string][]float64{}
		for _, m := range mfs[name].GetMetric() {
			got[sampleKey(name, m)] = sampleValues(m)
		}
		require.Len(t, mfs[name].GetMetric(), len(mf.GetMetric()), "series of %s", name)
		for _, m := range mf.GetMetric() {
			k := sampleKey(name, m)
			require.Contains(t, got, k)
			want := sampleValues(m)
			require.Len(t, got[k], len(want), k)
			for i := range want {
				require.InEpsilon(t, want[i]+1, got[k][i]+1, 1e-12, k) // +1: zeros compare too
			}
			compared++
		}
	}
	require.Greater(t, compared, 1000)
	t.Logf("compared %d series with cxpulse report", compared)
}
