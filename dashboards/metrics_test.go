package dashboards

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// knownMetrics reads the metric families of docs/METRICS.md, the metric
// contract: the first backquoted cxpulse_ name of each table row. Rows that
// say "histogram" also allow the _bucket, _sum and _count series.
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "docs", "METRICS.md"))
	require.NoError(t, err)
	defer f.Close()
	row := regexp.MustCompile("^\\|\\s*`(cxpulse_[a-z0-9_]+)`")
	known := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		known[m[1]] = true
		if strings.Contains(sc.Text(), "histogram") {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				known[m[1]+suffix] = true
			}
		}
	}
	require.NoError(t, sc.Err())
	require.Greater(t, len(known), 50, "METRICS.md parsed to too few metrics")
	return known
}

var (
	metricNameRE = regexp.MustCompile(`\bcxpulse_[a-zA-Z0-9_]+`)
	// an identifier followed by { is a selector's metric name
	selectorRE = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{`)
)

func metricsOf(expr string) []string {
	names := metricNameRE.FindAllString(expr, -1)
	for _, m := range selectorRE.FindAllStringSubmatch(expr, -1) {
		names = append(names, m[1])
	}
	return names
}

// promQL returns every PromQL target and variable query of the boards, by
// where it stands.
func promQL() map[string]string {
	exprs := map[string]string{}
	for _, b := range All() {
		for _, tg := range Targets(b) {
			if tg.Datasource == DatasourcePrometheus {
				exprs[b.UID+" / "+tg.Panel+" "+tg.RefID] = tg.Expr
			}
		}
		for _, v := range b.Templating.List {
			if q, ok := v.Query.(string); ok && v.Type == "query" {
				exprs[b.UID+" / variable "+v.Name] = q
			}
		}
	}
	return exprs
}

// shownMetrics are the metrics some PromQL of the boards reads, a
// histogram's or summary's _bucket, _sum and _count as the family's.
func shownMetrics() map[string]bool {
	used := map[string]bool{}
	for _, expr := range promQL() {
		for _, n := range metricsOf(expr) {
			used[n] = true
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				used[strings.TrimSuffix(n, suffix)] = true
			}
		}
	}
	return used
}

// Every PromQL target and variable query names only metrics of the contract
// (docs/METRICS.md) or ingest's own cxpulse_ingest_* (listed in the README).
func TestPromQLUsesContractMetrics(t *testing.T) {
	known := knownMetrics(t)
	allowed := func(name string) bool {
		return known[name] || strings.HasPrefix(name, "cxpulse_ingest_")
	}
	for where, expr := range promQL() {
		names := metricsOf(expr)
		require.NotEmpty(t, names, "%s: no metric in %s", where, expr)
		for _, n := range names {
			require.True(t, allowed(n), "%s: %s is not in docs/METRICS.md", where, n)
		}
	}
	used := shownMetrics()
	var unused []string
	for n := range known {
		if !used[n] && !strings.HasSuffix(n, "_sum") && !strings.HasSuffix(n, "_count") && !strings.HasSuffix(n, "_bucket") {
			unused = append(unused, n)
		}
	}
	sort.Strings(unused)
	t.Logf("contract metrics no panel shows: %s", strings.Join(unused, ", "))
}

// Every exported field of every KPI descriptor is on a panel, or its
// descriptor says why not (NoPanel); a reason for a field a panel does show
// is stale and fails too.
func TestEveryKPIFieldHasAPanel(t *testing.T) {
	used := shownMetrics()
	for _, d := range kpi.Descriptors() {
		for _, f := range d.Fields {
			if f.Metric == "" {
				continue // no series (kpi's own test wants a reason)
			}
			if f.NoPanel != "" {
				require.False(t, used[f.Metric], "%s.%s: %s is on a panel now; drop its NoPanel %q", d.Name, f.Name, f.Metric, f.NoPanel)
				continue
			}
			require.True(t, used[f.Metric], "%s.%s: no panel shows %s (add one, or say why in its descriptor's NoPanel)", d.Name, f.Name, f.Metric)
		}
	}
}

func TestMetricsOf(t *testing.T) {
	require.ElementsMatch(t,
		[]string{"cxpulse_nps", "cxpulse_nps", "cxpulse_sla_met"},
		metricsOf(`topk(5, cxpulse_nps{branch=~"$branch"}) and on (branch) sum by (branch) (cxpulse_sla_met)`))
	require.ElementsMatch(t, []string{"up"}, metricsOf(`up{job="x"}`))
}
