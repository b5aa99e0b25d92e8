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

// Every PromQL target and variable query names only metrics of the contract
// (docs/METRICS.md) or ingest's own cxpulse_ingest_* (listed in the README).
func TestPromQLUsesContractMetrics(t *testing.T) {
	known := knownMetrics(t)
	allowed := func(name string) bool {
		return known[name] || strings.HasPrefix(name, "cxpulse_ingest_")
	}
	used := map[string]bool{}
	for _, b := range All() {
		targets := Targets(b)
		exprs := map[string]string{}
		for _, tg := range targets {
			if tg.Datasource == DatasourcePrometheus {
				exprs[tg.Panel+" "+tg.RefID] = tg.Expr
			}
		}
		for _, v := range b.Templating.List {
			if q, ok := v.Query.(string); ok && v.Type == "query" {
				exprs["variable "+v.Name] = q
			}
		}
		for where, expr := range exprs {
			names := metricsOf(expr)
			require.NotEmpty(t, names, "%s / %s: no metric in %s", b.UID, where, expr)
			for _, n := range names {
				require.True(t, allowed(n), "%s / %s: %s is not in docs/METRICS.md", b.UID, where, n)
				used[n] = true
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					used[strings.TrimSuffix(n, suffix)] = true
				}
			}
		}
	}
	var unused []string
	for n := range known {
		if !used[n] && !strings.HasSuffix(n, "_sum") && !strings.HasSuffix(n, "_count") && !strings.HasSuffix(n, "_bucket") {
			unused = append(unused, n)
		}
	}
	sort.Strings(unused)
	t.Logf("contract metrics no panel shows: %s", strings.Join(unused, ", "))
}

func TestMetricsOf(t *testing.T) {
	require.ElementsMatch(t,
		[]string{"cxpulse_nps", "cxpulse_nps", "cxpulse_sla_met"},
		metricsOf(`topk(5, cxpulse_nps{branch=~"$branch"}) and on (branch) sum by (branch) (cxpulse_sla_met)`))
	require.ElementsMatch(t, []string{"up"}, metricsOf(`up{job="x"}`))
}
