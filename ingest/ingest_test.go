package ingest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/kafkatest"
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/ClickHouse/clickhouse-go/v2.(*clickhouse).startAutoCloseIdleConnections"),
		// kafka.DefaultTransport's idle connections, of kafkatest's writer and admin client.
		goleak.IgnoreTopFunction("github.com/segmentio/kafka-go.(*connPool).discover"),
		goleak.IgnoreTopFunction("github.com/segmentio/kafka-go.(*conn).run"))
}

// commitLog records every commit of an Ingester with what ClickHouse held
// at that moment, so a test can prove commits follow inserts.
type commitLog struct {
	mu      sync.Mutex
	commits []commit
}

type commit struct {
	partition int
	offset    int64 // the next offset to read
	storedNow uint64
}

func (l *commitLog) record(stored func() uint64) func(map[int]int64) {
	return func(offsets map[int]int64) {
		n := stored()
		l.mu.Lock()
		defer l.mu.Unlock()
		for p, o := range offsets {
			l.commits = append(l.commits, commit{p, o, n})
		}
	}
}

func (l *commitLog) snapshot() []commit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]commit(nil), l.commits...)
}

type memoryDeadLetters struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (d *memoryDeadLetters) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.msgs = append(d.msgs, msgs...)
	return nil
}

func count(t *testing.T, conn driver.Conn, table string) uint64 {
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n); err != nil {
		return 0
	}
	return n
}

// messages are n survey events, every tenth one broken JSON.
func messages(n int) []kafka.Message {
	var out []kafka.Message
	for i := 0; i < n; i++ {
		value := fmt.Sprintf(`{"event_id":"e-%d","type":"survey.nps","occurred_at":"2026-10-05T09:00:00Z","branch":"b%d","score":%d}`, i, i%3, i%11)
		if i%10 == 9 {
			value = `{"event_id":"broken"` // not JSON
		}
		out = append(out, kafka.Message{Key: []byte(fmt.Sprintf("k-%d", i)), Value: []byte(value)})
	}
	return out
}

// source is a fresh topic holding msgs, written in producer batches of
// batchSize, and a fresh group on it.
func source(t *testing.T, partitions int, msgs []kafka.Message, batchSize int) ingest.Kafka {
	t.Helper()
	topic := kafkatest.Topic(t, "ingest", partitions)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := kafkatest.Writer(t, topic)
	w.BatchSize = batchSize
	require.NoError(t, w.WriteMessages(ctx, msgs...))
	return ingest.Kafka{Brokers: kafkatest.Brokers(), Topic: topic, GroupID: topic + ".group",
		SessionTimeout: 6 * time.Second, RebalanceTimeout: 6 * time.Second, HeartbeatInterval: time.Second, JoinGroupBackoff: 200 * time.Millisecond}
}

func lag(t *testing.T, src ingest.Kafka) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	per, err := ingest.GroupLag(ctx, kafkatest.Client(), src.GroupID, src.Topic)
	if err != nil {
		return -1
	}
	var n int64
	for _, l := range per {
		n += l
	}
	return n
}

// The table does not exist when ingest starts, as if ClickHouse were down:
// inserts fail and are retried with a fresh batch each time, nothing is
// committed, /readyz would say why; once the table appears everything lands
// and only then are the offsets committed.
func TestIngesterRetriesAndCommitsOnlyAfterInsert(t *testing.T) {
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	table := "`" + db + "`.events"
	require.NoError(t, conn.Exec(context.Background(), "CREATE DATABASE `"+db+"`"))

	src := source(t, 2, messages(100), 100)
	commits := &commitLog{}
	dead := &memoryDeadLetters{}
	reg := prometheus.NewRegistry()
	metrics := ingest.NewMetrics(reg)
	cfg := ingest.DefaultConfig
	cfg.Table, cfg.BatchRows, cfg.BatchInterval = table, 40, 50*time.Millisecond
	cfg.RetryInitial, cfg.RetryMax, cfg.InsertTimeout = 50*time.Millisecond, 200*time.Millisecond, 5*time.Second
	cfg.Limits.MaxFutureSkew = 24 * 365 * time.Hour
	in := ingest.New(cfg, src, dead, conn, metrics, zerolog.Nop())
	ingest.SetOnCommit(in, commits.record(func() uint64 { return count(t, conn, table) }))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()

	require.Eventually(t, func() bool { return in.Ready() != nil }, 10*time.Second, 20*time.Millisecond, "not ready while inserts fail")
	require.Greater(t, counterValue(t, reg, "cxpulse_ingest_insert_failures_total"), 0.0)
	require.Empty(t, commits.snapshot(), "nothing committed while the insert fails")
	require.Positive(t, lag(t, src))

	_, err := cxsql.Migrate(context.Background(), conn, db)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return count(t, conn, table) == 90 }, 20*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { return in.Ready() == nil }, 5*time.Second, 20*time.Millisecond)

	cancel()
	require.NoError(t, <-done, "cancellation is a clean stop")

	for _, c := range commits.snapshot() {
		require.Positive(t, c.storedNow, "commit of %d/%d came before any insert", c.partition, c.offset)
	}
	require.Zero(t, lag(t, src), "every offset committed")
	require.Len(t, dead.msgs, 10)
	for _, m := range dead.msgs {
		require.Equal(t, `{"event_id":"broken"`, string(m.Value), "dead letter keeps the bytes")
		require.Contains(t, headers(m), ingest.HeaderReason+"="+string(event.ReasonNotJSON))
	}
}

func headers(m kafka.Message) []string {
	var out []string
	for _, h := range m.Headers {
		out = append(out, h.Key+"="+string(h.Value))
	}
	return out
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}
