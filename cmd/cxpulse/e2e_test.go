package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These tests run cxpulse as real processes against the real Kafka and
// ClickHouse servers that deploy/local starts (make test starts them).

func TestIngestStoresExactlyTheValidUniqueEvents(t *testing.T) {
	p := newPipeline(t)
	recs, truth := generate(t, 11)
	p.produce(recs)
	ing := p.start("ingest")

	p.waitForAll(truth, 2*time.Minute)
	// Dead letters are written after the insert and before the commit: a
	// drained lag, not the stored events, says they are all out.
	p.waitForLag(0, 30*time.Second)
	p.requireDeadLetters(recs, truth)

	code, err := ing.get("/readyz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	require.NoError(t, ing.stop(t, syscall.SIGTERM), "SIGTERM exits 0")
	require.Contains(t, ing.output(), "ingest stopped")
}

func TestIngestKilledMidStreamLosesNothing(t *testing.T) {
	p := newPipeline(t)
	recs, truth := generate(t, 12)
	p.produce(recs)
	first := p.start("ingest-1")
	require.Eventually(t, func() bool {
		got, err := p.uniqueByType()
		return err == nil && total(got) > 0
	}, time.Minute, 50*time.Millisecond, "some events inserted before the kill")
	_ = first.stop(t, syscall.SIGKILL)
	got, err := p.uniqueByType()
	require.NoError(t, err)
	t.Logf("killed with %d of %d unique events stored", total(got), truth.Valid)

	p.start("ingest-2")
	p.waitForAll(truth, 3*time.Minute)
	// Dead letters are written after the insert and before the commit: a
	// drained lag, not the stored events, says they are all out.
	p.waitForLag(0, time.Minute)
	p.requireDeadLetters(recs, truth)
}

// clickhouseCtl stops or starts the test ClickHouse server through
// deploy/local (or CXPULSE_TEST_CLICKHOUSE_CTL).
func clickhouseCtl(t *testing.T, action string) {
	t.Helper()
	ctl := os.Getenv("CXPULSE_TEST_CLICKHOUSE_CTL")
	if ctl == "" {
		ctl = filepath.Join("..", "..", "deploy", "local", "clickhouse.sh")
	}
	out, err := exec.Command("bash", ctl, action).CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", ctl, action, out)
}

func TestIngestRidesOutClickHouseOutage(t *testing.T) {
	p := newPipeline(t)
	recs, truth := generate(t, 13)
	half := len(recs) / 2
	ing := p.start("ingest")
	p.produce(recs[:half])
	require.Eventually(t, func() bool {
		got, err := p.uniqueByType()
		return err == nil && total(got) > 0
	}, time.Minute, 100*time.Millisecond)

	clickhouseCtl(t, "stop")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			clickhouseCtl(t, "start")
		}
	})
	p.produce(recs[half:])
	require.Eventually(t, func() bool {
		code, err := ing.get("/readyz")
		return err == nil && code == http.StatusServiceUnavailable
	}, 30*time.Second, 200*time.Millisecond, "readyz reports the outage")
	time.Sleep(30 * time.Second)
	require.True(t, ing.alive(), "ingest must keep running while ClickHouse is down:\n%s", ing.output())
	require.Positive(t, p.lag(), "messages wait in Kafka while ClickHouse is down")

	clickhouseCtl(t, "start")
	restarted = true
	p.conn = reconnect(t)
	p.waitForAll(truth, 3*time.Minute)
	// Dead letters are written after the insert and before the commit: a
	// drained lag, not the stored events, says they are all out.
	p.waitForLag(0, time.Minute)
	p.requireDeadLetters(recs, truth)
	require.True(t, ing.alive())
	require.Eventually(t, func() bool {
		code, err := ing.get("/readyz")
		return err == nil && code == http.StatusOK
	}, 30*time.Second, 200*time.Millisecond)
	require.NoError(t, ing.stop(t, syscall.SIGTERM))
}

func TestTwoIngestersShareTheGroupThroughARebalance(t *testing.T) {
	p := newPipeline(t)
	recs, truth := generate(t, 14)
	third := len(recs) / 3
	a := p.start("ingest-a")
	b := p.start("ingest-b")
	p.produce(recs[:third])
	require.Eventually(t, func() bool {
		got, err := p.uniqueByType()
		return err == nil && total(got) > 0
	}, time.Minute, 100*time.Millisecond)

	require.NoError(t, b.stop(t, syscall.SIGTERM), "graceful stop of one member")
	p.produce(recs[third : 2*third])
	b = p.start("ingest-b-again")
	p.produce(recs[2*third:])

	p.waitForAll(truth, 3*time.Minute)
	// Dead letters are written after the insert and before the commit: a
	// drained lag, not the stored events, says they are all out.
	p.waitForLag(0, time.Minute)
	p.requireDeadLetters(recs, truth)
	require.NoError(t, a.stop(t, syscall.SIGTERM))
	require.NoError(t, b.stop(t, syscall.SIGTERM))
}
