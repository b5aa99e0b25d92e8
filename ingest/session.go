package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// blockRows is how many rows an open insert buffers before it sends them to
// the server as one native block. The server squashes the blocks of one
// INSERT into parts of up to min_insert_block_size_rows (about a million
// rows), so small blocks cost it nothing, and they keep the columns this
// process holds to a few MiB however large the insert grows (clickhouse-go
// keeps a block's columns, its encoding and its LZ4 copy per connection:
// 32k-row blocks cost 40 MiB more peak RSS than 16k ones in make
// bench-ingest, for no gain in CPU).
const blockRows = 16 << 10

// session is one open INSERT: the chunks appended to it were freed at once,
// only their offsets and dead letters are kept until it ends. It ends with
// Send, then the dead letters are written and the offsets committed. If any
// step fails, everything it took is dropped uncommitted and the fetchers
// rewind to the committed offsets: Kafka holds the rows, so a retry reads
// them again rather than this process keeping a copy of every row in hand.
type session struct {
	batch     driver.Batch
	cancel    context.CancelFunc
	timeout   time.Duration
	stamp     time.Time
	opened    time.Time
	waited    time.Duration // in exchanges with the server
	held      []held
	dead      []kafka.Message
	rows      int
	blockRows int
	messages  int
	bytes     int
	types     []int // rows per event.Types index
}

// held is what a session keeps of a chunk: where to commit.
type held struct {
	gen       *generation
	partition int32
	next      int64
}

// open starts an INSERT. Every row's ingested_at is the start of its
// session: the KPI engine's incremental folds find new rows by it, and a
// session lasts BatchInterval plus its final Send, so a row is never much
// older than that when it becomes visible.
func (in *Ingester) open(ctx context.Context) (*session, error) {
	// The deadline also bounds the connection's reads and writes; bounded
	// cancels a single exchange that hangs sooner.
	sctx, cancel := context.WithTimeout(ctx, in.cfg.BatchInterval+in.cfg.InsertTimeout)
	s := &session{cancel: cancel, timeout: in.cfg.InsertTimeout, blockRows: in.blockRows}
	var err error
	if err = s.bounded(func() error {
		s.batch, err = in.conn.PrepareBatch(sctx, "INSERT INTO "+in.cfg.Table+" ("+insertColumns+")")
		return err
	}); err != nil {
		cancel()
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	s.opened = time.Now()
	s.stamp = s.opened.UTC().Truncate(time.Second)
	return s, nil
}

// bounded runs one exchange with the server, cancelling the session's
// query if it takes longer than InsertTimeout (a server that hangs). The
// session as a whole may stay open longer: it waits for rows in between.
func (s *session) bounded(step func() error) error {
	t := time.AfterFunc(s.timeout, s.cancel)
	defer t.Stop()
	started := time.Now()
	defer func() { s.waited += time.Since(started) }()
	return step()
}

// add appends the chunk's rows to the insert (sending a block when one is
// full) and keeps its offsets and dead letters. The chunk is freed.
func (s *session) add(c *chunk, sc *scratch) error {
	s.held = append(s.held, held{gen: c.gen, partition: c.partition, next: c.next})
	s.dead = append(s.dead, c.dead...)
	s.messages += c.messages
	s.bytes += c.bytes
	n := c.rows.len()
	if s.types == nil {
		s.types = make([]int, len(event.Types))
	}
	for i, k := range c.rows.types {
		s.types[i] += k
	}
	var err error
	if n > 0 {
		s.rows += n
		for i, col := range c.rows.columns(s.stamp, sc) {
			if err = s.batch.Column(i).Append(col); err != nil {
				err = fmt.Errorf("append column %d: %w", i, err)
				break
			}
		}
		sc.clear()
	}
	c.free()
	if rows := s.batch.Rows(); err == nil && rows >= s.blockRows {
		if err = s.bounded(s.batch.Flush); err != nil {
			err = fmt.Errorf("send block of %d rows: %w", rows, err)
		}
	}
	return err
}

// drop aborts the INSERT and lets go of the generations it held.
func (s *session) drop() {
	_ = s.batch.Abort()
	s.cancel()
	for _, h := range s.held {
		h.gen.release()
	}
	s.held = nil
}

// insertLoop takes chunks into sessions until ctx ends, then ends the open
// session with a deadline of ShutdownTimeout (flushCtx) and returns. A
// session ends when it holds BatchRows messages or BatchBytes of message
// values, BatchInterval after it opened, or when a generation ends
// (flushNow). While one session is being sent (the server writing its last
// rows, then the dead letters and the commit), the next one fills; it ends
// only after the one before it, so commits stay in order. After a failure
// both are dropped, and after a capped backoff the fetchers start over from
// the committed offsets.
func (in *Ingester) insertLoop(ctx, flushCtx context.Context, chunks <-chan *chunk, flushNow <-chan struct{}) {
	sc := &scratch{}
	retry := in.newBackoff()
	var s *session
	var sending *session // the session being finished, nil if none
	var sent chan error  // its result
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var tick <-chan time.Time
	fail := func(err error) {
		if sent != nil { // committed, or dropped with the rest
			if e := <-sent; e != nil {
				sending.drop()
			}
		}
		if s != nil {
			s.drop()
		}
		s, sending, sent, tick = nil, nil, nil, nil
		timer.Stop()
		in.metrics.insertFailures.Inc()
		msg := err.Error()
		in.storageErr.Store(&msg)
		// Chunks read before this point are stale: the fetchers start
		// again from the committed offsets.
		in.epoch.Add(1)
		wait := retry.NextBackOff()
		in.log.Warn().Err(err).Dur("retry_in", wait).Msg("insert into clickhouse failed; rereading the uncommitted messages")
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	// done takes the result of the session being sent; false if it failed.
	done := func(err error) bool {
		sent = nil
		if err != nil {
			sending.drop()
			sending = nil
			fail(err)
			return false
		}
		sending = nil
		retry.Reset()
		return true
	}
	end := func() {
		tick = nil
		timer.Stop()
		if s == nil || (sent != nil && !done(<-sent)) {
			return
		}
		sending, s = s, nil
		sent = make(chan error, 1)
		go func(cur *session, result chan<- error) { result <- in.finish(flushCtx, cur) }(sending, sent)
	}
	for ctx.Err() == nil {
		select {
		case c := <-chunks:
			if c.epoch != in.epoch.Load() {
				c.gen.release()
				c.free()
				continue
			}
			if s == nil {
				var err error
				if s, err = in.open(flushCtx); err != nil {
					c.gen.release()
					c.free()
					fail(err)
					continue
				}
				timer.Reset(in.cfg.BatchInterval)
				tick = timer.C
			}
			if err := s.add(c, sc); err != nil {
				fail(err)
				continue
			}
			if s.messages >= in.cfg.BatchRows || s.bytes >= in.cfg.BatchBytes {
				end()
			}
		case err := <-sent:
			done(err)
		case <-tick:
			end()
		case <-flushNow:
			end()
		case <-ctx.Done():
		}
	}
	end()
	if sent != nil {
		if err := <-sent; err != nil {
			sending.drop()
			in.log.Warn().Err(err).Msg("final flush abandoned; the uncommitted messages will be redelivered")
		}
	}
	if s != nil { // the one before it failed
		s.drop()
	}
}

// finish ends a session: the INSERT, then the dead letters, then the
// commit, then it lets go of the generations. An error leaves nothing
// committed and the generations held (the loop drops the session).
func (in *Ingester) finish(ctx context.Context, s *session) error {
	if in.beforeSend != nil {
		if err := in.beforeSend(s.rows); err != nil {
			return err
		}
	}
	err := s.bounded(s.batch.Send)
	s.cancel()
	if err != nil {
		return fmt.Errorf("send %d rows: %w", s.rows, err)
	}
	elapsed := time.Since(s.opened)
	in.storageErr.Store(nil)
	in.metrics.insertSeconds.Observe(s.waited.Seconds())
	in.metrics.batchRows.Observe(float64(s.rows))
	in.metrics.lastInsert.SetToCurrentTime()
	for i, k := range s.types {
		if k > 0 {
			in.metrics.insertedByType[i].Add(float64(k))
		}
	}
	in.log.Debug().Int("rows", s.rows).Int("messages", s.messages).Dur("elapsed", elapsed).Dur("clickhouse", s.waited).Msg("batch inserted")
	if len(s.dead) > 0 {
		err := in.retry(ctx, "write dead letters", func(ctx context.Context) error {
			return in.dead.WriteMessages(ctx, s.dead...)
		})
		if err != nil {
			return err
		}
	}
	in.commit(s)
	for _, h := range s.held {
		h.gen.release()
	}
	s.held = nil
	return nil
}
