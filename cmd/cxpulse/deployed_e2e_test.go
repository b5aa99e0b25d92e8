package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/ingest/kafkatest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// The leader election as deployed: two `cxpulse compute` run from exactly
// the configuration file a deployment mounts (deploy/compose/cxpulse.yaml
// here, the Helm chart's rendered ConfigMap in deployed_helm_e2e_test.go),
// pointed at the test servers by CXPULSE_* variables only, as an operator's
// environment would.

// deployedComputes is two computes of one deployed configuration.
type deployedComputes struct {
	cfg   config.Config
	a, b  *process // a leads, b stands by
	watch *leaderWatch
}

// startDeployedComputes starts two computes from the configuration file
// path on a fresh migrated database holding a week of generated events, and
// returns once a leads and b stands by.
func startDeployedComputes(t *testing.T, path string) *deployedComputes {
	t.Helper()
	p := newPipeline(t)
	end := time.Now().UTC().Truncate(time.Hour)
	g, err := gen.New(gen.Config{Branches: 3, Days: 7, End: end, Seed: 131, TicketsPerBranchDay: 25})
	require.NoError(t, err)
	loadEvents(t, p, g, end)

	// the deployment's secrets are files at its mount paths: here the test
	// servers' credentials, in files of the test
	dir := t.TempDir()
	password := filepath.Join(dir, "clickhouse-password")
	require.NoError(t, os.WriteFile(password, nil, 0o600)) // the test server's default user has none
	for k, v := range map[string]string{
		"CXPULSE_KAFKA_BROKERS":            strings.Join(kafkatest.Brokers(), ","),
		"CXPULSE_CLICKHOUSE_ADDR":          sqltest.Addr(),
		"CXPULSE_CLICKHOUSE_DATABASE":      p.db,
		"CXPULSE_CLICKHOUSE_USER":          "default",
		"CXPULSE_CLICKHOUSE_PASSWORD_FILE": password,
	} {
		t.Setenv(k, v)
	}
	cfg := config.Default()
	require.NoError(t, cfg.ParseYAML(readFile(t, path)), path)
	if cfg.HTTP.Auth.TokenFile != "" {
		t.Setenv("CXPULSE_HTTP_TOKEN", "deployed-test-token") // /metrics is not behind it
	}
	require.NoError(t, cfg.ApplyEnv(os.LookupEnv))
	require.NoError(t, cfg.Validate(), path)
	require.False(t, cfg.KPI.Leader.Disabled, "%s: the computes elect their leader", path)
	require.Equal(t, "cxpulse-kpi-"+p.db, cfg.LeaderGroupID(), "one election per database")

	// The coordination topic exists with one partition on a production
	// cluster (made by the first compute with kafka.replication_factor,
	// which the one test broker cannot hold when it is above 1).
	resp, err := kafkatest.Client().CreateTopics(context.Background(), &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: cfg.KPI.Leader.Topic, NumPartitions: 1, ReplicationFactor: 1},
	}})
	require.NoError(t, err)
	if terr := resp.Errors[cfg.KPI.Leader.Topic]; terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
		require.NoError(t, terr)
	}

	deployed := *p
	deployed.configPath = path
	d := &deployedComputes{cfg: cfg, watch: watchLeaders(t)}
	bound := cfg.KPI.Leader.SessionTimeout + 2*cfg.KPI.Leader.HeartbeatInterval
	d.a = deployed.startCommand("compute-a", "compute")
	d.watch.add(d.a)
	waitLeading(t, d.a, time.Minute)
	d.b = deployed.startCommand("compute-b", "compute")
	d.watch.add(d.b)
	standingBy(t, d.b)
	waitLeading(t, d.a, bound) // b's join ended a's term; a leads on
	return d
}

// requireOneLeader: exactly one of the computes leads, for a few heartbeats.
func (d *deployedComputes) requireOneLeader(t *testing.T) {
	t.Helper()
	for range 5 {
		la, _, okA := d.a.leaderState()
		lb, _, okB := d.b.leaderState()
		require.True(t, okA && okB, "both serve cxpulse_scheduler_leader")
		require.True(t, la != lb, "exactly one leads (a %v, b %v)", la, lb)
		time.Sleep(d.cfg.KPI.Leader.HeartbeatInterval)
	}
}

// handOver stops the leader with SIGTERM: it exits 0, and the standby leads
// without waiting for the session timeout. Two never led at once.
func (d *deployedComputes) handOver(t *testing.T) time.Time {
	t.Helper()
	require.NoError(t, d.a.stop(t, syscall.SIGTERM), "graceful stop exits 0")
	stopped := time.Now()
	led, _ := waitLeading(t, d.b, d.cfg.KPI.Leader.SessionTimeout+2*d.cfg.KPI.Leader.HeartbeatInterval)
	t.Logf("handover after SIGTERM: %s", led.Sub(stopped))
	require.Less(t, led.Sub(stopped), d.cfg.KPI.Leader.SessionTimeout, "a leaving leader hands over without the session timeout")
	time.Sleep(2 * d.cfg.KPI.Leader.HeartbeatInterval)
	d.watch.end()
	require.Less(t, d.watch.overlap, 2, "two computes led at once")
	return stopped
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// anyReplica listens on a free address and hands each connection to the
// first of addrs that accepts it: what Prometheus does with the compose
// alias "compute", which Docker's DNS resolves to every live replica (Go's
// dialer tries each address in turn).
func anyReplica(t *testing.T, addrs ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	forward := func(in net.Conn) {
		defer wg.Done()
		defer in.Close()
		for _, a := range addrs {
			out, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				continue
			}
			defer out.Close()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			_, _ = io.Copy(in, out)
			return
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go forward(in)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// promSeries runs an instant query and returns each series' labels and value.
func promSeries(addr, expr string) ([]map[string]string, []string, error) {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/api/v1/query?" + url.Values{"query": {expr}}.Encode())
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status, Error string
		Data          struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, nil, err
	}
	if body.Status != "success" {
		return nil, nil, fmt.Errorf("prometheus: %s", body.Error)
	}
	var labels []map[string]string
	var values []string
	for _, r := range body.Data.Result {
		labels = append(labels, r.Metric)
		values = append(values, fmt.Sprint(r.Value[1]))
	}
	return labels, values, nil
}

// The compose stack's two computes (deploy/compose/cxpulse.yaml) elect one
// leader, and the stack's Prometheus configuration (deploy/compose/
// prometheus.yml, its addresses replaced by the test's and its intervals
// shortened) stores every KPI series once, from the alias, and each
// replica's election series; SIGTERM of the leader hands over, and the KPI
// series go on under the same labels.
func TestComposeComputesElectOneLeader(t *testing.T) {
	d := startDeployedComputes(t, "../../deploy/compose/cxpulse.yaml")
	d.requireOneLeader(t)

	compute := anyReplica(t, d.a.httpAddr, d.b.httpAddr)
	rules, err := filepath.Abs("../../deploy/prometheus/rules")
	require.NoError(t, err)
	promConfig := string(readFile(t, "../../deploy/compose/prometheus.yml"))
	for from, to := range map[string]string{
		"'compute-1:9464'": "'" + d.a.httpAddr + "'", "'compute-2:9464'": "'" + d.b.httpAddr + "'",
		"'compute:9464'": "'" + compute + "'", "/etc/prometheus/rules": rules,
		"scrape_interval: 15s": "scrape_interval: 1s", "evaluation_interval: 15s": "evaluation_interval: 1s",
	} {
		require.Contains(t, promConfig, from, "deploy/compose/prometheus.yml")
		promConfig = strings.ReplaceAll(promConfig, from, to)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(promConfig), 0o600))
	prom := freeAddr(t)
	daemon(t, "prometheus", "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+prom)
	waitHTTP(t, "http://"+prom+"/-/ready")

	// the KPI families the computes serve
	var kpiFamilies []string
	require.Eventually(t, func() bool {
		mfs, err := d.a.scrapePart("kpi")
		kpiFamilies = kpiFamilies[:0]
		for name := range mfs {
			kpiFamilies = append(kpiFamilies, name)
		}
		return err == nil && len(kpiFamilies) > 10
	}, time.Minute, 200*time.Millisecond, "the computes serve KPI series")
	sort.Strings(kpiFamilies)
	kpiSelector := `{job="cxpulse", __name__=~"` + strings.Join(kpiFamilies, "|") + `"}`

	// stored is what Prometheus holds now: the instances each part came from
	stored := func() (kpiFrom, leaders []string, leading int) {
		ls, _, err := promSeries(prom, `count by (instance) (`+kpiSelector+`)`)
		require.NoError(t, err)
		for _, l := range ls {
			kpiFrom = append(kpiFrom, l["instance"])
		}
		ls, vs, err := promSeries(prom, `cxpulse_scheduler_leader{job="cxpulse"}`)
		require.NoError(t, err)
		for i, l := range ls {
			leaders = append(leaders, l["instance"])
			if vs[i] == "1" {
				leading++
			}
		}
		sort.Strings(leaders)
		return kpiFrom, leaders, leading
	}
	both := []string{d.a.httpAddr, d.b.httpAddr}
	sort.Strings(both)
	require.Eventually(t, func() bool {
		kpiFrom, leaders, leading := stored()
		return len(kpiFrom) == 1 && len(leaders) == 2 && leading == 1
	}, time.Minute, 500*time.Millisecond, "Prometheus stores the KPI series and both election series")
	kpiFrom, leaders, leading := stored()
	require.Equal(t, []string{compute}, kpiFrom, "every KPI series once, from the alias")
	require.Equal(t, both, leaders, "each replica's process part")
	require.Equal(t, 1, leading, "one leader")
	up, _, err := promSeries(prom, `up{job="cxpulse"} == 1`)
	require.NoError(t, err)
	require.Len(t, up, 3, "the alias and both replicas are targets of the job CxpulseDown watches: %v", up)

	stopped := d.handOver(t)
	require.Eventually(t, func() bool {
		ls, _, err := promSeries(prom, fmt.Sprintf(`cxpulse_scheduler_leader{instance=%q} == 1 and timestamp(cxpulse_scheduler_leader) > %d`, d.b.httpAddr, stopped.Unix()))
		return err == nil && len(ls) == 1
	}, 30*time.Second, 500*time.Millisecond, "Prometheus sees b lead")
	require.Eventually(t, func() bool {
		ls, _, err := promSeries(prom, fmt.Sprintf(`up{instance=%q} == 1 and timestamp(up) > %d`, compute, stopped.Unix()+2))
		return err == nil && len(ls) == 1
	}, 30*time.Second, 500*time.Millisecond, "the KPI series are scraped through the alias after the handover")
	kpiFrom, _, _ = stored()
	require.Equal(t, []string{compute}, kpiFrom, "the KPI series keep their labels when the lead moves")
	require.NoError(t, d.b.stop(t, syscall.SIGTERM))
}
