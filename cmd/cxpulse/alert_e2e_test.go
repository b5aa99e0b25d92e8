package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
)

// alertPolicies: chat tickets must be answered within 10 minutes, around the
// clock (the branches below have no calendar), for 95 % of tickets.
const alertPolicies = `sla_policies:
  - {name: chat, channel: chat, priority: "*", first_response: 10m, resolution: 24h, business_hours: true, objective: 0.95}
kpi:
  jobs:
    sla_now: {schedule: 5s, timeout: 4s}
    tickets: {schedule: 5s, timeout: 4s}
`

// chatTickets makes a ticket on chat every `every` over the last hours at
// branch, each answered after `answer` (never, when the answer would lie in
// the future).
func chatTickets(branch string, now time.Time, hours int, every, answer time.Duration) []event.Event {
	var out []event.Event
	n := 0
	for t := now.Add(-time.Duration(hours) * time.Hour); t.Before(now); t = t.Add(every) {
		n++
		id := fmt.Sprintf("%s-T%d", branch, n)
		out = append(out, event.Event{EventID: id + "-open", Type: event.TicketOpened, OccurredAt: t, Branch: branch,
			Channel: "chat", TicketID: id, Priority: "normal"})
		if at := t.Add(answer); at.Before(now) {
			out = append(out, event.Event{EventID: id + "-reply", Type: event.TicketMessage, OccurredAt: at, Branch: branch,
				Channel: "chat", TicketID: id, Author: event.AuthorAgent, AgentID: "a-1"})
		}
	}
	return out
}

// daemon is a Prometheus or Alertmanager started for one test.
func daemon(t *testing.T, name string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath(name)
	require.NoError(t, err, "%s is not installed: run deploy/local/prometheus.sh install and deploy/local/alertmanager.sh install", name)
	cmd := exec.Command(bin, args...)
	logs := lockedBuffer{mu: &sync.Mutex{}, buf: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("logs of %s:\n%s", name, logs.buf.String())
			logs.mu.Unlock()
		}
	})
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 200*time.Millisecond, "%s answers", url)
}

// webhook collects the alerts Alertmanager sends.
type webhook struct {
	mu     sync.Mutex
	alerts []map[string]string // labels of each firing alert received
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var msg struct {
		Alerts []struct {
			Status string            `json:"status"`
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &msg) == nil {
		w.mu.Lock()
		for _, a := range msg.Alerts {
			if a.Status == "firing" {
				w.alerts = append(w.alerts, a.Labels)
			}
		}
		w.mu.Unlock()
	}
	rw.WriteHeader(http.StatusOK)
}

func (w *webhook) received() []map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]map[string]string(nil), w.alerts...)
}

// The alerting chain end to end on real servers: cxpulse computes KPIs on
// two datasets, a real Prometheus loads deploy/prometheus/rules unchanged
// and scrapes both, a real Alertmanager routes to a webhook. The branch that
// lets its chat SLA slip is paged; the healthy branches of both datasets
// (one of them a dataset with no slip at all) never are.
func TestSLASlipPagesThatBranchOnly(t *testing.T) {
	now := time.Now().UTC()
	slipping, healthy := newPipeline(t), newPipeline(t)
	for _, p := range []*pipeline{slipping, healthy} {
		p.appendConfig(alertPolicies)
	}
	var events []event.Event
	events = append(events, chatTickets("slow-1", now, 8, 2*time.Minute, 30*time.Minute)...)
	events = append(events, chatTickets("fast-1", now, 8, 20*time.Second, time.Minute)...)
	require.NoError(t, ingest.Load(context.Background(), slipping.conn, "`"+slipping.db+"`.events", events, 0))
	events = append(chatTickets("calm-1", now, 8, time.Minute, 2*time.Minute), chatTickets("calm-2", now, 8, time.Minute, 3*time.Minute)...)
	require.NoError(t, ingest.Load(context.Background(), healthy.conn, "`"+healthy.db+"`.events", events, 0))
	slipCompute := slipping.startCommand("compute-slipping", "compute")
	healthyCompute := healthy.startCommand("compute-healthy", "compute")

	hook := &webhook{}
	receiver := httptest.NewServer(hook)
	defer receiver.Close()
	dir := t.TempDir()
	amAddr, promAddr := freeAddr(t), freeAddr(t)
	amConfig := fmt.Sprintf(`route:
  receiver: hook
  group_by: [alertname, branch, policy, target]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %q
`, receiver.URL)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "am.yml"), []byte(amConfig), 0o600))
	daemon(t, "prometheus-alertmanager", "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	waitHTTP(t, "http://"+amAddr+"/-/ready")

	rules, err := filepath.Abs("../../deploy/prometheus/rules")
	require.NoError(t, err)
	promConfig := fmt.Sprintf(`global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - %s/*.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: [%q]
scrape_configs:
  - job_name: cxpulse
    static_configs:
      - targets: [%q, %q]
`, rules, amAddr, slipCompute.httpAddr, healthyCompute.httpAddr)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(promConfig), 0o600))
	daemon(t, "prometheus", "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr)
	waitHTTP(t, "http://"+promAddr+"/-/ready")

	// The page has `for: 2m`; with 2 s scrapes and evaluations it must
	// reach the receiver well within 5 minutes.
	start := time.Now()
	paged := func() bool {
		for _, a := range hook.received() {
			if a["alertname"] == "CxpulseSLABurnRateFast" && a["branch"] == "slow-1" && a["severity"] == "page" {
				return true
			}
		}
		return false
	}
	require.Eventually(t, paged, 5*time.Minute, time.Second, "slow-1's SLA page reaches the webhook; received: %v", hook.received())
	t.Logf("slow-1 paged %s after the servers started", time.Since(start).Round(time.Second))
	time.Sleep(20 * time.Second) // give any wrong alert the same chance plus margin
	for _, a := range hook.received() {
		switch a["alertname"] {
		case "CxpulseSLABurnRateFast", "CxpulseSLABurnRateSlow", "CxpulseSLATicketsAtRisk", "CxpulseSLABreachingNow",
			"CxpulseFleetSLABurnRateFast", "CxpulseFleetSLABurnRateSlow":
			require.Equal(t, "slow-1", a["branch"], "only the slipping branch is alerted: %v", a)
		default:
			t.Errorf("unexpected alert: %v", a)
		}
	}
	require.NoError(t, slipCompute.stop(t, syscall.SIGTERM))
	require.NoError(t, healthyCompute.stop(t, syscall.SIGTERM))
}
