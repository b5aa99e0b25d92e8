package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
)

// Kafka says which consumer group to join and how to fetch its partitions.
type Kafka struct {
	Brokers []string
	Topic   string
	GroupID string
	// Dialer connects to the brokers (TLS, SASL); nil is kafka-go's default.
	Dialer *kafka.Dialer
	// SessionTimeout, RebalanceTimeout, HeartbeatInterval and JoinGroupBackoff
	// tune the membership; zero is kafka-go's default.
	SessionTimeout, RebalanceTimeout, HeartbeatInterval, JoinGroupBackoff time.Duration
	// FetchBytes bounds one fetch of one partition (default 512 KiB, as
	// stored: LZ4-compressed JSON is about a quarter of its size). A fetch is
	// decoded into one chunk, so this bounds a partition's memory in hand.
	FetchBytes int
	// FetchWait is how long the broker may wait for data before answering an
	// empty fetch (default 250ms).
	FetchWait time.Duration
}

// readTimeout bounds reading the messages of one fetch response.
const readTimeout = 10 * time.Second

// errRewind tells a fetcher to read again from the committed offset.
var errRewind = errors.New("insert failed: reread from the committed offset")

func (k Kafka) withDefaults() Kafka {
	if k.Dialer == nil {
		k.Dialer = kafka.DefaultDialer
	}
	if k.FetchBytes <= 0 {
		k.FetchBytes = 512 << 10
	}
	if k.FetchWait <= 0 {
		k.FetchWait = 250 * time.Millisecond
	}
	return k
}

// generation is one generation of the group as this member saw it. Chunks
// read in it are committed through it; open counts those not yet committed
// or dropped, so that a member losing its partitions can let them be stored
// and committed before it rejoins.
type generation struct {
	gen  *kafka.Generation
	mu   sync.Mutex
	open int
	zero chan struct{} // closed when open drops to 0 while someone waits
	// next is, per assigned partition, the offset after the last one
	// committed in this generation (at first the assigned offset): where a
	// fetcher rereads from after a failed insert.
	next map[int]*atomic.Int64
}

func newGeneration(gen *kafka.Generation, assigned []kafka.PartitionAssignment) *generation {
	g := &generation{gen: gen, next: make(map[int]*atomic.Int64, len(assigned))}
	for _, a := range assigned {
		g.next[a.ID] = new(atomic.Int64)
		g.next[a.ID].Store(a.Offset)
	}
	return g
}

// committed records offsets committed through the generation.
func (g *generation) committed(offsets map[int]int64) {
	for p, off := range offsets {
		if n := g.next[p]; n != nil {
			n.Store(off)
		}
	}
}

func (g *generation) hold() {
	g.mu.Lock()
	g.open++
	g.mu.Unlock()
}

func (g *generation) release() {
	g.mu.Lock()
	g.open--
	if g.open == 0 && g.zero != nil {
		close(g.zero)
		g.zero = nil
	}
	g.mu.Unlock()
}

// drained waits up to d for every chunk of the generation to be released.
func (g *generation) drained(d time.Duration) bool {
	g.mu.Lock()
	if g.open == 0 {
		g.mu.Unlock()
		return true
	}
	if g.zero == nil {
		g.zero = make(chan struct{})
	}
	zero := g.zero
	g.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-zero:
		return true
	case <-t.C:
		return false
	}
}

// consume follows the group's generations until ctx ends and every
// generation's runner has returned (the last one returns when Run closes
// the group).
func (in *Ingester) consume(ctx context.Context, cg *kafka.ConsumerGroup, chunks chan<- *chunk, flushNow chan<- struct{}) {
	var runners sync.WaitGroup
	defer runners.Wait()
	for {
		gen, err := cg.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				return
			}
			// kafka-go rejoins by itself (with backoff); say why this generation failed.
			in.log.Warn().Err(err).Str("group", in.src.GroupID).Msg("consumer group generation failed; rejoining")
			continue
		}
		assigned := gen.Assignments[in.src.Topic]
		g := newGeneration(gen, assigned)
		parts := make([]int, 0, len(assigned))
		for _, a := range assigned {
			parts = append(parts, a.ID)
		}
		in.log.Info().Int32("generation", gen.ID).Ints("partitions", parts).Msg("partitions assigned")
		runners.Add(1)
		gen.Start(func(gctx context.Context) {
			defer runners.Done()
			in.runGeneration(ctx, gctx, g, assigned, chunks, flushNow)
		})
	}
}

// runGeneration fetches the generation's partitions until it ends or ctx
// does. On a rebalance it asks for the open insert to be ended and waits
// (at most DrainTimeout) until what was read in this generation is stored
// and committed, while the generation can still commit. On shutdown it keeps
// the generation alive for the final flush: Run closes the group after it.
func (in *Ingester) runGeneration(ctx, gctx context.Context, g *generation, assigned []kafka.PartitionAssignment,
	chunks chan<- *chunk, flushNow chan<- struct{}) {
	fetchCtx, cancel := context.WithCancel(gctx)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	var fetchers sync.WaitGroup
	for _, a := range assigned {
		fetchers.Add(1)
		go func() {
			defer fetchers.Done()
			in.fetchPartition(fetchCtx, g, a.ID, a.Offset, chunks)
		}()
	}
	fetchers.Wait()
	if ctx.Err() != nil {
		<-gctx.Done()
		return
	}
	select {
	case flushNow <- struct{}{}:
	default:
	}
	if !g.drained(in.cfg.DrainTimeout) {
		in.log.Warn().Int32("generation", g.gen.ID).Dur("waited", in.cfg.DrainTimeout).
			Msg("rebalance before the open insert was stored; its messages will be redelivered")
	}
}

// fetchPartition reads one partition from offset in fetch-sized batches
// until ctx ends, reconnecting with backoff after errors, and rereading from
// the committed offset after a failed insert (a new epoch).
func (in *Ingester) fetchPartition(ctx context.Context, g *generation, partition int, offset int64, chunks chan<- *chunk) {
	log := in.log.With().Str("topic", in.src.Topic).Int("partition", partition).Logger()
	retry := in.newBackoff()
	epoch := in.epoch.Load()
	for ctx.Err() == nil {
		if e := in.epoch.Load(); e != epoch {
			epoch, offset = e, g.next[partition].Load()
		}
		conn, start, err := in.dialPartition(ctx, partition, offset)
		if err == nil {
			offset = start
			err = in.readPartition(ctx, conn, g, partition, &offset, epoch, chunks)
			_ = conn.Close()
			if err == nil {
				retry.Reset()
			}
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errRewind) {
			// A failed insert dropped what was read since the last commit:
			// dial again at the committed offset (FirstOffset resolved).
			continue
		}
		wait := retry.NextBackOff()
		log.Warn().Err(err).Int64("offset", offset).Dur("retry_in", wait).Msg("fetch from kafka failed")
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
}

// dialPartition connects to the partition's leader and seeks to offset,
// resolving kafka.FirstOffset and an offset the log no longer holds to the
// first one retained.
func (in *Ingester) dialPartition(ctx context.Context, partition int, offset int64) (*kafka.Conn, int64, error) {
	var errs []error
	for _, broker := range in.src.Brokers {
		conn, err := in.src.Dialer.DialLeader(ctx, "tcp", broker, in.src.Topic, partition)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		first, last, err := conn.ReadOffsets()
		if err != nil {
			_ = conn.Close()
			return nil, offset, fmt.Errorf("offsets of partition %d: %w", partition, err)
		}
		switch {
		case offset == kafka.FirstOffset || offset < first:
			offset = first
		case offset == kafka.LastOffset:
			offset = last
		}
		if _, err := conn.Seek(offset, kafka.SeekAbsolute); err != nil {
			_ = conn.Close()
			return nil, offset, fmt.Errorf("seek partition %d to %d: %w", partition, offset, err)
		}
		return conn, offset, nil
	}
	return nil, offset, fmt.Errorf("dial leader of partition %d: %w", partition, errors.Join(errs...))
}

// readPartition fetches batches on conn, decodes each into a chunk and hands
// it on. It returns nil when ctx ends, an error when the connection must be
// redialled. *offset is always the next offset to read; when the epoch
// moves past epoch it returns errRewind.
func (in *Ingester) readPartition(ctx context.Context, conn *kafka.Conn, g *generation, partition int, offset *int64, epoch uint64, chunks chan<- *chunk) error {
	for ctx.Err() == nil {
		if in.epoch.Load() != epoch {
			return errRewind
		}
		_ = conn.SetReadDeadline(time.Now().Add(in.src.FetchWait))
		batch := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: in.src.FetchBytes})
		_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
		c := in.newChunk(g, int32(partition))
		c.epoch = epoch
		now := in.now()
		var err error
		for {
			var msg kafka.Message
			if msg, err = batch.ReadMessage(); err != nil {
				break
			}
			in.accept(c, &msg, now)
			*offset = msg.Offset + 1
			c.next = *offset
			if in.afterMessage != nil {
				in.afterMessage(ctx, partition, msg.Offset)
			}
		}
		if cerr := batch.Close(); errors.Is(err, io.EOF) {
			err = cerr
		}
		if c.messages > 0 && ctx.Err() != nil {
			// The generation ended during the fetch: not committed, so
			// redelivered to whoever owns the partition next.
			c.free()
			return nil
		}
		if c.messages > 0 {
			in.metrics.consumed.Add(float64(c.messages))
			g.hold()
			select {
			case chunks <- c:
			case <-ctx.Done():
				// Not committed, so redelivered to whoever owns the partition next.
				g.release()
				c.free()
				return nil
			}
		} else {
			c.free()
		}
		switch {
		case err == nil, errors.Is(err, kafka.RequestTimedOut):
		case errors.Is(err, kafka.OffsetOutOfRange):
			first, last, oerr := conn.ReadOffsets()
			if oerr != nil {
				return fmt.Errorf("offsets after out-of-range fetch: %w", oerr)
			}
			if *offset < first || *offset > last {
				in.log.Warn().Int("partition", partition).Int64("offset", *offset).Int64("first", first).
					Msg("offset no longer in the log; skipping to the first retained one")
				*offset = max(first, min(*offset, last))
			}
			if _, err := conn.Seek(*offset, kafka.SeekAbsolute); err != nil {
				return fmt.Errorf("seek partition %d to %d: %w", partition, *offset, err)
			}
		default:
			return err
		}
	}
	return nil
}
