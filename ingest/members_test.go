package ingest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
)

// member is a group member on src for the tests: quick retries, fetches of
// 4 KiB (a few dozen messages: commits come often and a fetch ends inside a
// partition), onCommit as its commit hook; tune adjusts the rest.
func member(t *testing.T, conn driver.Conn, table string, src ingest.Kafka, name string, onCommit func(map[int]int64),
	tune func(*ingest.Config)) (*ingest.Ingester, *memoryDeadLetters, *prometheus.Registry) {
	cfg := ingest.DefaultConfig
	cfg.Table, cfg.DrainTimeout = table, 10*time.Second
	cfg.RetryInitial, cfg.RetryMax, cfg.InsertTimeout = 50*time.Millisecond, 200*time.Millisecond, 10*time.Second
	cfg.Limits.MaxFutureSkew = 24 * 365 * time.Hour
	tune(&cfg)
	src.FetchBytes = 4 << 10
	reg := prometheus.NewRegistry()
	dead := &memoryDeadLetters{}
	in := ingest.New(cfg, src, dead, conn, ingest.NewMetrics(reg),
		zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel).With().Timestamp().Str("member", name).Logger())
	ingest.SetOnCommit(in, onCommit)
	return in, dead, reg
}

// waitForAll waits until every valid event of msgs is stored and every
// offset of src committed.
func waitForAll(t *testing.T, conn driver.Conn, table string, src ingest.Kafka, msgs []kafka.Message, within time.Duration) {
	t.Helper()
	want := 0
	for _, m := range msgs {
		if string(m.Value) != `{"event_id":"broken"` {
			want++
		}
	}
	require.Eventually(t, func() bool {
		var n uint64
		_ = conn.QueryRow(context.Background(), "SELECT uniqExact(event_id) FROM "+table).Scan(&n)
		return n == uint64(want) && lag(t, src) == 0
	}, within, 100*time.Millisecond, "every valid event stored and every offset committed")
}

// requireDeadLettered checks every broken message of valid was dead-lettered
// by one of the members and nothing else was; with once, each exactly once.
func requireDeadLettered(t *testing.T, valid map[int]map[int64]bool, once bool, deads ...*memoryDeadLetters) {
	t.Helper()
	seen := map[string]int{}
	for _, d := range deads {
		d.mu.Lock()
		for _, m := range d.msgs {
			seen[header(m, ingest.HeaderSourcePartition)+"/"+header(m, ingest.HeaderSourceOffset)]++
		}
		d.mu.Unlock()
	}
	want := 0
	for p, offs := range valid {
		for off, ok := range offs {
			if ok {
				continue
			}
			want++
			n := seen[fmt.Sprintf("%d/%d", p, off)]
			require.Positive(t, n, "broken message %d/%d dead-lettered", p, off)
			if once {
				require.Equal(t, 1, n, "broken message %d/%d dead-lettered once", p, off)
			}
		}
	}
	require.Len(t, seen, want, "only broken messages are dead-lettered")
}
