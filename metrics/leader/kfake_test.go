package leader

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
)

// The election also runs on kfake, the in-process broker of `cxpulse run
// --embedded-kafka` and `cxpulse demo`: the coordination topic is created
// there and the only member leads.
func TestElectionOnTheEmbeddedBroker(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	cfg := Config{Brokers: c.ListenAddrs(), Topic: "coord", GroupID: "g", SessionTimeout: 6 * time.Second,
		HeartbeatInterval: 200 * time.Millisecond, ReplicationFactor: 1}
	a := startMember(t, cfg, func(context.Context) (uint64, error) { return 0, nil })
	require.Eventually(t, a.leading, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, uint64(1), a.lastTerm().Generation)
	b := startMember(t, cfg, func(context.Context) (uint64, error) { return 0, nil })
	a.stop()
	require.Eventually(t, b.leading, cfg.TakeoverBound(), 20*time.Millisecond)
	require.Equal(t, uint64(2), b.lastTerm().Generation, "above the offset a committed")
}
