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
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/ClickHouse/clickhouse-go/v2.(*clickhouse).startAutoCloseIdleConnections"))
}

// memorySource is an in-memory consumer-group member: it hands out queued
// messages and records commits, together with how many rows ClickHouse held
// at that moment, so the test can prove commits follow inserts.
type memorySource struct {
	mu      sync.Mutex
	queue   []kafka.Message
	commits []commit
	rows    func() uint64
}

type commit struct {
	partition int
	offset    int64
	storedNow uint64
}

func (s *memorySource) FetchMessage(ctx context.Context) (kafka.Message, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			m := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return m, nil
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return kafka.Message{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *memorySource) CommitMessages(_ context.Context, msgs ...kafka.Message) error {
	stored := s.rows()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		s.commits = append(s.commits, commit{m.Partition, m.Offset, stored})
	}
	return nil
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

func messages(n int) []kafka.Message {
	var out []kafka.Message
	for i := 0; i < n; i++ {
		value := fmt.Sprintf(`{"event_id":"e-%d","type":"survey.nps","occurred_at":"2026-10-05T09:00:00Z","branch":"b%d","score":%d}`, i, i%3, i%11)
		if i%10 == 9 {
			value = `{"event_id":"broken"` // not JSON
		}
		out = append(out, kafka.Message{Topic: "cx.events", Partition: i % 2, Offset: int64(i / 2), Value: []byte(value)})
	}
	return out
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

	src := &memorySource{queue: messages(100), rows: func() uint64 { return count(t, conn, table) }}
	dead := &memoryDeadLetters{}
	reg := prometheus.NewRegistry()
	metrics := ingest.NewMetrics(reg)
	cfg := ingest.DefaultConfig
	cfg.Table, cfg.BatchRows, cfg.BatchInterval = table, 40, 50*time.Millisecond
	cfg.RetryInitial, cfg.RetryMax, cfg.InsertTimeout = 50*time.Millisecond, 200*time.Millisecond, 5*time.Second
	cfg.Limits.MaxFutureSkew = 24 * 365 * time.Hour
	in := ingest.New(cfg, src, dead, conn, metrics, zerolog.Nop())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()

	require.Eventually(t, func() bool { return in.Ready() != nil }, 10*time.Second, 20*time.Millisecond, "not ready while inserts fail")
	require.Greater(t, counterValue(t, reg, "cxpulse_ingest_insert_failures_total"), 0.0)
	src.mu.Lock()
	require.Empty(t, src.commits, "nothing committed while the insert fails")
	src.mu.Unlock()

	_, err := cxsql.Migrate(context.Background(), conn, db)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return count(t, conn, table) == 90 }, 20*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { return in.Ready() == nil }, 5*time.Second, 20*time.Millisecond)

	cancel()
	require.NoError(t, <-done, "cancellation is a clean stop")

	src.mu.Lock()
	defer src.mu.Unlock()
	last := map[int]int64{}
	for _, c := range src.commits {
		require.Positive(t, c.storedNow, "commit of %d/%d came before any insert", c.partition, c.offset)
		last[c.partition] = max(last[c.partition], c.offset)
	}
	require.Equal(t, map[int]int64{0: 49, 1: 49}, last, "every offset committed")
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
