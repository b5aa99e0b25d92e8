package leader

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/kafkatest"
)

// member is one elector under test with the terms it led.
type member struct {
	e      *Elector
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	terms  []Term
	active bool
}

func (m *member) leading() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active
}

func (m *member) lastTerm() Term {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.terms[len(m.terms)-1]
}

func startMember(t *testing.T, cfg Config, floor Floor) *member {
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{e: New(cfg, floor, nil, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		err := m.e.Run(ctx, func(ctx context.Context, term Term) {
			m.mu.Lock()
			m.terms, m.active = append(m.terms, term), true
			m.mu.Unlock()
			<-ctx.Done()
			m.mu.Lock()
			m.active = false
			m.mu.Unlock()
		})
		if err != nil {
			t.Errorf("elector: %v", err)
		}
	}()
	t.Cleanup(func() { m.stop() })
	return m
}

func (m *member) stop() {
	m.cancel()
	<-m.done
}

// realKafka is an election on the test broker, on a topic the elector
// creates (the name is fresh per test, so that it is absent at first).
func realKafka(t *testing.T) Config {
	name := strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	return Config{Brokers: kafkatest.Brokers(), Topic: "cxtest-coord-" + name, GroupID: "cxtest-" + name,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 300 * time.Millisecond, ReplicationFactor: 1}
}

// One of two members leads; when it stops, the other takes over with a
// larger generation, and a member that joins later leaves the lead where it is.
func TestOneLeaderAndHandover(t *testing.T) {
	cfg := realKafka(t)
	floor := func(context.Context) (uint64, error) { return 41, nil }
	a := startMember(t, cfg, floor)
	require.Eventually(t, a.leading, 10*time.Second, 20*time.Millisecond, "the only member leads")
	require.Equal(t, uint64(42), a.lastTerm().Generation, "above the stored floor")

	b := startMember(t, cfg, floor)
	time.Sleep(3 * cfg.HeartbeatInterval) // b has joined: a rebalance happened
	require.Eventually(t, a.leading, 10*time.Second, 20*time.Millisecond, "a joining standby leaves the lead with a")
	require.False(t, b.leading())

	a.stop()
	require.Eventually(t, b.leading, cfg.TakeoverBound(), 20*time.Millisecond, "b takes over when a leaves")
	require.Greater(t, b.lastTerm().Generation, a.lastTerm().Generation, "generations only grow")
}

// The balancer gives the partition to the member that led the newest term
// (a deposed leader that comes back says an older one), else the first by id.
func TestStickyLeadAssignment(t *testing.T) {
	b := stickyLead{}
	ms := []kafkaMember{{"m2", "7"}, {"m1", ""}, {"m3", "9"}}
	got := b.AssignGroups(groupMembers(ms), partitions("coord", 1))
	require.Equal(t, []int{0}, got["m3"]["coord"])
	require.Empty(t, got["m1"]["coord"])
	require.Empty(t, got["m2"]["coord"])
	got = b.AssignGroups(groupMembers(ms[:2]), partitions("coord", 1))
	require.Equal(t, []int{0}, got["m2"]["coord"])
	got = b.AssignGroups(groupMembers([]kafkaMember{{"m2", ""}, {"m1", "garbage"}}), partitions("coord", 1))
	require.Equal(t, []int{0}, got["m1"]["coord"], "none led: the first by id")
}
