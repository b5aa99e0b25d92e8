package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

func load(t *testing.T, path string, env map[string]string) (Config, error) {
	t.Helper()
	c, err := LoadFile(path)
	if err != nil {
		return c, err
	}
	if err := c.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		return c, err
	}
	if err := c.ResolveSecrets(); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestDefaultsAreValid(t *testing.T) {
	c := Default()
	require.NoError(t, c.Validate())
}

// Each default lives once, in the package the setting belongs to: the
// configuration starts from those defaults and gives them back unchanged.
func TestDefaultsAreThePackagesDefaults(t *testing.T) {
	c := Default()
	want := ingest.DefaultConfig
	want.Table = "db.events"
	require.Equal(t, want, c.Ingest.Config("db.events"))

	got, err := c.KPIParams()
	require.NoError(t, err)
	engine := kpi.Params{}.WithDefaults()
	require.Equal(t, engine.Windows, got.Windows)
	require.Equal(t, engine.BurnWindows, got.BurnWindows)
	require.Equal(t, engine.TicketLookback, got.TicketLookback)
	require.Equal(t, engine.BreachingLookback, got.BreachingLookback)
	require.Equal(t, engine.AtRiskFraction, got.AtRiskFraction)
	require.Equal(t, engine.PunctualityGrace, got.PunctualityGrace)
	got.By = engine.By // the caller's, not the configuration's
	require.Equal(t, got, got.WithDefaults(), "no field of the configuration's parameters is left to the engine's defaults")
	for _, p := range got.Policies {
		require.Equal(t, sla.DefaultObjective, p.Objective, p.Name)
	}
}

// Each testdata/*.bad.yml must fail, naming its field.
func TestBadConfigsNameTheField(t *testing.T) {
	want := map[string]string{
		"bad_broker.bad.yml":               "kafka.brokers",
		"password_in_file.bad.yml":         "clickhouse.password: secrets are not read from the config file",
		"unknown_key.bad.yml":              "field topc not found",
		"bad_duration.bad.yml":             "soon",
		"bad_database.bad.yml":             "clickhouse.database",
		"bad_sasl.bad.yml":                 "kafka.sasl.mechanism",
		"same_topics.bad.yml":              "kafka.dead_letter_topic",
		"short_timeout.bad.yml":            "ingest.insert_timeout",
		"insert_timeout_past_fold.bad.yml": "ingest.insert_timeout: with ingest.batch_interval (1s) must be at most 1m30s, got 2m0s: an insert stays open up to both",
		"insert_open_past_fold.bad.yml":    "ingest.insert_timeout: with ingest.batch_interval (40s) must be at most 1m30s, got 1m0s",
		"drain_past_session.bad.yml":       "ingest.drain_timeout: must be positive and below kafka.session_timeout (10s), got 10s",
		"too_many_windows.bad.yml":         "kpi.windows: at most 32 windows",
		"tls_without_key.bad.yml":          "http.tls.cert_file: cert_file and key_file go together",
		"tls_reload_interval.bad.yml":      "http.tls.reload_interval: must be positive",
		"pprof_same_addr.bad.yml":          "debug.pprof_addr: must differ from http.addr",
		"leader_heartbeat.bad.yml":         "kpi.leader.heartbeat_interval: must be positive and at most a third of session_timeout (6s), got 3s",
		"leader_session.bad.yml":           "kpi.leader.session_timeout: must be between 6s and 30m",
		"leader_topic.bad.yml":             "kpi.leader.topic: \"cx.events\" is an events topic",
		"leader_group.bad.yml":             "kpi.leader.group_id: \"shared\" is the ingest group",
		"bad_schedule.bad.yml":             "kpi.jobs.scorecards.schedule: schedule \"every tuesday\": bad cron expression",
	}
	files, err := filepath.Glob("testdata/*.bad.yml")
	require.NoError(t, err)
	require.Len(t, files, len(want), "every bad file has an expected error")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := load(t, f, nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), want[filepath.Base(f)])
		})
	}
}

// The election's group is per database unless named; its defaults give the
// takeover bound the README states (10s + 2 × 1s).
func TestLeaderDefaults(t *testing.T) {
	c := Default()
	c.ClickHouse.Database = "shop"
	require.Equal(t, "cxpulse-kpi-shop", c.LeaderGroupID())
	require.Equal(t, Leader{Topic: "cxpulse.kpi.leader", SessionTimeout: 10 * time.Second, HeartbeatInterval: time.Second, StandbyRefresh: 5 * time.Second}, c.KPI.Leader)
	c.KPI.Leader.GroupID = "mine"
	require.Equal(t, "mine", c.LeaderGroupID())
	c.KPI.Leader = Leader{Disabled: true}
	require.NoError(t, c.Validate(), "a disabled election is not checked")
}

func TestFileThenEnvironmentThenSecrets(t *testing.T) {
	c, err := load(t, "testdata/full.good.yml", map[string]string{
		"CXPULSE_CLICKHOUSE_ADDR":     "a:9000, b:9000",
		"CXPULSE_CLICKHOUSE_PASSWORD": "from-env",
	})
	require.NoError(t, err)
	require.Equal(t, []string{"a:9000", "b:9000"}, c.ClickHouse.Addr, "environment overrides the file")
	require.Equal(t, "from-env", c.ClickHouse.Password, "environment password wins over the file")
	require.Equal(t, "s3cret", c.Kafka.SASL.Password, "password read from password_file")
	require.Equal(t, 500*time.Millisecond, c.Ingest.BatchInterval)
	require.Equal(t, 10000, c.Ingest.BatchRows)
	require.Equal(t, "cxpulse-ingest", c.Kafka.GroupID)

	opts, err := c.ClickHouseOptions()
	require.NoError(t, err)
	require.NotNil(t, opts.TLS)
	_, err = c.KafkaDialer()
	require.NoError(t, err)
}

func TestEnvironmentErrorsNameVariableAndField(t *testing.T) {
	_, err := load(t, "", map[string]string{"CXPULSE_INGEST_BATCH_ROWS": "many", "CXPULSE_KAFKA_TLS_ENABLED": "maybe"})
	require.ErrorContains(t, err, "ingest.batch_rows (CXPULSE_INGEST_BATCH_ROWS)")
	require.ErrorContains(t, err, "kafka.tls.enabled (CXPULSE_KAFKA_TLS_ENABLED)")
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Kafka.Brokers = nil
	c.ClickHouse.User = ""
	c.Log.Format = "xml"
	err := c.Validate()
	for _, field := range []string{"kafka.brokers", "clickhouse.user", "log.format"} {
		require.ErrorContains(t, err, field)
	}
}

func TestSASLNeedsAPassword(t *testing.T) {
	c := Default()
	c.Kafka.SASL = SASL{Mechanism: "PLAIN", Username: "u"}
	require.ErrorContains(t, c.Validate(), "CXPULSE_KAFKA_SASL_PASSWORD")
}

func TestMissingPasswordFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yml")
	require.NoError(t, os.WriteFile(path, []byte("clickhouse: {password_file: /nonexistent/pw}\n"), 0o600))
	_, err := load(t, path, nil)
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "clickhouse.password_file"), err.Error())
}

// The documented example must parse and state exactly the defaults.
func TestExampleConfigStatesTheDefaults(t *testing.T) {
	c, err := LoadFile(filepath.Join("..", "..", "..", "deploy", "cxpulse.example.yaml"))
	require.NoError(t, err)
	require.Equal(t, Default(), c)
}

func TestServerTLSAndPprofFromTheEnvironment(t *testing.T) {
	c, err := load(t, "", map[string]string{
		"CXPULSE_HTTP_TLS_CERT_FILE": "/run/tls.crt", "CXPULSE_HTTP_TLS_KEY_FILE": "/run/tls.key",
		"CXPULSE_HTTP_TLS_CLIENT_CA_FILE": "/run/ca.pem", "CXPULSE_DEBUG_PPROF_ADDR": "127.0.0.1:6060",
	})
	require.NoError(t, err)
	require.Equal(t, ServerTLS{CertFile: "/run/tls.crt", KeyFile: "/run/tls.key", ClientCAFile: "/run/ca.pem", ReloadInterval: 10 * time.Second}, c.HTTP.TLS)
	require.True(t, c.HTTP.TLS.Enabled())
	require.Equal(t, "127.0.0.1:6060", c.Debug.PprofAddr)
	require.False(t, Default().HTTP.TLS.Enabled(), "plain HTTP by default")
	require.Empty(t, Default().Debug.PprofAddr, "no profiles by default")
}
