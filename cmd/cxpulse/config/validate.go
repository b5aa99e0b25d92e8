package config

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

var (
	identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	topicName  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,249}$`)
)

// FoldClockRoom is the part of the fold's overlap (kpi.FoldOverlap) kept for
// clock skew between the ingest and KPI hosts: one insert attempt may last
// the rest, and ingest.insert_timeout may not be set past it.
const FoldClockRoom = 30 * time.Second

// Validate checks every field and returns all problems at once, each naming its field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "console":
	default:
		bad("log.format", "%q is not one of json, console", c.Log.Format)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		bad("http.addr", "%q is not host:port", c.HTTP.Addr)
	}
	if t := c.HTTP.TLS; t.CertFile != "" || t.KeyFile != "" || t.ClientCAFile != "" {
		if t.CertFile == "" || t.KeyFile == "" {
			bad("http.tls.cert_file", "cert_file and key_file go together")
		}
	}
	positive := func(field string, d time.Duration) {
		if d <= 0 {
			bad(field, "must be positive, got %s", d)
		}
	}
	positive("http.tls.reload_interval", c.HTTP.TLS.ReloadInterval)
	if a := c.Debug.PprofAddr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("debug.pprof_addr", "%q is not host:port", a)
		} else if a == c.HTTP.Addr {
			bad("debug.pprof_addr", "must differ from http.addr (%q): profiles get their own listener", a)
		}
	}
	checkAddrs := func(field string, addrs []string) {
		if len(addrs) == 0 {
			bad(field, "at least one host:port is required")
		}
		for _, a := range addrs {
			if _, _, err := net.SplitHostPort(a); err != nil {
				bad(field, "%q is not host:port", a)
			}
		}
	}
	checkAddrs("kafka.brokers", c.Kafka.Brokers)
	for field, t := range map[string]string{"kafka.topic": c.Kafka.Topic, "kafka.dead_letter_topic": c.Kafka.DeadLetterTopic} {
		if !topicName.MatchString(t) {
			bad(field, "%q is not a valid topic name", t)
		}
	}
	if c.Kafka.Topic == c.Kafka.DeadLetterTopic {
		bad("kafka.dead_letter_topic", "must differ from kafka.topic (%q)", c.Kafka.Topic)
	}
	if c.Kafka.GroupID == "" {
		bad("kafka.group_id", "must not be empty")
	}
	if c.Kafka.TopicPartitions < 1 {
		bad("kafka.topic_partitions", "must be at least 1, got %d", c.Kafka.TopicPartitions)
	}
	if c.Kafka.ReplicationFactor < 1 {
		bad("kafka.replication_factor", "must be at least 1, got %d", c.Kafka.ReplicationFactor)
	}
	positive("kafka.session_timeout", c.Kafka.SessionTimeout)
	positive("kafka.lag_interval", c.Kafka.LagInterval)
	switch c.Kafka.SASL.Mechanism {
	case "":
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if c.Kafka.SASL.Username == "" {
			bad("kafka.sasl.username", "required with mechanism %s", c.Kafka.SASL.Mechanism)
		}
		if c.Kafka.SASL.Password == "" {
			bad("kafka.sasl.password", "required with mechanism %s: set CXPULSE_KAFKA_SASL_PASSWORD or kafka.sasl.password_file", c.Kafka.SASL.Mechanism)
		}
	default:
		bad("kafka.sasl.mechanism", "%q is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512", c.Kafka.SASL.Mechanism)
	}
	checkTLS := func(prefix string, t TLS) {
		if (t.CertFile == "") != (t.KeyFile == "") {
			bad(prefix+".cert_file", "cert_file and key_file go together")
		}
		if !t.Enabled && (t.CAFile != "" || t.CertFile != "") {
			bad(prefix+".enabled", "files are set but TLS is not enabled")
		}
	}
	checkTLS("kafka.tls", c.Kafka.TLS)
	checkTLS("clickhouse.tls", c.ClickHouse.TLS)
	checkAddrs("clickhouse.addr", c.ClickHouse.Addr)
	if !identifier.MatchString(c.ClickHouse.Database) {
		bad("clickhouse.database", "%q must match %s", c.ClickHouse.Database, identifier)
	}
	if c.ClickHouse.Cluster != "" && !identifier.MatchString(c.ClickHouse.Cluster) {
		bad("clickhouse.cluster", "%q must match %s", c.ClickHouse.Cluster, identifier)
	}
	if c.ClickHouse.User == "" {
		bad("clickhouse.user", "must not be empty")
	}
	positive("clickhouse.dial_timeout", c.ClickHouse.DialTimeout)
	if c.ClickHouse.MaxOpenConns < 1 {
		bad("clickhouse.max_open_conns", "must be at least 1, got %d", c.ClickHouse.MaxOpenConns)
	}
	in := c.Ingest
	if in.BatchRows < 1 {
		bad("ingest.batch_rows", "must be at least 1, got %d", in.BatchRows)
	}
	if in.BatchBytes < 1<<10 {
		bad("ingest.batch_bytes", "must be at least 1024, got %d", in.BatchBytes)
	}
	if in.MaxEventBytes < 1 {
		bad("ingest.max_event_bytes", "must be at least 1, got %d", in.MaxEventBytes)
	}
	positive("ingest.batch_interval", in.BatchInterval)
	positive("ingest.max_future_skew", in.MaxFutureSkew)
	if in.InsertTimeout <= time.Second {
		bad("ingest.insert_timeout", "must be above 1s (so the server bounds the query too), got %s", in.InsertTimeout)
	}
	// an open insert lasts at most batch_interval + insert_timeout, and its
	// rows carry the instant it opened (ingest.Ingester.open)
	if limit := kpi.FoldOverlap - FoldClockRoom; in.BatchInterval+in.InsertTimeout > limit {
		bad("ingest.insert_timeout", "with ingest.batch_interval (%s) must be at most %s, got %s: an insert stays open up to both, and the KPI engine's incremental fold looks %s back for rows whose insert was still open (kpi.FoldOverlap), %s of it kept for clock skew",
			in.BatchInterval, limit, in.InsertTimeout, kpi.FoldOverlap, FoldClockRoom)
	}
	positive("ingest.retry_initial", in.RetryInitial)
	if in.RetryMax < in.RetryInitial {
		bad("ingest.retry_max", "must be at least ingest.retry_initial (%s), got %s", in.RetryInitial, in.RetryMax)
	}
	positive("ingest.shutdown_timeout", in.ShutdownTimeout)
	// a member that loses partitions drains its open insert before it
	// rejoins; the group waits for it no longer than the session timeout
	if in.DrainTimeout <= 0 || in.DrainTimeout >= c.Kafka.SessionTimeout {
		bad("ingest.drain_timeout", "must be positive and below kafka.session_timeout (%s), got %s", c.Kafka.SessionTimeout, in.DrainTimeout)
	}
	errs = append(errs, c.validateKPI()...)
	return errors.Join(errs...)
}
