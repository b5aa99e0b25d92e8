package ingest_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
)

// A second member joins while the first is in the middle of a batched fetch
// (its fetch goroutine held after one message of a fetch, with the chunks of
// its other partitions in hand and a batch interval of a minute). The first
// member must let what it holds be stored and committed before it rejoins,
// drop the interrupted fetch uncommitted, and every commit of either member
// must come after the valid events below it are in ClickHouse. In the end
// every valid event is stored, every offset committed, every broken message
// dead-lettered.
func TestRebalanceInTheMiddleOfABatchedFetch(t *testing.T) {
	// Small producer batches: a fetch returns whole record batches, so these
	// let a fetch of 4 KiB end inside a partition.
	st := newStream(t, 4, 4000, 20)
	a, deadA, regA := st.member(t, "a", func(c *ingest.Config) {
		c.BatchInterval, c.BatchRows = time.Minute, 1_000_000
	})
	held := make(chan struct{})
	var interrupted atomic.Bool
	var once sync.Once
	ingest.SetAfterMessage(a, func(ctx context.Context, partition int, offset int64) {
		if offset < 200 {
			return
		}
		first := false
		once.Do(func() { first = true })
		if !first {
			return
		}
		close(held)
		// Held inside the fetch until the rebalance ends this generation.
		select {
		case <-ctx.Done():
			t.Logf("held fetch of partition %d released by the end of the generation", partition)
			interrupted.Store(true)
		case <-time.After(time.Minute):
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	run := func(in *ingest.Ingester) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, in.Run(ctx))
		}()
	}
	run(a)
	select {
	case <-held:
	case <-time.After(time.Minute):
		t.Fatal("member a never reached the middle of a fetch")
	}
	require.Zero(t, inserts(t, regA), "nothing inserted before the rebalance (the batch interval is a minute)")
	b, deadB, _ := st.member(t, "b", func(c *ingest.Config) {
		c.BatchInterval, c.BatchRows = 100*time.Millisecond, 200
	})
	run(b)

	require.Eventually(t, func() bool { return interrupted.Load() }, time.Minute, 50*time.Millisecond, "the rebalance ended the held fetch")
	require.Eventually(t, func() bool { return inserts(t, regA) > 0 }, 20*time.Second, 50*time.Millisecond,
		"member a stored its batch in hand when it lost the generation, not a minute later")

	st.waitForAll(t, 2*time.Minute)
	cancel()
	wg.Wait()
	require.Empty(t, st.violation())

	st.requireDeadLettered(t, false, deadA, deadB)
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// inserts is how many batches the member has inserted.
func inserts(t *testing.T, reg *prometheus.Registry) uint64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "cxpulse_ingest_batch_rows" {
			return f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	t.Fatal("metric cxpulse_ingest_batch_rows not found")
	return 0
}
