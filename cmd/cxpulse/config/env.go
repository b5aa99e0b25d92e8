package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

var errEOF = io.EOF

// envVar binds one CXPULSE_* variable to a field.
type envVar struct {
	name  string
	field string
	apply func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func list(p func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = splitList(v); return nil }
}

func boolean(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not a boolean: %q", v)
		}
		*p(c) = b
		return nil
	}
}

func integer(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*p(c) = n
		return nil
	}
}

func duration(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration: %q", v)
		}
		*p(c) = d
		return nil
	}
}

// EnvVars lists every supported environment variable, for --help and the README.
var envVars = []envVar{
	{"CXPULSE_LOG_LEVEL", "log.level", str(func(c *Config) *string { return &c.Log.Level })},
	{"CXPULSE_LOG_FORMAT", "log.format", str(func(c *Config) *string { return &c.Log.Format })},
	{"CXPULSE_HTTP_ADDR", "http.addr", str(func(c *Config) *string { return &c.HTTP.Addr })},
	{"CXPULSE_HTTP_TOKEN", "http.auth (bearer token)", str(func(c *Config) *string { return &c.HTTP.Auth.Token })},
	{"CXPULSE_HTTP_METRICS_TOKEN", "http.metrics_auth (bearer token)", str(func(c *Config) *string { return &c.HTTP.MetricsAuth.Token })},
	{"CXPULSE_HTTP_TLS_CERT_FILE", "http.tls.cert_file", str(func(c *Config) *string { return &c.HTTP.TLS.CertFile })},
	{"CXPULSE_HTTP_TLS_KEY_FILE", "http.tls.key_file", str(func(c *Config) *string { return &c.HTTP.TLS.KeyFile })},
	{"CXPULSE_HTTP_TLS_CLIENT_CA_FILE", "http.tls.client_ca_file", str(func(c *Config) *string { return &c.HTTP.TLS.ClientCAFile })},
	{"CXPULSE_DEBUG_PPROF_ADDR", "debug.pprof_addr", str(func(c *Config) *string { return &c.Debug.PprofAddr })},
	{"CXPULSE_KAFKA_BROKERS", "kafka.brokers", list(func(c *Config) *[]string { return &c.Kafka.Brokers })},
	{"CXPULSE_KAFKA_TOPIC", "kafka.topic", str(func(c *Config) *string { return &c.Kafka.Topic })},
	{"CXPULSE_KAFKA_DEAD_LETTER_TOPIC", "kafka.dead_letter_topic", str(func(c *Config) *string { return &c.Kafka.DeadLetterTopic })},
	{"CXPULSE_KAFKA_GROUP_ID", "kafka.group_id", str(func(c *Config) *string { return &c.Kafka.GroupID })},
	{"CXPULSE_KAFKA_TLS_ENABLED", "kafka.tls.enabled", boolean(func(c *Config) *bool { return &c.Kafka.TLS.Enabled })},
	{"CXPULSE_KAFKA_TLS_CA_FILE", "kafka.tls.ca_file", str(func(c *Config) *string { return &c.Kafka.TLS.CAFile })},
	{"CXPULSE_KAFKA_SASL_MECHANISM", "kafka.sasl.mechanism", str(func(c *Config) *string { return &c.Kafka.SASL.Mechanism })},
	{"CXPULSE_KAFKA_SASL_USERNAME", "kafka.sasl.username", str(func(c *Config) *string { return &c.Kafka.SASL.Username })},
	{"CXPULSE_KAFKA_SASL_PASSWORD_FILE", "kafka.sasl.password_file", str(func(c *Config) *string { return &c.Kafka.SASL.PasswordFile })},
	{"CXPULSE_KAFKA_SASL_PASSWORD", "kafka.sasl.password", str(func(c *Config) *string { return &c.Kafka.SASL.Password })},
	{"CXPULSE_CLICKHOUSE_ADDR", "clickhouse.addr", list(func(c *Config) *[]string { return &c.ClickHouse.Addr })},
	{"CXPULSE_CLICKHOUSE_DATABASE", "clickhouse.database", str(func(c *Config) *string { return &c.ClickHouse.Database })},
	{"CXPULSE_CLICKHOUSE_USER", "clickhouse.user", str(func(c *Config) *string { return &c.ClickHouse.User })},
	{"CXPULSE_CLICKHOUSE_PASSWORD_FILE", "clickhouse.password_file", str(func(c *Config) *string { return &c.ClickHouse.PasswordFile })},
	{"CXPULSE_CLICKHOUSE_PASSWORD", "clickhouse.password", str(func(c *Config) *string { return &c.ClickHouse.Password })},
	{"CXPULSE_CLICKHOUSE_TLS_ENABLED", "clickhouse.tls.enabled", boolean(func(c *Config) *bool { return &c.ClickHouse.TLS.Enabled })},
	{"CXPULSE_CLICKHOUSE_TLS_CA_FILE", "clickhouse.tls.ca_file", str(func(c *Config) *string { return &c.ClickHouse.TLS.CAFile })},
	{"CXPULSE_INGEST_BATCH_ROWS", "ingest.batch_rows", integer(func(c *Config) *int { return &c.Ingest.BatchRows })},
	{"CXPULSE_INGEST_BATCH_INTERVAL", "ingest.batch_interval", duration(func(c *Config) *time.Duration { return &c.Ingest.BatchInterval })},
}

// EnvNames returns the supported environment variables and the fields they set.
func EnvNames() [][2]string {
	out := make([][2]string, len(envVars))
	for i, e := range envVars {
		out[i] = [2]string{e.name, e.field}
	}
	return out
}

// ApplyEnv applies CXPULSE_* variables from lookup (os.LookupEnv in production).
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	var errs []error
	for _, e := range envVars {
		v, ok := lookup(e.name)
		if !ok {
			continue
		}
		if err := e.apply(c, strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", e.field, e.name, err))
		}
	}
	return errors.Join(errs...)
}

// ResolveSecrets reads password files for passwords the environment left empty.
func (c *Config) ResolveSecrets() error {
	var errs []error
	read := func(field, path string, into *string) {
		if *into != "" || path == "" {
			return
		}
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
			return
		}
		*into = strings.TrimRight(string(data), "\r\n")
	}
	read("clickhouse.password_file", c.ClickHouse.PasswordFile, &c.ClickHouse.Password)
	read("http.auth.token_file", c.HTTP.Auth.TokenFile, &c.HTTP.Auth.Token)
	read("http.metrics_auth.token_file", c.HTTP.MetricsAuth.TokenFile, &c.HTTP.MetricsAuth.Token)
	readBasic := func(field, path string, into *map[string]string) {
		if path == "" {
			return
		}
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
			return
		}
		*into = map[string]string{}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			user, pass, ok := strings.Cut(line, ":")
			if !ok || user == "" || pass == "" {
				errs = append(errs, fmt.Errorf("%s: line %d: want user:password", field, i+1))
				continue
			}
			(*into)[user] = pass
		}
	}
	readBasic("http.auth.basic_auth_file", c.HTTP.Auth.BasicAuthFile, &c.HTTP.Auth.Basic)
	readBasic("http.metrics_auth.basic_auth_file", c.HTTP.MetricsAuth.BasicAuthFile, &c.HTTP.MetricsAuth.Basic)
	read("kafka.sasl.password_file", c.Kafka.SASL.PasswordFile, &c.Kafka.SASL.Password)
	return errors.Join(errs...)
}
