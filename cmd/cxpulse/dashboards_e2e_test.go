package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/dashboards"
	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/gen"
)

// promQuery runs an instant or range query on a Prometheus and returns the
// number of series in the answer.
func promQuery(addr, expr string, instant bool, now time.Time) (int, error) {
	q := url.Values{"query": {expr}}
	path := "/api/v1/query"
	if instant {
		q.Set("time", fmt.Sprint(now.Unix()))
	} else {
		path = "/api/v1/query_range"
		q.Set("start", fmt.Sprint(now.Add(-10*time.Minute).Unix()))
		q.Set("end", fmt.Sprint(now.Unix()))
		q.Set("step", "15")
	}
	client := http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get("http://" + addr + path + "?" + q.Encode())
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if body.Status != "success" {
		return 0, fmt.Errorf("prometheus: %s", body.Error)
	}
	return len(body.Data.Result), nil
}

// Every panel of every dashboard shows data: each PromQL target, with its
// template variables expanded to real values, returns at least one series
// from a real Prometheus that scraped `cxpulse run` on generated data, and
// each ClickHouse SQL target, with the datasource's macros expanded, returns
// rows from the real ClickHouse.
func TestDashboardsShowDataOnRealServers(t *testing.T) {
	p := newPipeline(t)
	end := time.Now().UTC().Truncate(time.Minute)
	// three weeks, so that the 7d window has a previous window for retention,
	// and enough answers that the league tables (≥ 30 answers) have branches
	g, err := gen.New(gen.Config{Branches: 5, Days: 21, End: end, Seed: 41, TicketsPerBranchDay: 40, DupRatio: 0.02})
	require.NoError(t, err)
	var branches []string
	for _, b := range g.Branches() {
		branches = append(branches, b.Name)
	}
	var recs []gen.Record
	truth, err := g.Run(context.Background(), func(r gen.Record) error { recs = append(recs, r); return nil })
	require.NoError(t, err)
	// calendar-time targets: SLA decisions happen at any hour, so the burn
	// panels have data whenever the test runs (business-hours decisions
	// stop while the branches are closed, by design)
	p.appendConfig(gen.ConfigYAML(g.Branches()) + `sla_policies:
  - {name: chat, channel: chat, priority: "*", first_response: 10m, resolution: 4h, business_hours: false}
  - {name: default, channel: "*", priority: "*", first_response: 1h, resolution: 24h, business_hours: false}
metrics: {team_series: true, agent_series: true}
kpi:
  jobs:
    sla_now: {schedule: 5s, timeout: 5s}
    tickets: {schedule: 5s, timeout: 5s}
    satisfaction: {schedule: 5s, timeout: 5s}
    retention: {schedule: 10s, timeout: 10s}
    scorecards: {schedule: 10s, timeout: 30s}
    compare: {schedule: 10s, timeout: 30s}
`)
	run := p.startCommand("run", "run")
	p.produce(recs)
	p.waitForAll(truth, 3*time.Minute)
	// The generated branches keep opening hours, so at night no SLA is
	// decided and the burn-rate panels are rightly empty. A branch that
	// serves chat around the clock keeps them showing data at any hour.
	require.NoError(t, ingest.Load(context.Background(), p.conn, "`"+p.db+"`.events",
		chatTickets("allnight-1", time.Now().UTC(), 4, 2*time.Minute, 15*time.Minute), 0))
	branches = append(branches, "allnight-1")
	loaded := time.Now()

	dir := t.TempDir()
	promAddr := freeAddr(t)
	promConfig := fmt.Sprintf("global: {scrape_interval: 2s, evaluation_interval: 2s}\nscrape_configs:\n  - job_name: cxpulse\n    static_configs: [{targets: [%q]}]\n", run.httpAddr)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(promConfig), 0o600))
	daemon(t, "prometheus", "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr)
	waitHTTP(t, "http://"+promAddr+"/-/ready")
	require.Eventually(t, func() bool {
		// every job's snapshot computed after all events were stored
		n, err := promQuery(promAddr, fmt.Sprintf("cxpulse_kpi_snapshot_timestamp_seconds > %d", loaded.Unix()), true, time.Now())
		return err == nil && n >= 4
	}, 3*time.Minute, time.Second, "Prometheus holds every KPI job's snapshot of the loaded events")
	// rate() over $__rate_interval needs a few scrapes
	time.Sleep(40 * time.Second)

	values := map[string][]string{
		"branch": branches, "channel": {"all"}, "window": {"7d"}, "database": {p.db},
		"__rate_interval": {"1m"}, "__interval": {"15s"}, "__range": {"10m"},
	}
	now := time.Now()
	var failures []string
	checked := map[string]int{}
	for _, board := range dashboards.All() {
		for _, tg := range dashboards.Targets(board) {
			where := fmt.Sprintf("%s / %q / %s", tg.Dashboard, tg.Panel, tg.RefID)
			switch tg.Datasource {
			case dashboards.DatasourcePrometheus:
				expr := dashboards.ExpandVariablesMulti(tg.Expr, values)
				n, err := promQuery(promAddr, expr, tg.Instant, now)
				if err != nil || n == 0 {
					failures = append(failures, fmt.Sprintf("%s: %d series, %v\n    %s", where, n, err, expr))
				}
			case dashboards.DatasourceClickHouse:
				sql, err := dashboards.ExpandMacros(dashboards.ExpandVariablesMulti(tg.SQL, values), now.Add(-7*24*time.Hour), now, time.Minute)
				n := 0
				if err == nil {
					n, err = countRows(p, sql)
				}
				if err != nil || n == 0 {
					failures = append(failures, fmt.Sprintf("%s: %d rows, %v\n    %s", where, n, err, sql))
				}
			default:
				failures = append(failures, where+": unknown datasource "+tg.Datasource)
			}
			checked[tg.Datasource]++
		}
	}
	require.NoError(t, run.stop(t, syscall.SIGTERM))
	t.Logf("targets checked: %v", checked)
	require.Greater(t, checked[dashboards.DatasourcePrometheus], 50)
	require.Greater(t, checked[dashboards.DatasourceClickHouse], 3)
	require.Empty(t, failures, "panels that show nothing:\n%s", strings.Join(failures, "\n"))
}

func countRows(p *pipeline, sql string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rows, err := p.conn.Query(ctx, sql)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
