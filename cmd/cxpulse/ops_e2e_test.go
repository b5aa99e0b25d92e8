package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// checkConfig runs `cxpulse config check` with args and env; it returns
// stdout, stderr and the exit code.
func checkConfig(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"config", "check"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

// config check validates file, environment and flags as a start does,
// reports every problem with its field and exits 1; --connect finds the
// real servers and the schema version, and says what is wrong when not.
func TestConfigCheck(t *testing.T) {
	p := newPipeline(t)
	out, errOut, code := checkConfig(t, nil, "--config", p.configPath)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "ok    configuration "+p.configPath)

	out, errOut, code = checkConfig(t, nil, "--config", p.configPath, "--connect")
	require.Equal(t, 0, code, "%s%s", out, errOut)
	require.Contains(t, out, "ok    kafka: 1 broker(s) answer; topic "+p.topic+" has 6 partitions")
	require.Regexp(t, `ok    clickhouse: ClickHouse [0-9.]+ at \[.*\] answers; database `+p.db+` is at schema version [0-9]+, as this binary needs`, out)

	// every problem of file, environment and flags at once, each named
	bad := filepath.Join(t.TempDir(), "bad.yml")
	require.NoError(t, os.WriteFile(bad, []byte(`log: {level: loud}
kafka: {brokers: ["nohost"]}
http: {tls: {cert_file: /etc/cx.pem}}
debug: {pprof_addr: "6060"}
sla_policies:
  - {name: chat, channel: fax, first_response: 10m, objective: 1.5}
`), 0o600))
	_, errOut, code = checkConfig(t, []string{"CXPULSE_INGEST_BATCH_ROWS=many"}, "--config", bad, "--clickhouse-database", "my-db")
	require.Equal(t, 1, code)
	for _, field := range []string{"log.level", "kafka.brokers", "http.tls.cert_file", "debug.pprof_addr", "sla_policies[0].channel",
		"sla_policies[0].objective", "ingest.batch_rows (CXPULSE_INGEST_BATCH_ROWS)", "clickhouse.database"} {
		require.Contains(t, errOut, field)
	}

	// a database never migrated, then one ahead of this binary
	out, _, code = checkConfig(t, nil, "--config", p.configPath, "--connect", "--clickhouse-database", p.db+"_missing")
	require.Equal(t, 1, code)
	require.Contains(t, out, "FAIL  clickhouse: ")
	require.Contains(t, out, "run `cxpulse migrate`")
	require.NoError(t, p.conn.Exec(t.Context(), fmt.Sprintf(
		"INSERT INTO `%s`.schema_migrations (version, name, checksum) SELECT toUInt32(999), 'from the future', 'x'", p.db)))
	out, _, code = checkConfig(t, nil, "--config", p.configPath, "--connect")
	require.Equal(t, 1, code)
	require.Contains(t, out, "database schema is newer than this binary")

	// brokers that do not answer
	out, _, code = checkConfig(t, nil, "--config", p.configPath, "--connect", "--timeout", "3s", "--kafka-brokers", freeAddr(t))
	require.Equal(t, 1, code)
	require.Contains(t, out, "FAIL  kafka: brokers")
}

// A start with a certificate that does not match its key fails at once,
// naming the field.
func TestStartRefusesABadCertificatePair(t *testing.T) {
	p := newPipeline(t)
	ca := newTestCA(t, "cx")
	cert, _ := ca.issue("server", 1, false)
	_, otherKey := ca.issue("other", 2, false)
	p.appendConfig(fmt.Sprintf("http: {tls: {cert_file: %q, key_file: %q}}\n", cert, otherKey))
	cmd := exec.Command(binary, "ingest", "--config", p.configPath, "--http-addr", freeAddr(t))
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "http.tls.cert_file")
	require.Contains(t, string(out), "private key does not match public key")
}

// /debug/pprof is served only when debug.pprof_addr asks for it, and only there.
func TestPprofOnlyOnItsOwnAddress(t *testing.T) {
	p := newPipeline(t)
	plain := p.startCommand("ingest", "ingest")
	require.Eventually(t, func() bool { code, err := plain.get("/healthz"); return err == nil && code == 200 }, time.Minute, 50*time.Millisecond)
	code, err := plain.get("/debug/pprof/")
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, code, "off by default")
	_, ok := plain.gauge(t, "cxpulse_build_info", map[string]string{"version": "dev"})
	require.True(t, ok, "cxpulse_build_info on the /metrics of ingest too")

	pprofAddr := freeAddr(t)
	profiled := p.startCommand("ingest-pprof", "ingest", "--pprof-addr", pprofAddr)
	require.Eventually(t, func() bool { code, err := profiled.get("/healthz"); return err == nil && code == 200 }, time.Minute, 50*time.Millisecond)
	code, err = profiled.get("/debug/pprof/")
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, code, "never on the public address")
	pp := &process{httpAddr: pprofAddr}
	code, err = pp.get("/debug/pprof/goroutine?debug=1")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	require.NoError(t, profiled.stop(t, syscall.SIGTERM))
	require.NoError(t, plain.stop(t, syscall.SIGTERM))
}

// withBearer GETs path with a bearer token and returns the status.
func (pr *process) withBearer(path, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, "http://"+pr.httpAddr+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// gauge scrapes one sample of pr's /metrics; ok is false when it is absent.
func (pr *process) gauge(t *testing.T, family string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := pr.scrape()
	if err != nil {
		return 0, false
	}
	mf, ok := mfs[family]
	if !ok {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		match := true
		for _, l := range m.GetLabel() {
			if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
				match = false
			}
		}
		if match {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// SIGHUP reloads SLA policies, calendars, auth files and the log level in
// a running `cxpulse run`; a bad new configuration is refused, naming its
// fields, and the running one stays.
func TestSIGHUPReloadsWhatCanChange(t *testing.T) {
	p := newPipeline(t)
	base, err := os.ReadFile(p.configPath)
	require.NoError(t, err)
	dir := t.TempDir()
	tokenA, tokenB := filepath.Join(dir, "a.token"), filepath.Join(dir, "b.token")
	require.NoError(t, os.WriteFile(tokenA, []byte("token-a\n"), 0o600))
	require.NoError(t, os.WriteFile(tokenB, []byte("token-b\n"), 0o600))
	write := func(level, tokenFile, objective, timezone string) {
		t.Helper()
		cfg := strings.Replace(string(base), "level: info", "level: "+level, 1) + fmt.Sprintf(`http: {auth: {token_file: %q}}
sla_policies:
  - {name: chat, channel: chat, priority: "*", first_response: 10m, resolution: 4h, business_hours: true, objective: %s}
calendars:
  praha-1: {timezone: %s, hours: {mon: ["08:00-18:00"]}}
kpi:
  jobs:
    sla_now: {schedule: 2s, timeout: 2s}
`, tokenFile, objective, timezone)
		require.NoError(t, os.WriteFile(p.configPath, []byte(cfg), 0o600))
	}
	write("info", tokenA, "0.9", "Europe/Prague")
	pr := p.startCommand("run", "run")
	objective := func() float64 {
		v, _ := pr.gauge(t, "cxpulse_sla_objective_ratio", map[string]string{"policy": "chat"})
		return v
	}
	require.Eventually(t, func() bool { return objective() == 0.9 }, time.Minute, 100*time.Millisecond)
	_, ok := pr.gauge(t, "cxpulse_build_info", map[string]string{"version": "dev"})
	require.True(t, ok, "cxpulse_build_info on /metrics")
	code, err := pr.withBearer("/api/v1/kpis", "token-b")
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, code)
	require.NotContains(t, pr.output(), `"level":"debug"`)

	// a good new configuration, with a setting that needs a restart
	write("debug", tokenB, "0.97", "Europe/Vienna")
	require.NoError(t, os.WriteFile(p.configPath, append(mustRead(t, p.configPath), []byte("metrics: {max_series: 1000}\n")...), 0o600))
	require.NoError(t, pr.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return objective() == 0.97 }, 30*time.Second, 100*time.Millisecond, "new objective served")
	code, err = pr.withBearer("/api/v1/kpis", "token-b")
	require.NoError(t, err)
	require.NotEqual(t, http.StatusUnauthorized, code, "the new token is accepted")
	code, err = pr.withBearer("/api/v1/kpis", "token-a")
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, code, "the old token is not")
	require.Eventually(t, func() bool { return strings.Contains(pr.output(), `"level":"debug"`) }, 30*time.Second, 100*time.Millisecond,
		"the new log level applies to the running components")
	logs := pr.output()
	require.Contains(t, logs, "configuration reloaded")
	require.Regexp(t, `"fields":\["metrics"\].*read only at start`, logs)
	v, ok := pr.gauge(t, "cxpulse_config_last_reload_successful", nil)
	require.True(t, ok)
	require.Equal(t, 1.0, v)

	// a bad one: refused with its fields named, the running one kept
	write("info", filepath.Join(dir, "missing.token"), "1.5", "Mars/Base")
	require.NoError(t, pr.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool {
		v, ok := pr.gauge(t, "cxpulse_config_last_reload_successful", nil)
		return ok && v == 0
	}, 30*time.Second, 100*time.Millisecond)
	logs = pr.output()
	require.Contains(t, logs, "configuration reload refused: the running configuration is kept")
	for _, field := range []string{"sla_policies[0].objective", "calendars.praha-1.timezone", "http.auth.token_file"} {
		require.Contains(t, logs, field)
	}
	require.Equal(t, 0.97, objective(), "the running objective stays")
	code, err = pr.withBearer("/api/v1/kpis", "token-b")
	require.NoError(t, err)
	require.NotEqual(t, http.StatusUnauthorized, code, "the running token stays")
	require.True(t, pr.alive())
	require.NoError(t, pr.stop(t, syscall.SIGTERM), "SIGTERM still exits 0")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}
