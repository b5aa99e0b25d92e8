// Package ingest owns the path from Kafka into ClickHouse: a consumer-group
// member that fetches its partitions in batches, decodes and validates
// contract events straight into columns, streams them into one open INSERT
// at a time (ended by rows, bytes or time) in native blocks, sends what
// breaks the contract to the dead-letter topic, and commits offsets only
// after both succeeded. Delivery is at least once; the schema and the KPI queries make
// redelivered events harmless (see sql/migrations/0001_events.sql).
package ingest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// Config tunes one ingest process.
type Config struct {
	// Table is the fully qualified events table, e.g. `cxpulse`.`events`.
	Table string
	// BatchRows ends an insert once it holds this many messages (default
	// 1,000,000, ClickHouse's min_insert_block_size_rows): ClickHouse wants
	// few large inserts, and rows go to the server in blocks as they come,
	// so the size of an insert costs this process no memory.
	BatchRows int
	// BatchBytes ends an insert once the message values in it reach this size
	// (default 256 MiB, ClickHouse's min_insert_block_size_bytes), which
	// bounds what the server buffers whatever the event size.
	BatchBytes int
	// BatchInterval ends a non-empty insert this long after its first message
	// (default 1s), so a quiet stream still reaches the KPIs within seconds.
	BatchInterval time.Duration
	// Limits are the contract's size and clock rules.
	Limits event.Limits
	// InsertTimeout bounds one insert attempt (default 60s; above 1s, so the
	// driver also bounds the query on the server).
	InsertTimeout time.Duration
	// RetryInitial and RetryMax bound the exponential backoff between failed
	// attempts (defaults 500ms and 30s).
	RetryInitial, RetryMax time.Duration
	// ShutdownTimeout bounds the final flush on SIGTERM (default 30s).
	ShutdownTimeout time.Duration
	// DrainTimeout bounds how long a member that loses partitions in a
	// rebalance waits for the open insert to be stored and committed before
	// it rejoins (default 5s; keep it well below the rebalance timeout).
	DrainTimeout time.Duration
}

// DefaultConfig holds the defaults documented on Config.
var DefaultConfig = Config{
	BatchRows:       1_000_000,
	BatchBytes:      256 << 20,
	BatchInterval:   time.Second,
	Limits:          event.DefaultLimits,
	InsertTimeout:   60 * time.Second,
	RetryInitial:    500 * time.Millisecond,
	RetryMax:        30 * time.Second,
	ShutdownTimeout: 30 * time.Second,
	DrainTimeout:    5 * time.Second,
}

// DeadLetters receives rejected messages; a *kafka.Writer on the dead-letter topic implements it.
type DeadLetters interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Ingester moves events from a Kafka consumer group into ClickHouse. Run it once.
type Ingester struct {
	cfg     Config
	src     Kafka
	dead    DeadLetters
	conn    driver.Conn
	metrics *Metrics
	log     zerolog.Logger
	now     func() time.Time

	chunks sync.Pool

	storageErr atomic.Pointer[string] // last insert error, nil while healthy
	// epoch counts failed sessions: a chunk read in an older epoch is
	// dropped, and a fetcher that sees it change rereads from the committed
	// offset (insertLoop).
	epoch atomic.Uint64

	// Test hooks, nil in the product: afterMessage runs after each message is
	// decoded (inside a fetch), onCommit before each commit of a generation.
	afterMessage func(ctx context.Context, partition int, offset int64)
	onCommit     func(offsets map[int]int64)
	// blockRows is the block size of an open insert (blockRows; smaller in
	// tests), beforeSend a test hook that can fail a session before its Send.
	blockRows  int
	beforeSend func(rows int) error
}

// New wires an Ingester; it does no I/O.
func New(cfg Config, src Kafka, dead DeadLetters, conn driver.Conn, metrics *Metrics, log zerolog.Logger) *Ingester {
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultConfig.DrainTimeout
	}
	return &Ingester{cfg: cfg, src: src.withDefaults(), dead: dead, conn: conn, metrics: metrics, log: log, now: time.Now, blockRows: blockRows}
}

// Ready returns an error while ClickHouse inserts are failing.
func (in *Ingester) Ready() error {
	if msg := in.storageErr.Load(); msg != nil {
		return errors.New(*msg)
	}
	return nil
}

// chunk is what one fetch of one partition decoded to: rows for ClickHouse,
// rejected messages for the dead-letter topic, and the next offset of the
// partition, to commit through the generation it was read in once both are
// written.
type chunk struct {
	gen       *generation
	epoch     uint64
	partition int32
	next      int64
	rows      rows
	dead      []kafka.Message
	messages  int
	bytes     int
	decoded   event.Fields // scratch of accept
	pool      *sync.Pool
}

func (in *Ingester) newChunk(g *generation, partition int32) *chunk {
	c, _ := in.chunks.Get().(*chunk)
	if c == nil {
		c = &chunk{pool: &in.chunks}
	}
	c.gen, c.partition, c.rows.topic = g, partition, in.src.Topic
	return c
}

// free returns the chunk to its pool, dropping its references to messages.
func (c *chunk) free() {
	c.rows.reset()
	clear(c.dead)
	c.dead = c.dead[:0]
	c.gen, c.messages, c.bytes, c.next = nil, 0, 0, 0
	c.pool.Put(c)
}

// Run joins the consumer group and ingests until ctx is cancelled, then
// ends the open insert, commits, leaves the group and returns nil. It
// returns an error only for a fault it cannot retry through.
//
// Each assigned partition is fetched by its own goroutine, which decodes a
// whole fetch into a chunk of columns. One INSERT at a time is open
// (session): each chunk is appended to it as it comes and freed, its rows
// going to the server in blocks while the fetchers decode the next ones, so
// memory is bounded by the fetches in hand, not by the size of an insert.
func (in *Ingester) Run(ctx context.Context) error {
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID: in.src.GroupID, Brokers: in.src.Brokers, Dialer: in.src.Dialer, Topics: []string{in.src.Topic},
		SessionTimeout: in.src.SessionTimeout, RebalanceTimeout: in.src.RebalanceTimeout,
		HeartbeatInterval: in.src.HeartbeatInterval, JoinGroupBackoff: in.src.JoinGroupBackoff,
		WatchPartitionChanges: true, StartOffset: kafka.FirstOffset,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
			in.log.Warn().Str("component", "kafka-group").Msgf(msg, args...)
		}),
	})
	if err != nil {
		return fmt.Errorf("consumer group %s: %w", in.src.GroupID, err)
	}
	// The insert side outlives ctx by ShutdownTimeout, for the final flush.
	flushCtx, cancelFlush := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelFlush()

	chunks := make(chan *chunk)
	flushNow := make(chan struct{}, 1)
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		in.consume(ctx, cg, chunks, flushNow)
	}()
	// Armed when ctx ends: the final flush has ShutdownTimeout.
	deadline := time.AfterFunc(time.Duration(math.MaxInt64), cancelFlush)
	defer deadline.Stop()
	stopDeadline := context.AfterFunc(ctx, func() { deadline.Reset(in.cfg.ShutdownTimeout) })
	defer stopDeadline()
	in.insertLoop(ctx, flushCtx, chunks, flushNow)
	// Closing the group ends the last generation (its commits are done) and leaves the group.
	if err := cg.Close(); err != nil {
		in.log.Warn().Err(err).Msg("leave consumer group")
	}
	<-consumed
	in.log.Info().Msg("ingest stopped")
	return nil
}

// accept decodes one message into the chunk's rows or its dead letters.
func (in *Ingester) accept(c *chunk, msg *kafka.Message, now time.Time) {
	c.messages++
	c.bytes += len(msg.Value)
	err := event.DecodeFields(msg.Value, now, in.cfg.Limits, &c.decoded)
	if err == nil {
		c.rows.add(&c.decoded, int32(msg.Partition), msg.Offset)
		return
	}
	var verr *event.Error
	if !errors.As(err, &verr) {
		verr = &event.Error{Reason: event.ReasonNotJSON, Msg: err.Error()}
	}
	c.dead = append(c.dead, deadLetter(msg, verr, now))
	in.metrics.rejected.WithLabelValues(string(verr.Reason)).Inc()
	in.log.Debug().Str("reason", string(verr.Reason)).Int("partition", msg.Partition).
		Int64("offset", msg.Offset).Str("error", verr.Error()).Msg("event rejected to dead-letter topic")
}

// commit commits, per generation, the next offset of every partition in the
// session. A lost commit (the generation ended) only means redelivery, which
// the schema makes harmless.
func (in *Ingester) commit(s *session) {
	offsets := map[*generation]map[int]int64{}
	for _, h := range s.held {
		m := offsets[h.gen]
		if m == nil {
			m = map[int]int64{}
			offsets[h.gen] = m
		}
		m[int(h.partition)] = max(m[int(h.partition)], h.next)
	}
	for g, m := range offsets {
		if in.onCommit != nil {
			in.onCommit(m)
		}
		if err := g.gen.CommitOffsets(map[string]map[int]int64{in.src.Topic: m}); err != nil {
			in.metrics.commitFailures.Inc()
			in.log.Warn().Err(err).Int32("generation", g.gen.ID).Int("messages", s.messages).
				Msg("offset commit failed; messages will be redelivered")
			continue
		}
		g.committed(m)
	}
}

// retry runs op until it succeeds or ctx ends.
func (in *Ingester) retry(ctx context.Context, what string, op func(context.Context) error) error {
	b := in.newBackoff()
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			if attempt > 1 {
				in.log.Info().Int("attempts", attempt).Msgf("%s succeeded after retries", what)
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		wait := b.NextBackOff()
		in.log.Warn().Err(err).Int("attempt", attempt).Dur("retry_in", wait).Msgf("%s failed", what)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
	}
}
