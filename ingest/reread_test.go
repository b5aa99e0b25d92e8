package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Inserts fail after they sent blocks of rows to the server: the second,
// third and fourth insert, once the first one has committed. A failed
// insert keeps no copy of its rows; the fetchers read them again from the
// committed offsets. In the end every valid event is stored, no commit came
// before its events were in ClickHouse, and every broken message was
// dead-lettered exactly once (the dead letters of a failed insert are
// dropped with it, not written twice).
func TestFailedInsertRereadsFromTheCommittedOffsets(t *testing.T) {
	conn, db := sqltest.Migrated(t)
	table := "`" + db + "`.events"
	msgs := messages(3000)
	src := source(t, 2, msgs, 50)
	valid := validOffsets(t, src)
	checkCommit, violation := commitsAfterInserts(conn, table, src, valid)

	cfg := ingest.DefaultConfig
	cfg.Table, cfg.BatchRows, cfg.BatchInterval = table, 1000, 200*time.Millisecond
	cfg.RetryInitial, cfg.RetryMax, cfg.InsertTimeout = 50*time.Millisecond, 200*time.Millisecond, 10*time.Second
	cfg.Limits.MaxFutureSkew = 24 * 365 * time.Hour
	s := src
	s.FetchBytes = 4 << 10
	reg := prometheus.NewRegistry()
	dead := &memoryDeadLetters{}
	in := ingest.New(cfg, s, dead, conn, ingest.NewMetrics(reg), zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	ingest.SetOnCommit(in, checkCommit)
	ingest.SetBlockRows(in, 100)
	var sends, blocksSent atomic.Int64
	ingest.SetBeforeSend(in, func(rows int) error {
		if n := sends.Add(1); n >= 2 && n <= 4 {
			if rows > 100 {
				blocksSent.Add(1)
			}
			return errors.New("injected: connection lost before the end of the insert")
		}
		return nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()

	wantUnique := 0
	for _, m := range msgs {
		if string(m.Value) != `{"event_id":"broken"` {
			wantUnique++
		}
	}
	require.Eventually(t, func() bool {
		var n uint64
		_ = conn.QueryRow(context.Background(), "SELECT uniqExact(event_id) FROM "+table).Scan(&n)
		return n == uint64(wantUnique) && lag(t, src) == 0
	}, time.Minute, 100*time.Millisecond, "every valid event stored and every offset committed")
	cancel()
	require.NoError(t, <-done)

	require.Empty(t, violation())
	require.EqualValues(t, 3, counterValue(t, reg, "cxpulse_ingest_insert_failures_total"))
	require.Positive(t, blocksSent.Load(), "a failed insert had sent blocks already")
	require.Greater(t, counterValue(t, reg, "cxpulse_ingest_messages_consumed_total"), float64(len(msgs)),
		"what the failed inserts took was fetched again")
	dead.mu.Lock()
	defer dead.mu.Unlock()
	seen := map[string]int{}
	for _, m := range dead.msgs {
		seen[header(m, ingest.HeaderSourcePartition)+"/"+header(m, ingest.HeaderSourceOffset)]++
	}
	for p, offs := range valid {
		for off, ok := range offs {
			if !ok {
				require.Equal(t, 1, seen[fmt.Sprintf("%d/%d", p, off)], "broken message %d/%d dead-lettered once", p, off)
			}
		}
	}
	require.Len(t, dead.msgs, len(msgs)-wantUnique)
}
