package dashboards

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// stringLiterals returns every string literal of the package's non-test Go
// files, by file:line.
func stringLiterals(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			out[fset.Position(lit.Pos()).String()] = s
			return true
		})
	}
	require.Greater(t, len(out), 100, "too few string literals parsed")
	return out
}

// The panels name KPI series by their descriptor field (kpimetrics.go),
// and the other series by the constants of the packages that register them
// (ingest, metrics/schedule, metrics/expose), never by a literal: a metric
// renamed where it is defined must move every panel with it. Prose that
// names a metric is checked against the contract instead
// (TestDescriptionsNameContractMetrics).
func TestNoMetricLiterals(t *testing.T) {
	kpiMetric := map[string]bool{}
	for _, d := range kpi.Descriptors() {
		for _, f := range d.Fields {
			if f.Metric != "" {
				kpiMetric[f.Metric] = true
			}
		}
	}
	for where, s := range stringLiterals(t) {
		// sentences (descriptions) may name a metric; PromQL has none
		if strings.Contains(s, ". ") || strings.HasSuffix(s, ".") {
			continue
		}
		for _, n := range metricNameRE.FindAllString(s, -1) {
			base := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				base = strings.TrimSuffix(base, suffix)
			}
			if kpiMetric[base] {
				t.Errorf("%s: %q spells the KPI metric %s; use the kpi.Metric of its field", where, s, n)
			} else {
				t.Errorf("%s: %q spells the metric %s; use the constant of the package that registers it", where, s, n)
			}
		}
	}
}

// Every cxpulse_ name the dashboards' text spells (descriptions, rows) is a
// metric of the contract (docs/METRICS.md) or ingest's own, or a prefix of
// some ("cxpulse_kpi_*"): a renamed metric leaves no stale description.
func TestDescriptionsNameContractMetrics(t *testing.T) {
	known := knownMetrics(t)
	for where, s := range stringLiterals(t) {
		for _, n := range metricNameRE.FindAllString(s, -1) {
			if known[n] || strings.HasPrefix(n, "cxpulse_ingest_") {
				continue
			}
			prefix := false
			for k := range known {
				prefix = prefix || (strings.HasSuffix(n, "_") && strings.HasPrefix(k, n))
			}
			require.True(t, prefix, "%s: %s is no metric of docs/METRICS.md nor a prefix of one", where, n)
		}
	}
}
