package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// loadGenerated writes a generated history straight into the pipeline's
// database and appends its calendars and the test SLA policies to the config.
func loadGenerated(t *testing.T, p *pipeline, seed uint64, days int, end time.Time) *gen.Generator {
	t.Helper()
	return loadGeneratedWith(t, p, seed, 6, days, end, slaPolicies)
}

// loadGeneratedWith is loadGenerated for a number of branches and policies.
func loadGeneratedWith(t *testing.T, p *pipeline, seed uint64, branches, days int, end time.Time, policies string) *gen.Generator {
	t.Helper()
	g, err := gen.New(gen.Config{Branches: branches, Days: days, End: end, Seed: seed, TicketsPerBranchDay: 25})
	require.NoError(t, err)
	loadEvents(t, p, g, end)
	p.appendConfig(gen.ConfigYAML(g.Branches()) + policies)
	return g
}

// loadEvents decodes every record g generates and loads it into p's events.
func loadEvents(t *testing.T, p *pipeline, g *gen.Generator, end time.Time) {
	t.Helper()
	var events []event.Event
	_, err := g.Run(context.Background(), func(r gen.Record) error {
		ev, err := event.Decode(r.Value, end.Add(time.Hour), event.Limits{})
		events = append(events, ev)
		return err
	})
	require.NoError(t, err)
	require.NoError(t, ingest.Load(context.Background(), p.conn, "`"+p.db+"`.events", events, 0))
}

func get(t *testing.T, rawURL string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// The JSON API answers what the command line answers, and refuses bad
// parameters with 400 and a message.
func TestAPIEqualsCommandLineAndValidates(t *testing.T) {
	p := newPipeline(t)
	end := time.Now().UTC().Truncate(time.Hour)
	loadGenerated(t, p, 61, 40, end)
	srv := p.startCommand("compute", "compute")
	base := "http://" + srv.httpAddr
	waitHTTP(t, base+"/healthz")
	asOf := end.Add(-3 * time.Hour).Format(time.RFC3339)

	q := url.Values{"kpi": {"nps,first_response,sla,retention_experience"}, "window": {"7d,30d"}, "by": {"branch,channel"}, "as_of": {asOf}}
	code, body := get(t, base+"/api/v1/kpis?"+q.Encode(), nil)
	require.Equal(t, http.StatusOK, code, string(body))
	var api []kpi.Row
	require.NoError(t, json.Unmarshal(body, &api))
	var cli []kpi.Row
	require.NoError(t, json.Unmarshal([]byte(p.stdout("report", "--format", "json", "--kpi", "nps,first_response,sla,retention_experience",
		"--window", "7d,30d", "--by", "branch,channel", "--as-of", asOf)), &cli))
	require.NotEmpty(t, cli)
	require.Equal(t, cli, api)
	experience := 0
	for _, r := range api {
		if r.KPI == kpi.Experience {
			experience++
		}
	}
	require.Positive(t, experience, "retention by service experience is in the API")

	q = url.Values{"kpi": {"csat"}, "window": {"30d"}, "as_of": {asOf}}
	code, body = get(t, base+"/api/v1/compare?"+q.Encode(), nil)
	require.Equal(t, http.StatusOK, code, string(body))
	var apiCmp, cliCmp compare.Result
	require.NoError(t, json.Unmarshal(body, &apiCmp))
	require.NoError(t, json.Unmarshal([]byte(p.stdout("compare", "--format", "json", "--kpi", "csat", "--window", "30d", "--as-of", asOf)), &cliCmp))
	require.Len(t, cliCmp.Branches, 6)
	require.Equal(t, cliCmp, apiCmp)

	for _, bad := range []struct{ path, message string }{
		{"/api/v1/kpis?kpi=bogus", `kpi "bogus"`},
		{"/api/v1/kpis?window=7x", "window"},
		{"/api/v1/kpis?as_of=yesterday", "as_of"},
		{"/api/v1/kpis?by=branch,shoe_size", "by"},
		{"/api/v1/kpis?as_of=2999-01-01T00:00:00Z", "future"},
		{"/api/v1/kpis?kpi=nps&drop=table", `unknown parameter "drop"`},
		{"/api/v1/compare", `kpi ""`},
		{"/api/v1/compare?kpi=nps&window=7d,30d", "one window"},
		{"/api/v1/compare?kpi=nps&level=2", "level"},
		{"/api/v1/compare?kpi=sla&target=lunch", "target"},
		{"/api/v1/kpis?kpi=nps'%20OR%201=1--", "kpi"},
	} {
		code, body := get(t, base+bad.path, nil)
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", bad.path, body)
		var msg map[string]string
		require.NoError(t, json.Unmarshal(body, &msg), bad.path)
		require.Contains(t, msg["error"], bad.message, bad.path)
	}
	resp, err := http.Post(base+"/api/v1/kpis", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.NoError(t, srv.stop(t, syscall.SIGTERM))
}

// With http.auth the API and the page need the token or the basic-auth
// user; /metrics needs its own credentials only when metrics_auth is set;
// beyond the loopback without auth the API answers 403.
func TestAPIAccess(t *testing.T) {
	p := newPipeline(t)
	dir := t.TempDir()
	token, users := filepath.Join(dir, "token"), filepath.Join(dir, "users")
	require.NoError(t, os.WriteFile(token, []byte("s3cret-token\n"), 0o600))
	require.NoError(t, os.WriteFile(users, []byte("# team leads\nlead:pa55word\n"), 0o600))
	p.appendConfig("http:\n  auth: {token_file: " + token + ", basic_auth_file: " + users + "}\n  metrics_auth: {token_file: " + token + "}\n")
	srv := p.startCommand("compute", "compute")
	base := "http://" + srv.httpAddr
	waitHTTP(t, base+"/healthz")

	for _, path := range []string{"/api/v1/kpis?kpi=nps", "/", "/metrics"} {
		code, _ := get(t, base+path, nil)
		require.Equal(t, http.StatusUnauthorized, code, path)
		code, _ = get(t, base+path, map[string]string{"Authorization": "Bearer wrong"})
		require.Equal(t, http.StatusUnauthorized, code, path)
		code, body := get(t, base+path, map[string]string{"Authorization": "Bearer s3cret-token"})
		require.Equal(t, http.StatusOK, code, "%s: %s", path, body)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/kpis?kpi=nps", nil)
	req.SetBasicAuth("lead", "pa55word")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, srv.output(), "s3cret-token", "secrets are never logged")
	require.NoError(t, srv.stop(t, syscall.SIGTERM))

	// listening on every interface without http.auth: the API refuses, /metrics stays open
	open := newPipeline(t)
	addr := strings.Replace(freeAddr(t), "127.0.0.1", "0.0.0.0", 1)
	cmd := open.startCommandAt("compute-public", addr, "compute")
	local := "http://127.0.0.1:" + addr[strings.LastIndex(addr, ":")+1:]
	waitHTTP(t, local+"/healthz")
	code, body := get(t, local+"/api/v1/kpis?kpi=nps", nil)
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, string(body), "http.auth")
	code, _ = get(t, local+"/metrics", nil)
	require.Equal(t, http.StatusOK, code)
	require.NoError(t, cmd.stop(t, syscall.SIGTERM))
}
