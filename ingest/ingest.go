// Package ingest owns the path from Kafka into ClickHouse: a consumer-group
// member that decodes and validates contract events, batches them by rows,
// bytes and time, inserts them as native columnar batches, sends what breaks
// the contract to the dead-letter topic, and commits offsets only after both
// succeeded. Delivery is at least once; the schema and the KPI queries make
// redelivered events harmless (see sql/migrations/0001_events.sql).
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
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
}

// Source is the consumer-group side of Kafka; *kafka.Reader implements it.
type Source interface {
	FetchMessage(ctx context.Context) (kafka.Message, error)
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
}

// DeadLetters receives rejected messages; a *kafka.Writer on the dead-letter topic implements it.
type DeadLetters interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Ingester moves events from a Source into ClickHouse. Run it once.
type Ingester struct {
	cfg     Config
	src     Source
	dead    DeadLetters
	conn    driver.Conn
	metrics *Metrics
	log     zerolog.Logger
	now     func() time.Time

	storageErr atomic.Pointer[string] // last insert error, nil while healthy
}

// New wires an Ingester; it does no I/O.
func New(cfg Config, src Source, dead DeadLetters, conn driver.Conn, metrics *Metrics, log zerolog.Logger) *Ingester {
	return &Ingester{cfg: cfg, src: src, dead: dead, conn: conn, metrics: metrics, log: log, now: time.Now}
}

// Ready returns an error while ClickHouse inserts are failing.
func (in *Ingester) Ready() error {
	if msg := in.storageErr.Load(); msg != nil {
		return errors.New(*msg)
	}
	return nil
}

// pending is the batch in hand: rows for ClickHouse, rejected messages for the
// dead-letter topic, and the last message per partition to commit after both.
type pending struct {
	rows     rows
	dead     []kafka.Message
	last     map[int]kafka.Message
	messages int
	bytes    int
}

func (p *pending) reset() {
	p.rows.reset()
	p.dead = p.dead[:0]
	clear(p.last)
	p.messages, p.bytes = 0, 0
}

// Run consumes until ctx is cancelled, then flushes the batch in hand,
// commits, and returns nil. It returns an error only for a fault it cannot
// retry through.
func (in *Ingester) Run(ctx context.Context) error {
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	msgs := make(chan kafka.Message)
	fetchDone := make(chan error, 1)
	go func() { fetchDone <- in.fetch(fetchCtx, msgs) }()

	p := &pending{last: map[int]kafka.Message{}}
	var flushTimer <-chan time.Time
	var timer *time.Timer
	for {
		select {
		case msg := <-msgs:
			in.accept(p, &msg)
			if p.messages == 1 {
				timer = time.NewTimer(in.cfg.BatchInterval)
				flushTimer = timer.C
			}
			if p.messages >= in.cfg.BatchRows || p.bytes >= in.cfg.BatchBytes {
				if err := in.flush(ctx, p); err != nil {
					return in.shutdown(stopFetch, fetchDone, p, err)
				}
				timer.Stop()
				flushTimer = nil
			}
		case <-flushTimer:
			flushTimer = nil
			if err := in.flush(ctx, p); err != nil {
				return in.shutdown(stopFetch, fetchDone, p, err)
			}
		case err := <-fetchDone:
			// The fetcher stops only when ctx ends or the reader is closed.
			fetchDone <- err
			if err == nil {
				err = ctx.Err()
			}
			return in.shutdown(stopFetch, fetchDone, p, err)
		case <-ctx.Done():
			return in.shutdown(stopFetch, fetchDone, p, ctx.Err())
		}
	}
}

// fetch feeds msgs until ctx ends. The channel is unbuffered, so while a
// flush is retrying nothing more is fetched and memory stays bounded by the
// reader's own queue.
func (in *Ingester) fetch(ctx context.Context, msgs chan<- kafka.Message) error {
	retry := in.newBackoff()
	for {
		msg, err := in.src.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("kafka reader closed: %w", err)
			}
			wait := retry.NextBackOff()
			in.log.Warn().Err(err).Dur("retry_in", wait).Msg("fetch from kafka failed")
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return nil
			}
		}
		retry.Reset()
		in.metrics.consumed.Inc()
		select {
		case msgs <- msg:
		case <-ctx.Done():
			return nil
		}
	}
}

// accept decodes one message into the batch in hand or the dead letters.
func (in *Ingester) accept(p *pending, msg *kafka.Message) {
	now := in.now()
	p.messages++
	p.bytes += len(msg.Value)
	p.last[msg.Partition] = *msg
	ev, err := event.Decode(msg.Value, now, in.cfg.Limits)
	if err != nil {
		var verr *event.Error
		if !errors.As(err, &verr) {
			verr = &event.Error{Reason: event.ReasonNotJSON, Msg: err.Error()}
		}
		p.dead = append(p.dead, deadLetter(msg, verr, now))
		in.metrics.rejected.WithLabelValues(string(verr.Reason)).Inc()
		in.log.Debug().Str("reason", string(verr.Reason)).Int("partition", msg.Partition).
			Int64("offset", msg.Offset).Str("error", verr.Error()).Msg("event rejected to dead-letter topic")
		return
	}
	p.rows.add(&ev, msg, now.UTC().Truncate(time.Second))
}

// flush writes the batch in hand and commits its offsets. It retries each
// step with capped exponential backoff and returns only when everything is
// written or ctx has ended; then nothing of the batch is committed.
func (in *Ingester) flush(ctx context.Context, p *pending) error {
	if p.messages == 0 {
		return nil
	}
	if n := p.rows.len(); n > 0 {
		err := in.retry(ctx, "insert into clickhouse", func(ctx context.Context) error {
			started := time.Now()
			attemptCtx, cancel := context.WithTimeout(ctx, in.cfg.InsertTimeout)
			defer cancel()
			if err := p.rows.insert(attemptCtx, in.conn, in.cfg.Table); err != nil {
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
		for _, t := range p.rows.typ {
			in.metrics.inserted.WithLabelValues(t).Inc()
		}
	}
	if len(p.dead) > 0 {
		err := in.retry(ctx, "write dead letters", func(ctx context.Context) error {
			return in.dead.WriteMessages(ctx, p.dead...)
		})
		if err != nil {
			return err
		}
	}
	commits := make([]kafka.Message, 0, len(p.last))
	for _, m := range p.last {
		commits = append(commits, m)
	}
	if err := in.src.CommitMessages(ctx, commits...); err != nil {
		// A lost commit only means redelivery, which the schema makes harmless.
		in.metrics.commitFailures.Inc()
		in.log.Warn().Err(err).Int("messages", p.messages).Msg("offset commit failed; messages will be redelivered")
	}
	p.reset()
	return nil
}

func (in *Ingester) shutdown(stopFetch context.CancelFunc, fetchDone <-chan error, p *pending, cause error) error {
	stopFetch()
	<-fetchDone
	if cause != nil && errors.Is(cause, context.Canceled) {
		cause = nil
	}
	if p.messages == 0 {
		in.log.Info().Msg("ingest stopped")
		return cause
	}
	ctx, cancel := context.WithTimeout(context.Background(), in.cfg.ShutdownTimeout)
	defer cancel()
	n := p.messages
	if err := in.flush(ctx, p); err != nil {
		in.log.Warn().Err(err).Int("messages", n).Msg("final flush abandoned; the uncommitted messages will be redelivered")
		return cause
	}
	in.log.Info().Int("messages", n).Msg("final batch flushed and committed; ingest stopped")
	return cause
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
