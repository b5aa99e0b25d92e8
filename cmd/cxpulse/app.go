package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/cenkalti/backoff/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/ingest"
	cxsql "github.com/cxpulse/cxpulse/sql"
)

// app is the builder: it turns a validated configuration into the parts a
// subcommand runs. Constructors here do no I/O; the start* methods do.
type app struct {
	// cfg is the configuration at start; what a SIGHUP may change is read
	// from live instead.
	cfg   config.Config
	live  atomic.Pointer[liveState]
	log   zerolog.Logger
	level *levelHook // the log level, changed by a reload
	reg   *prometheus.Registry
	// source loads the configuration again (for SIGHUP); nil for commands
	// that do not reload.
	source func() (config.Config, error)
}

func newApp(cfg config.Config, log zerolog.Logger) *app {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), newBuildInfoCollector())
	level := &levelHook{}
	level.set(cfg.Log.Level)
	// The loggers handed out keep the lowest level the configuration allows;
	// the hook filters by the current one.
	a := &app{cfg: cfg, log: log.Level(zerolog.DebugLevel).Hook(level), level: level, reg: reg}
	a.live.Store(newLiveState(cfg))
	return a
}

func (a *app) table() string { return "`" + a.cfg.ClickHouse.Database + "`.events" }

// connectClickHouse opens the pool and waits, with capped backoff, until the
// server answers or ctx ends.
func (a *app) connectClickHouse(ctx context.Context) (driver.Conn, error) {
	conn, err := a.openClickHouse()
	if err != nil {
		return nil, err
	}
	if err := a.awaitClickHouse(ctx, conn); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// openClickHouse makes the pool; it does no I/O (the first query dials).
func (a *app) openClickHouse() (driver.Conn, error) {
	opts, err := a.cfg.ClickHouseOptions()
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	return conn, nil
}

// awaitClickHouse waits, with capped backoff, until the server answers or
// ctx ends, then checks the cluster layout.
func (a *app) awaitClickHouse(ctx context.Context, conn driver.Conn) error {
	err := a.retry(ctx, "connect to clickhouse", func(ctx context.Context) error {
		pingCtx, cancel := context.WithTimeout(ctx, a.cfg.ClickHouse.DialTimeout)
		defer cancel()
		return conn.Ping(pingCtx)
	})
	if err != nil {
		return err
	}
	if v, err := conn.ServerVersion(); err == nil {
		a.log.Info().Strs("addr", a.cfg.ClickHouse.Addr).Str("version", v.Version.String()).Msg("connected to clickhouse")
	}
	return a.checkLayout(ctx, conn)
}

// checkLayout fails at start when clickhouse.cluster and the servers or the
// database disagree: an unknown cluster, a shard none of whose servers
// answers, a single-node database in cluster mode or the reverse. A replica
// down while its shard has another is only logged: the cluster serves.
func (a *app) checkLayout(ctx context.Context, conn driver.Conn) error {
	checkCtx, cancel := context.WithTimeout(ctx, 2*a.cfg.ClickHouse.DialTimeout+10*time.Second)
	defer cancel()
	down, err := cxsql.CheckLayout(checkCtx, conn, a.cfg.ClickHouse.Database, a.cfg.ClickHouse.Cluster, a.dialServer)
	if err != nil {
		return fmt.Errorf("clickhouse.cluster %q: %w", a.cfg.ClickHouse.Cluster, err)
	}
	for _, s := range down {
		a.log.Warn().Str("cluster", a.cfg.ClickHouse.Cluster).Stringer("server", s).Msg("a replica of the cluster does not answer; its shard is served by the others")
	}
	return nil
}

// dialServer connects to one server of the cluster with the configured
// credentials, for the checks that look at each server.
func (a *app) dialServer(ctx context.Context, addr string) (driver.Conn, error) {
	opts, err := a.cfg.ClickHouseOptions()
	if err != nil {
		return nil, err
	}
	opts.Addr, opts.MaxOpenConns, opts.MaxIdleConns = []string{addr}, 1, 1
	opts.DialTimeout = min(opts.DialTimeout, 5*time.Second)
	return clickhouse.Open(opts)
}

// migrate applies pending migrations, logging what it did.
func (a *app) migrate(ctx context.Context, conn driver.Conn) error {
	res, err := cxsql.MigrateTarget(ctx, conn, cxsql.Target{
		Database: a.cfg.ClickHouse.Database, Cluster: a.cfg.ClickHouse.Cluster, Dial: a.dialServer})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range res.Modified {
		a.log.Warn().Uint32("version", m.Version).Str("name", m.Name).Msg("applied migration differs from the embedded file")
	}
	for _, m := range res.Applied {
		a.log.Info().Uint32("version", m.Version).Str("name", m.Name).Msg("migration applied")
	}
	a.log.Info().Str("database", a.cfg.ClickHouse.Database).Str("cluster", a.cfg.ClickHouse.Cluster).Uint32("schema_version", res.Current).
		Int("applied", len(res.Applied)).Msg("schema up to date")
	return nil
}

// connectMigrated connects and checks that the schema is this binary's.
func (a *app) connectMigrated(ctx context.Context) (driver.Conn, error) {
	conn, err := a.connectClickHouse(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.checkSchema(ctx, conn); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// checkSchema refuses to ingest into a database whose schema is missing or
// newer than this binary.
func (a *app) checkSchema(ctx context.Context, conn driver.Conn) error {
	all, err := cxsql.Migrations(a.cfg.ClickHouse.Database)
	if err != nil {
		return err
	}
	applied, err := cxsql.AppliedMigrations(ctx, conn, a.cfg.ClickHouse.Database)
	if err != nil {
		return fmt.Errorf("%w (run `cxpulse migrate` first)", err)
	}
	if len(applied) > 0 && applied[len(applied)-1].Version > uint32(len(all)) {
		return fmt.Errorf("%w: database at version %d, this binary knows up to %d", cxsql.ErrDatabaseAhead, applied[len(applied)-1].Version, len(all))
	}
	if len(applied) < len(all) {
		return fmt.Errorf("database %s is at schema version %d, this binary needs %d: run `cxpulse migrate`", a.cfg.ClickHouse.Database, len(applied), len(all))
	}
	return nil
}

// ensureTopics creates the events and dead-letter topics when missing.
func (a *app) ensureTopics(ctx context.Context, transport *kafka.Transport) error {
	client := &kafka.Client{Addr: kafka.TCP(a.cfg.Kafka.Brokers...), Transport: transport, Timeout: 15 * time.Second}
	return a.retry(ctx, "create kafka topics", func(ctx context.Context) error {
		var topics []kafka.TopicConfig
		for _, t := range []string{a.cfg.Kafka.Topic, a.cfg.Kafka.DeadLetterTopic} {
			topics = append(topics, kafka.TopicConfig{Topic: t, NumPartitions: a.cfg.Kafka.TopicPartitions, ReplicationFactor: a.cfg.Kafka.ReplicationFactor})
		}
		resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: topics})
		if err != nil {
			return err
		}
		for name, terr := range resp.Errors {
			if terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
				return fmt.Errorf("topic %s: %w", name, terr)
			}
		}
		return nil
	})
}

func (a *app) ingestConfig() ingest.Config { return a.cfg.Ingest.Config(a.table()) }

// kafkaSource says which group ingest joins and how it fetches. Offsets are
// committed by ingest itself, only after their batch is in ClickHouse.
func (a *app) kafkaSource(dialer *kafka.Dialer) ingest.Kafka {
	k := a.cfg.Kafka
	return ingest.Kafka{
		Brokers: k.Brokers, Topic: k.Topic, GroupID: k.GroupID, Dialer: dialer,
		SessionTimeout: k.SessionTimeout, RebalanceTimeout: k.SessionTimeout, HeartbeatInterval: k.SessionTimeout / 5,
		JoinGroupBackoff: time.Second,
	}
}

// newDeadLetterWriter writes rejected messages synchronously, keeping their keys' partitioning.
func (a *app) newDeadLetterWriter(transport *kafka.Transport) *kafka.Writer {
	return &kafka.Writer{
		Addr: kafka.TCP(a.cfg.Kafka.Brokers...), Topic: a.cfg.Kafka.DeadLetterTopic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond, BatchBytes: 4 << 20, BatchSize: 1000,
		MaxAttempts: 3, Transport: transport,
	}
}

// retry runs op with capped exponential backoff until it succeeds or ctx ends.
func (a *app) retry(ctx context.Context, what string, op func(context.Context) error) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.MaxElapsedTime = 500*time.Millisecond, 15*time.Second, 0
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		wait := b.NextBackOff()
		a.log.Warn().Err(err).Int("attempt", attempt).Dur("retry_in", wait).Msgf("%s failed", what)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}
