// Package leader elects the one cxpulse process that runs the KPI scheduler
// among any number of compute/run processes on one database, through an
// engine every deployment already has: a Kafka consumer group on a
// coordination topic with one partition. The member the group assigns the
// partition to leads; the others stand by. When the leader dies, the group
// coordinator expires it after the session timeout and gives the partition
// to a standby; when it stops gracefully it leaves the group, and the
// partition moves at the standbys' next heartbeat.
//
// Each term of leadership has a generation, a fencing token that only grows:
// the new leader takes one above both the offset committed by the previous
// leader and the newest generation stored in ClickHouse, and commits it as
// the group's offset of the coordination partition. Kafka accepts that commit
// only from the current group generation, so two terms never get the same
// token, and the stored maximum keeps it growing when the group's offsets
// expire. Writers store it with their snapshots and folds (metrics/kpi
// fence.go), where the newest generation wins.
package leader

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"
)

// Config says where and how to elect.
type Config struct {
	Brokers []string
	// Dialer carries TLS and SASL; nil is kafka-go's default dialer.
	Dialer *kafka.Dialer
	// Transport creates the topic (with the same TLS and SASL); nil is the default.
	Transport *kafka.Transport
	// Topic is the coordination topic, created with one partition when absent.
	Topic string
	// GroupID is the election: one group per database.
	GroupID string
	// SessionTimeout is how long the coordinator waits for a silent leader
	// before handing the partition on; HeartbeatInterval how often every
	// member checks in (and so how soon a standby learns of a rebalance).
	SessionTimeout, HeartbeatInterval time.Duration
	// ReplicationFactor of the coordination topic when it is created.
	ReplicationFactor int
}

// TakeoverBound is the longest a database is without a leader after its
// leader dies (SIGKILL, a lost machine) while a standby runs: the
// coordinator notices the silence after the session timeout, a standby
// learns of the rebalance at its next heartbeat and rejoins, then the join
// and sync round trips (under a second, counted as one more heartbeat).
// A graceful stop leaves the group at once: at most two heartbeats.
func (c Config) TakeoverBound() time.Duration { return c.SessionTimeout + 2*c.HeartbeatInterval }

// Term is one period of leadership.
type Term struct {
	// Generation is the fencing token of the term (see the package doc).
	Generation uint64
	// GroupGeneration is the Kafka group's generation id, for logs.
	GroupGeneration int32
}

// Floor returns the newest generation already stored (metrics/kpi
// StoredGeneration); a term's generation is above it.
type Floor func(ctx context.Context) (uint64, error)

// Elector takes part in the election until its context ends.
type Elector struct {
	cfg     Config
	floor   Floor
	metrics *Metrics
	log     zerolog.Logger
	leading atomic.Bool
	// held is the generation of the term this member led in its last group
	// generation (0: none); it says so when it rejoins (balancer.go)
	held atomic.Uint64
}

// New returns an elector; it does no I/O (Run does). A nil m means metrics
// that are not registered anywhere.
func New(cfg Config, floor Floor, m *Metrics, log zerolog.Logger) *Elector {
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Elector{cfg: cfg, floor: floor, metrics: m, log: log.With().Str("component", "leader").Str("group", cfg.GroupID).Logger()}
}

// Leading reports whether this process leads now.
func (e *Elector) Leading() bool { return e.leading.Load() }

// Run joins the election and, for each term this process wins, calls lead
// with a context that ends when the term does (the group rebalanced, the
// coordinator became unreachable, or ctx ended); lead must return soon
// after, and the process rejoins the group only then, so a deposed leader's
// runs have stopped before it can lead again. Run returns nil when ctx
// ends, after leaving the group (which hands the lead over at once).
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context, t Term)) error {
	if err := e.ensureTopic(ctx); err != nil {
		return err
	}
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID: e.cfg.GroupID, Brokers: e.cfg.Brokers, Dialer: e.cfg.Dialer, Topics: []string{e.cfg.Topic},
		GroupBalancers: []kafka.GroupBalancer{stickyLead{e}},
		SessionTimeout: e.cfg.SessionTimeout, RebalanceTimeout: e.cfg.SessionTimeout, HeartbeatInterval: e.cfg.HeartbeatInterval,
		JoinGroupBackoff: e.cfg.HeartbeatInterval, StartOffset: kafka.FirstOffset,
		Timeout: max(e.cfg.HeartbeatInterval, 2*time.Second),
		Logger:  kafka.LoggerFunc(func(string, ...any) {}),
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
			e.log.Debug().Msgf(msg, args...)
		}),
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	// Close leaves the group, after the running term's lead has returned.
	defer cg.Close()
	e.log.Info().Str("topic", e.cfg.Topic).Dur("session_timeout", e.cfg.SessionTimeout).
		Dur("heartbeat_interval", e.cfg.HeartbeatInterval).Dur("takeover_bound", e.cfg.TakeoverBound()).Msg("joining the kpi scheduler election")
	for {
		gen, err := cg.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// kafka-go rejoins by itself, after JoinGroupBackoff on errors.
			e.log.Warn().Err(err).Msg("kpi scheduler election: no group generation yet, retrying")
			continue
		}
		part, ok := e.assigned(gen)
		e.held.Store(0)
		if !ok {
			e.metrics.standby()
			e.log.Info().Int32("group_generation", gen.ID).Msg("standing by: another process leads the kpi scheduler")
			continue // Next returns once this generation has ended
		}
		done := make(chan struct{})
		gen.Start(func(gctx context.Context) {
			defer close(done)
			e.term(gctx, gen, part, lead)
		})
		select {
		case <-done:
		case <-ctx.Done():
			return nil // the deferred Close waits for the term to end
		}
	}
}

// assigned returns this member's assignment of the coordination partition.
func (e *Elector) assigned(gen *kafka.Generation) (kafka.PartitionAssignment, bool) {
	for _, p := range gen.Assignments[e.cfg.Topic] {
		if p.ID == 0 {
			return p, true
		}
	}
	return kafka.PartitionAssignment{}, false
}

// term takes this generation's fencing token, then leads until gctx ends.
func (e *Elector) term(gctx context.Context, gen *kafka.Generation, part kafka.PartitionAssignment, lead func(context.Context, Term)) {
	g, err := e.token(gctx, gen, part)
	if err != nil {
		if gctx.Err() == nil {
			e.log.Error().Err(err).Int32("group_generation", gen.ID).Msg("could not take a scheduler generation; rejoining the election")
		}
		return // ends the group generation: the group rebalances
	}
	e.held.Store(g)
	t := Term{Generation: g, GroupGeneration: gen.ID}
	log := e.log.With().Uint64("generation", g).Int32("group_generation", gen.ID).Logger()
	e.leading.Store(true)
	e.metrics.lead(g)
	log.Info().Msg("leading the kpi scheduler")
	started := time.Now()
	defer func() {
		e.leading.Store(false)
		e.metrics.standby()
		log.Info().Dur("led", time.Since(started)).Msg("kpi scheduler lead ended")
	}()
	lead(gctx, t)
}

// token computes the term's generation and commits it through the group,
// which Kafka refuses from a generation that is no longer current.
func (e *Elector) token(ctx context.Context, gen *kafka.Generation, part kafka.PartitionAssignment) (uint64, error) {
	var g uint64
	op := func() error {
		floor, err := e.floor(ctx)
		if err != nil {
			return err
		}
		g = floor
		if part.Offset > 0 && uint64(part.Offset) > g {
			g = uint64(part.Offset)
		}
		g++
		if err := gen.CommitOffsets(map[string]map[int]int64{e.cfg.Topic: {part.ID: int64(g)}}); err != nil {
			// a stale generation: the group has moved on without us
			return backoff.Permanent(fmt.Errorf("commit generation %d: %w", g, err))
		}
		return nil
	}
	b := backoff.WithContext(backoff.NewExponentialBackOff(backoff.WithInitialInterval(200*time.Millisecond),
		backoff.WithMaxInterval(5*time.Second), backoff.WithMaxElapsedTime(0)), ctx)
	err := backoff.RetryNotify(op, b, func(err error, wait time.Duration) {
		e.log.Warn().Err(err).Dur("retry_in", wait).Msg("reading the stored scheduler generation failed")
	})
	return g, err
}

// ensureTopic creates the coordination topic with one partition when absent.
func (e *Elector) ensureTopic(ctx context.Context) error {
	client := &kafka.Client{Addr: kafka.TCP(e.cfg.Brokers...), Timeout: 15 * time.Second}
	if e.cfg.Transport != nil { // a nil *Transport in the interface is not the default
		client.Transport = e.cfg.Transport
	}
	op := func() error {
		resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
			{Topic: e.cfg.Topic, NumPartitions: 1, ReplicationFactor: e.cfg.ReplicationFactor},
		}})
		if err != nil {
			return err
		}
		if terr := resp.Errors[e.cfg.Topic]; terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
			return fmt.Errorf("topic %s: %w", e.cfg.Topic, terr)
		}
		return nil
	}
	b := backoff.WithContext(backoff.NewExponentialBackOff(backoff.WithInitialInterval(500*time.Millisecond),
		backoff.WithMaxInterval(15*time.Second), backoff.WithMaxElapsedTime(0)), ctx)
	err := backoff.RetryNotify(op, b, func(err error, wait time.Duration) {
		e.log.Warn().Err(err).Dur("retry_in", wait).Msg("create the kpi coordination topic failed")
	})
	if err != nil {
		return fmt.Errorf("create kpi coordination topic %s: %w", e.cfg.Topic, err)
	}
	return nil
}

// Metrics are the election's series.
type Metrics struct {
	leader     prometheus.Gauge
	generation prometheus.Gauge
	terms      prometheus.Counter
}

// NewMetrics makes the election metrics and registers them with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cxpulse_scheduler_leader",
			Help: "1 while this process leads the KPI scheduler (computes and writes the snapshots and folds), 0 while it stands by.",
		}),
		generation: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cxpulse_scheduler_generation",
			Help: "Generation (fencing token) of this process's current or last term as KPI scheduler leader; 0 before its first.",
		}),
		terms: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cxpulse_scheduler_terms_total",
			Help: "Terms this process has begun as KPI scheduler leader.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.leader, m.generation, m.terms)
	}
	return m
}

func (m *Metrics) lead(g uint64) {
	m.leader.Set(1)
	m.generation.Set(float64(g))
	m.terms.Inc()
}

func (m *Metrics) standby() { m.leader.Set(0) }

// Solo marks this process as the scheduler without an election (kpi.leader.disabled).
func (m *Metrics) Solo() { m.leader.Set(1) }
