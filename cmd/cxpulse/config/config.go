// Package config owns cxpulse's configuration: the YAML file, then CXPULSE_*
// environment variables, then command-line flags, with defaults first and a
// validation that names every bad field. Secrets (passwords) come only from
// the environment or from files, never from flags or the YAML itself, and are
// never logged.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// Config is the whole configuration. Every field's default is in Default.
type Config struct {
	Log        Log        `yaml:"log"`
	HTTP       HTTP       `yaml:"http"`
	Kafka      Kafka      `yaml:"kafka"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	Ingest     Ingest     `yaml:"ingest"`
	KPI        KPI        `yaml:"kpi"`
	Metrics    Metrics    `yaml:"metrics"`
	Debug      Debug      `yaml:"debug"`
	// Branches holds per-branch settings (region), by branch name.
	Branches map[string]Branch `yaml:"branches"`
	// Calendars are the branches' opening hours, by branch name (docs/KPIS.md);
	// a branch without one is open 24/7.
	Calendars map[string]calendar.Spec `yaml:"calendars"`
	// SLAPolicies are matched in order against each ticket's channel and priority.
	SLAPolicies []sla.Policy `yaml:"sla_policies"`
}

// Log configures logging.
type Log struct {
	// Level is one of debug, info, warn, error (default info).
	Level string `yaml:"level"`
	// Format is json (default, for machines) or console (for people).
	Format string `yaml:"format"`
}

// HTTP configures the server of /metrics, /healthz, /readyz, the JSON API
// (/api/v1/…) and the overview page (/).
type HTTP struct {
	// Addr is where the server listens (default ":9464").
	Addr string `yaml:"addr"`
	// Auth protects the API and the overview page. Without it they are
	// served only when Addr is a loopback address; elsewhere they answer 403.
	Auth HTTPAuth `yaml:"auth"`
	// MetricsAuth protects /metrics (default: open, as Prometheus expects).
	MetricsAuth HTTPAuth `yaml:"metrics_auth"`
	// TLS serves the whole HTTP server over TLS when CertFile is set.
	TLS ServerTLS `yaml:"tls"`
}

// ServerTLS is the HTTP server's certificate and, for mutual TLS, the CA its
// clients' certificates must chain to. The files are read at start (an
// unreadable file or a certificate that does not match its key fails the
// start, naming the field) and read again when they change, so that a
// renewed certificate is served without a restart.
type ServerTLS struct {
	// CertFile is a PEM certificate chain, leaf first (default: none, plain HTTP).
	CertFile string `yaml:"cert_file"`
	// KeyFile is its PEM private key; required with CertFile.
	KeyFile string `yaml:"key_file"`
	// ClientCAFile is a PEM bundle; when set, every client must present a
	// certificate signed by one of its CAs (default: none, no client certificates).
	ClientCAFile string `yaml:"client_ca_file"`
	// ReloadInterval is how often the files are checked for a change (default 10s).
	ReloadInterval time.Duration `yaml:"reload_interval"`
}

// Enabled reports whether the server speaks TLS.
func (t ServerTLS) Enabled() bool { return t.CertFile != "" }

// Debug configures what helps an operator look inside a running process.
type Debug struct {
	// PprofAddr serves Go's /debug/pprof/ profiles on a separate listener
	// (default "": off). Keep it on the loopback or behind a firewall: the
	// profiles show the process's internals and cost CPU while they run.
	PprofAddr string `yaml:"pprof_addr"`
}

// HTTPAuth is a bearer token or basic-auth credentials, from files or the
// environment only (CXPULSE_HTTP_TOKEN, CXPULSE_HTTP_METRICS_TOKEN).
type HTTPAuth struct {
	// TokenFile holds a bearer token.
	TokenFile string `yaml:"token_file"`
	// BasicAuthFile holds "user:password" lines.
	BasicAuthFile string `yaml:"basic_auth_file"`
	// Token and Basic are filled from the environment or the files.
	Token string            `yaml:"-"`
	Basic map[string]string `yaml:"-"`
}

// Enabled reports whether any credential is configured.
func (a HTTPAuth) Enabled() bool { return a.Token != "" || len(a.Basic) > 0 }

// TLS configures a TLS client.
type TLS struct {
	Enabled            bool   `yaml:"enabled"`              // default false
	CAFile             string `yaml:"ca_file"`              // PEM bundle; empty: the system pool
	CertFile           string `yaml:"cert_file"`            // client certificate (mutual TLS)
	KeyFile            string `yaml:"key_file"`             // its key
	ServerName         string `yaml:"server_name"`          // overrides the name checked in the server certificate
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"` // for tests only
}

// SASL configures Kafka authentication.
type SASL struct {
	// Mechanism is "" (none, default), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string `yaml:"mechanism"`
	Username  string `yaml:"username"`
	// PasswordFile holds the password; CXPULSE_KAFKA_SASL_PASSWORD overrides it.
	PasswordFile string `yaml:"password_file"`
	// Password is set only from the environment or PasswordFile.
	Password string `yaml:"password"`
}

// Kafka configures the brokers and topics.
type Kafka struct {
	// Brokers are host:port seeds (default ["127.0.0.1:9092"]).
	Brokers []string `yaml:"brokers"`
	// Topic carries contract events (default "cx.events").
	Topic string `yaml:"topic"`
	// DeadLetterTopic receives rejected messages (default "cx.events.dlq").
	DeadLetterTopic string `yaml:"dead_letter_topic"`
	// GroupID is the consumer group shared by all ingest processes (default "cxpulse-ingest").
	GroupID string `yaml:"group_id"`
	// ClientID names this client to the brokers (default "cxpulse").
	ClientID string `yaml:"client_id"`
	// SessionTimeout is how long the group waits for a silent member before
	// rebalancing its partitions (default 15s).
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// CreateTopics creates the events and dead-letter topics when missing (default true).
	CreateTopics bool `yaml:"create_topics"`
	// TopicPartitions and ReplicationFactor apply to topics cxpulse creates (defaults 6 and 1).
	TopicPartitions   int `yaml:"topic_partitions"`
	ReplicationFactor int `yaml:"replication_factor"`
	// LagInterval is how often consumer lag is polled (default 10s).
	LagInterval time.Duration `yaml:"lag_interval"`
	TLS         TLS           `yaml:"tls"`
	SASL        SASL          `yaml:"sasl"`
}

// ClickHouse configures the storage connection (native protocol).
type ClickHouse struct {
	// Addr lists host:port of the native protocol (default ["127.0.0.1:9000"]).
	Addr []string `yaml:"addr"`
	// Database holds cxpulse's tables (default "cxpulse").
	Database string `yaml:"database"`
	// User (default "default").
	User string `yaml:"user"`
	// PasswordFile holds the password; CXPULSE_CLICKHOUSE_PASSWORD overrides it.
	PasswordFile string `yaml:"password_file"`
	// Password is set only from the environment or PasswordFile.
	Password string `yaml:"password"`
	// DialTimeout bounds connecting (default 10s).
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// MaxOpenConns bounds the connection pool (default 8).
	MaxOpenConns int `yaml:"max_open_conns"`
	TLS          TLS `yaml:"tls"`
	// Cluster is the name of a cluster in the servers' remote_servers
	// (default "": one server). With it, migrate creates every table ON
	// CLUSTER as a replicated table per shard plus a Distributed table over
	// them, and every insert goes through the Distributed table
	// synchronously (README "Scaling").
	Cluster string `yaml:"cluster"`
}

// Ingest tunes batching and retries; see ingest.Config for the reasons
// behind the defaults, which are ingest.DefaultConfig's.
type Ingest struct {
	BatchRows       int           `yaml:"batch_rows"`       // default 1000000
	BatchBytes      int           `yaml:"batch_bytes"`      // default 268435456 (256 MiB)
	BatchInterval   time.Duration `yaml:"batch_interval"`   // default 1s
	MaxEventBytes   int           `yaml:"max_event_bytes"`  // default 65536 (contract: 64 KiB)
	MaxFutureSkew   time.Duration `yaml:"max_future_skew"`  // default 5m
	InsertTimeout   time.Duration `yaml:"insert_timeout"`   // default 60s
	RetryInitial    time.Duration `yaml:"retry_initial"`    // default 500ms
	RetryMax        time.Duration `yaml:"retry_max"`        // default 30s
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // default 30s
	DrainTimeout    time.Duration `yaml:"drain_timeout"`    // default 5s; below kafka.session_timeout
}

// defaultIngest is ingest.DefaultConfig in the configuration's terms.
func defaultIngest() Ingest {
	d := ingest.DefaultConfig
	return Ingest{
		BatchRows: d.BatchRows, BatchBytes: d.BatchBytes, BatchInterval: d.BatchInterval,
		MaxEventBytes: d.Limits.MaxBytes, MaxFutureSkew: d.Limits.MaxFutureSkew,
		InsertTimeout: d.InsertTimeout, RetryInitial: d.RetryInitial, RetryMax: d.RetryMax, ShutdownTimeout: d.ShutdownTimeout,
		DrainTimeout: d.DrainTimeout,
	}
}

// Config is the ingester's configuration writing into table.
func (in Ingest) Config(table string) ingest.Config {
	return ingest.Config{
		Table: table, BatchRows: in.BatchRows, BatchBytes: in.BatchBytes, BatchInterval: in.BatchInterval,
		Limits:        event.Limits{MaxBytes: in.MaxEventBytes, MaxFutureSkew: in.MaxFutureSkew},
		InsertTimeout: in.InsertTimeout, RetryInitial: in.RetryInitial, RetryMax: in.RetryMax, ShutdownTimeout: in.ShutdownTimeout,
		DrainTimeout: in.DrainTimeout,
	}
}

// Default is the configuration when nothing is set.
func Default() Config {
	return Config{
		Log:  Log{Level: "info", Format: "json"},
		HTTP: HTTP{Addr: ":9464", TLS: ServerTLS{ReloadInterval: 10 * time.Second}},
		Kafka: Kafka{
			Brokers: []string{"127.0.0.1:9092"}, Topic: "cx.events", DeadLetterTopic: "cx.events.dlq",
			GroupID: "cxpulse-ingest", ClientID: "cxpulse", SessionTimeout: 15 * time.Second, CreateTopics: true, TopicPartitions: 6, ReplicationFactor: 1, LagInterval: 10 * time.Second,
		},
		ClickHouse: ClickHouse{
			Addr: []string{"127.0.0.1:9000"}, Database: "cxpulse", User: "default",
			DialTimeout: 10 * time.Second, MaxOpenConns: 8,
		},
		Ingest:  defaultIngest(),
		KPI:     defaultKPI(),
		Metrics: Metrics{MaxSeries: 500_000},
		SLAPolicies: []sla.Policy{
			{Name: "default", Channel: "*", Priority: "*", FirstResponse: 4 * time.Hour, Resolution: 72 * time.Hour, BusinessHours: true, Objective: sla.DefaultObjective},
		},
	}
}

// ParseYAML applies a YAML document over c. Unknown keys and secrets written
// into the file are errors.
func (c *Config) ParseYAML(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, errEOF) {
		return fmt.Errorf("parse config: %w", err)
	}
	c.KPI.fillJobDefaults()
	var errs []error
	if c.ClickHouse.Password != "" {
		errs = append(errs, errors.New("clickhouse.password: secrets are not read from the config file; set CXPULSE_CLICKHOUSE_PASSWORD or clickhouse.password_file"))
	}
	if c.Kafka.SASL.Password != "" {
		errs = append(errs, errors.New("kafka.sasl.password: secrets are not read from the config file; set CXPULSE_KAFKA_SASL_PASSWORD or kafka.sasl.password_file"))
	}
	return errors.Join(errs...)
}

// LoadFile reads path (if not empty) over the defaults.
func LoadFile(path string) (Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("read config: %w", err)
	}
	if err := c.ParseYAML(data); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
