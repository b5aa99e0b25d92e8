package ingest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
)

// Inserts fail after they sent blocks of rows to the server: the second,
// third and fourth insert, once the first one has committed. A failed
// insert keeps no copy of its rows; the fetchers read them again from the
// committed offsets. In the end every valid event is stored, no commit came
// before its events were in ClickHouse, and every broken message was
// dead-lettered exactly once (the dead letters of a failed insert are
// dropped with it, not written twice).
func TestFailedInsertRereadsFromTheCommittedOffsets(t *testing.T) {
	st := newStream(t, 2, 3000, 50)
	in, dead, reg := st.member(t, "a", func(c *ingest.Config) {
		c.BatchRows, c.BatchInterval = 1000, 200*time.Millisecond
	})
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

	st.waitForAll(t, time.Minute)
	cancel()
	require.NoError(t, <-done)

	require.Empty(t, st.violation())
	require.EqualValues(t, 3, counterValue(t, reg, "cxpulse_ingest_insert_failures_total"))
	require.Positive(t, blocksSent.Load(), "a failed insert had sent blocks already")
	require.Greater(t, counterValue(t, reg, "cxpulse_ingest_messages_consumed_total"), float64(len(st.msgs)),
		"what the failed inserts took was fetched again")
	st.requireDeadLettered(t, true, dead)
}
