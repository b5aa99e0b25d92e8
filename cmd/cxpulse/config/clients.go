package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// TLSConfig builds a client TLS configuration, or nil when TLS is off.
func (t TLS) TLSConfig(field string) (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in for tests
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s.ca_file: %w", field, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s.ca_file: no PEM certificates in %s", field, t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s.cert_file: %w", field, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ClickHouseOptions returns the native-protocol client options. Only the
// native protocol works against every supported server (docs/CLICKHOUSE.md).
func (c *Config) ClickHouseOptions() (*clickhouse.Options, error) {
	tlsCfg, err := c.ClickHouse.TLS.TLSConfig("clickhouse.tls")
	if err != nil {
		return nil, err
	}
	var settings clickhouse.Settings
	if c.ClickHouse.Cluster != "" {
		// An insert returns only when every shard stored its rows: a Kafka
		// offset is committed after that, and the KPI engine's fold and
		// snapshot writes are read back at once. A replica more than 30 s
		// behind (one catching up after a restart) is not read while its
		// shard has a fresher one: the incremental fold looks back 2 min
		// for rows that became visible late (metrics/kpi FoldOverlap).
		settings = clickhouse.Settings{"insert_distributed_sync": 1, "max_replica_delay_for_distributed_queries": 30}
	}
	return &clickhouse.Options{
		Settings: settings,
		Protocol: clickhouse.Native,
		Addr:     c.ClickHouse.Addr,
		Auth: clickhouse.Auth{
			// The connection's default database stays "default" so that the
			// migrations can create cxpulse's database; queries name it.
			Database: "default",
			Username: c.ClickHouse.User,
			Password: c.ClickHouse.Password,
		},
		TLS:              tlsCfg,
		DialTimeout:      c.ClickHouse.DialTimeout,
		MaxOpenConns:     c.ClickHouse.MaxOpenConns,
		MaxIdleConns:     c.ClickHouse.MaxOpenConns,
		ConnMaxLifetime:  time.Hour,
		Compression:      &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		ClientInfo:       clickhouse.ClientInfo{Products: []struct{ Name, Version string }{{Name: "cxpulse", Version: "1"}}},
		ConnOpenStrategy: clickhouse.ConnOpenInOrder,
	}, nil
}

func (c *Config) saslMechanism() (sasl.Mechanism, error) {
	s := c.Kafka.SASL
	switch s.Mechanism {
	case "":
		return nil, nil
	case "PLAIN":
		return plain.Mechanism{Username: s.Username, Password: s.Password}, nil
	case "SCRAM-SHA-256":
		m, err := scram.Mechanism(scram.SHA256, s.Username, s.Password)
		if err != nil {
			return nil, fmt.Errorf("kafka.sasl: %w", err)
		}
		return m, nil
	case "SCRAM-SHA-512":
		m, err := scram.Mechanism(scram.SHA512, s.Username, s.Password)
		if err != nil {
			return nil, fmt.Errorf("kafka.sasl: %w", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("kafka.sasl.mechanism: %q is not supported", s.Mechanism)
}

// KafkaDialer returns the dialer consumer-group readers use.
func (c *Config) KafkaDialer() (*kafka.Dialer, error) {
	tlsCfg, err := c.Kafka.TLS.TLSConfig("kafka.tls")
	if err != nil {
		return nil, err
	}
	mech, err := c.saslMechanism()
	if err != nil {
		return nil, err
	}
	return &kafka.Dialer{ClientID: c.Kafka.ClientID, Timeout: 10 * time.Second, DualStack: true, TLS: tlsCfg, SASLMechanism: mech}, nil
}

// KafkaTransport returns the transport writers and admin clients use.
func (c *Config) KafkaTransport() (*kafka.Transport, error) {
	tlsCfg, err := c.Kafka.TLS.TLSConfig("kafka.tls")
	if err != nil {
		return nil, err
	}
	mech, err := c.saslMechanism()
	if err != nil {
		return nil, err
	}
	return &kafka.Transport{ClientID: c.Kafka.ClientID, DialTimeout: 10 * time.Second, TLS: tlsCfg, SASL: mech}, nil
}
