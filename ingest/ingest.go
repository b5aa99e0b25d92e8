// Package ingest owns the path from Kafka into ClickHouse: a consumer-group
// member that fetches its partitions in batches, decodes and validates
// contract events straight into columns, batches them by rows, bytes and time, inserts them as native columnar batches, sends what breaks
// the contract to the dead-letter topic, and commits offsets only after both
// succeeded. Delivery is at least once; the schema and the KPI queries make
// redelivered events harmless (see sql/migrations/0001_events.sql).
package ingest

import (
	"context"
	"errors"
	"fmt"
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
	// BatchRows flushes once this many messages are in hand (default 50,000):
	// ClickHouse wants few large inserts, and 50k rows of ~300 bytes stay near 15 MiB.
	BatchRows int
	// BatchBytes flushes once the message values in hand reach this size (default 16 MiB),
	// which bounds memory whatever the event size.
	BatchBytes int
	// BatchInterval flushes a non-empty batch this long after its first message
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
	// rebalance waits for the batch in hand to be stored and committed before
	// it rejoins (default 5s; keep it well below the rebalance timeout).
	DrainTimeout time.Duration
}

// DefaultConfig holds the defaults documented on Config.
var DefaultConfig = Config{
	BatchRows:       50_000,
	BatchBytes:      16 << 20,
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

	// Test hooks, nil in the product: afterMessage runs after each message is
	// decoded (inside a fetch), onCommit before each commit of a generation.
	afterMessage func(ctx context.Context, partition int, offset int64)
	onCommit     func(offsets map[int]int64)
}

// New wires an Ingester; it does no I/O.
func New(cfg Config, src Kafka, dead DeadLetters, conn driver.Conn, metrics *Metrics, log zerolog.Logger) *Ingester {
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultConfig.DrainTimeout
	}
	return &Ingester{cfg: cfg, src: src.withDefaults(), dead: dead, conn: conn, metrics: metrics, log: log, now: time.Now}
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

// batch is the chunks of one insert.
type batch struct {
	chunks   []*chunk
	messages int
	bytes    int
}

// Run joins the consumer group and ingests until ctx is cancelled, then
// flushes the batch in hand, commits, leaves the group and returns nil. It
// returns an error only for a fault it cannot retry through.
//
// Each assigned partition is fetched by its own goroutine, which decodes a
// whole fetch into a chunk of columns; chunks are gathered into a batch,
// and while one batch is being inserted the next one fills (at most one
// insert in flight and one batch in hand, which bounds memory; beyond that
// the fetchers wait).
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
	batches := make(chan *batch)
	flushNow := make(chan struct{}, 1)
	inserted := make(chan struct{})
	go func() {
		defer close(inserted)
		in.insertLoop(flushCtx, batches)
	}()
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		in.consume(ctx, cg, chunks, flushNow)
	}()

	in.collect(ctx, chunks, batches, flushNow)
	deadline := time.AfterFunc(in.cfg.ShutdownTimeout, cancelFlush)
	defer deadline.Stop()
	close(batches)
	<-inserted
	// Closing the group ends the last generation (its commits are done) and leaves the group.
	if err := cg.Close(); err != nil {
		in.log.Warn().Err(err).Msg("leave consumer group")
	}
	<-consumed
	in.log.Info().Msg("ingest stopped")
	return nil
}

// collect gathers chunks into batches and hands each to the insert loop
// when it is full, when BatchInterval has passed since its first chunk, or
// when a generation ends. It returns when ctx ends, after handing on the
// batch in hand.
func (in *Ingester) collect(ctx context.Context, chunks <-chan *chunk, batches chan<- *batch, flushNow <-chan struct{}) {
	cur := &batch{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var tick <-chan time.Time
	hand := func() bool {
		tick = nil
		timer.Stop()
		if len(cur.chunks) == 0 {
			return true
		}
		select {
		case batches <- cur:
			cur = &batch{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for ctx.Err() == nil {
		select {
		case c := <-chunks:
			cur.chunks = append(cur.chunks, c)
			cur.messages += c.messages
			cur.bytes += c.bytes
			if len(cur.chunks) == 1 {
				timer.Reset(in.cfg.BatchInterval)
				tick = timer.C
			}
			if cur.messages >= in.cfg.BatchRows || cur.bytes >= in.cfg.BatchBytes {
				hand()
			}
		case <-tick:
			hand()
		case <-flushNow:
			hand()
		case <-ctx.Done():
		}
	}
	if len(cur.chunks) > 0 {
		batches <- cur // the insert loop takes batches until the channel is closed
	}
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

// insertLoop flushes batches one at a time until batches is closed. A batch
// that cannot be flushed before ctx ends is abandoned uncommitted.
func (in *Ingester) insertLoop(ctx context.Context, batches <-chan *batch) {
	sc := &scratch{}
	for b := range batches {
		if err := in.flush(ctx, b, sc); err != nil {
			in.log.Warn().Err(err).Int("messages", b.messages).Msg("final flush abandoned; the uncommitted messages will be redelivered")
		}
		for _, c := range b.chunks {
			c.gen.release()
			c.free()
		}
	}
}

// flush writes one batch and commits its offsets. It retries each step with
// capped exponential backoff and returns only when everything is written or
// ctx has ended; then nothing of the batch is committed.
func (in *Ingester) flush(ctx context.Context, b *batch, sc *scratch) error {
	parts := make([]*rows, 0, len(b.chunks))
	var dead []kafka.Message
	n := 0
	for _, c := range b.chunks {
		parts = append(parts, &c.rows)
		n += c.rows.len()
		dead = append(dead, c.dead...)
	}
	if n > 0 {
		err := in.retry(ctx, "insert into clickhouse", func(ctx context.Context) error {
			started := time.Now()
			attemptCtx, cancel := context.WithTimeout(ctx, in.cfg.InsertTimeout)
			defer cancel()
			if err := insert(attemptCtx, in.conn, in.cfg.Table, parts, sc); err != nil {
				in.metrics.insertFailures.Inc()
				msg := err.Error()
				in.storageErr.Store(&msg)
				return err
			}
			elapsed := time.Since(started)
			in.storageErr.Store(nil)
			in.metrics.insertSeconds.Observe(elapsed.Seconds())
			in.metrics.batchRows.Observe(float64(n))
			in.metrics.lastInsert.SetToCurrentTime()
			in.log.Debug().Int("rows", n).Dur("elapsed", elapsed).Msg("batch inserted")
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range parts {
			for i, k := range r.types {
				if k > 0 {
					in.metrics.insertedByType[i].Add(float64(k))
				}
			}
		}
	}
	if len(dead) > 0 {
		err := in.retry(ctx, "write dead letters", func(ctx context.Context) error {
			return in.dead.WriteMessages(ctx, dead...)
		})
		if err != nil {
			return err
		}
	}
	in.commit(b)
	return nil
}

// commit commits, per generation, the next offset of every partition in the
// batch. A lost commit (the generation ended) only means redelivery, which
// the schema makes harmless.
func (in *Ingester) commit(b *batch) {
	offsets := map[*generation]map[int]int64{}
	for _, c := range b.chunks {
		m := offsets[c.gen]
		if m == nil {
			m = map[int]int64{}
			offsets[c.gen] = m
		}
		m[int(c.partition)] = max(m[int(c.partition)], c.next)
	}
	for g, m := range offsets {
		if in.onCommit != nil {
			in.onCommit(m)
		}
		if err := g.gen.CommitOffsets(map[string]map[int]int64{in.src.Topic: m}); err != nil {
			in.metrics.commitFailures.Inc()
			in.log.Warn().Err(err).Int32("generation", g.gen.ID).Int("messages", b.messages).
				Msg("offset commit failed; messages will be redelivered")
		}
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
