package ingest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/kafkatest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// stream is what the reliability tests share: a migrated database, a fresh
// topic holding messages(n) in producer batches of batchSize, which of its
// offsets hold a valid event, and a commit hook that records the first
// commit made before the valid events below it were stored.
type stream struct {
	conn      driver.Conn
	table     string
	msgs      []kafka.Message
	src       ingest.Kafka
	valid     map[int]map[int64]bool
	onCommit  func(map[int]int64)
	violation func() string
}

func newStream(t *testing.T, partitions, n, batchSize int) *stream {
	conn, db := sqltest.Migrated(t)
	s := &stream{conn: conn, table: "`" + db + "`.events", msgs: messages(n)}
	s.src = source(t, partitions, s.msgs, batchSize)
	s.valid = validOffsets(t, s.src)
	s.onCommit, s.violation = commitsAfterInserts(conn, s.table, s.src, s.valid)
	return s
}

// member is a group member on the stream: quick retries, fetches of 4 KiB
// (a few dozen messages: commits come often and a fetch ends inside a
// partition), the stream's commit hook; tune adjusts the rest.
func (st *stream) member(t *testing.T, name string, tune func(*ingest.Config)) (*ingest.Ingester, *memoryDeadLetters, *prometheus.Registry) {
	cfg := ingest.DefaultConfig
	cfg.Table, cfg.DrainTimeout = st.table, 10*time.Second
	cfg.RetryInitial, cfg.RetryMax, cfg.InsertTimeout = 50*time.Millisecond, 200*time.Millisecond, 10*time.Second
	cfg.Limits.MaxFutureSkew = 24 * 365 * time.Hour
	tune(&cfg)
	src := st.src
	src.FetchBytes = 4 << 10
	reg := prometheus.NewRegistry()
	dead := &memoryDeadLetters{}
	in := ingest.New(cfg, src, dead, st.conn, ingest.NewMetrics(reg),
		zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel).With().Timestamp().Str("member", name).Logger())
	ingest.SetOnCommit(in, st.onCommit)
	return in, dead, reg
}

// waitForAll waits until every valid event is stored and every offset committed.
func (st *stream) waitForAll(t *testing.T, within time.Duration) {
	t.Helper()
	want := 0
	for _, m := range st.msgs {
		if string(m.Value) != `{"event_id":"broken"` {
			want++
		}
	}
	require.Eventually(t, func() bool {
		var n uint64
		_ = st.conn.QueryRow(context.Background(), "SELECT uniqExact(event_id) FROM "+st.table).Scan(&n)
		return n == uint64(want) && lag(t, st.src) == 0
	}, within, 100*time.Millisecond, "every valid event stored and every offset committed")
}

// requireDeadLettered checks every broken message was dead-lettered by one
// of the members and nothing else was; with once, each exactly once.
func (st *stream) requireDeadLettered(t *testing.T, once bool, deads ...*memoryDeadLetters) {
	t.Helper()
	seen := map[string]int{}
	for _, d := range deads {
		d.mu.Lock()
		for _, m := range d.msgs {
			seen[header(m, ingest.HeaderSourcePartition)+"/"+header(m, ingest.HeaderSourceOffset)]++
		}
		d.mu.Unlock()
	}
	want := 0
	for p, offs := range st.valid {
		for off, ok := range offs {
			if ok {
				continue
			}
			want++
			n := seen[fmt.Sprintf("%d/%d", p, off)]
			require.Positive(t, n, "broken message %d/%d dead-lettered", p, off)
			if once {
				require.Equal(t, 1, n, "broken message %d/%d dead-lettered once", p, off)
			}
		}
	}
	require.Len(t, seen, want, "only broken messages are dead-lettered")
}

// validOffsets says which offsets of each partition hold a valid event.
func validOffsets(t *testing.T, src ingest.Kafka) map[int]map[int64]bool {
	valid := map[int]map[int64]bool{}
	for _, m := range kafkatest.ReadAll(t, src.Topic) {
		if valid[m.Partition] == nil {
			valid[m.Partition] = map[int64]bool{}
		}
		valid[m.Partition][m.Offset] = string(m.Value) != `{"event_id":"broken"`
	}
	return valid
}

// commitsAfterInserts returns an onCommit hook that checks every valid
// event below a committed offset is in the table, and the first violation.
func commitsAfterInserts(conn driver.Conn, table string, src ingest.Kafka, valid map[int]map[int64]bool) (func(map[int]int64), func() string) {
	var early sync.Map
	check := func(offsets map[int]int64) {
		for p, next := range offsets {
			want := 0
			for off, ok := range valid[p] {
				if ok && off < next {
					want++
				}
			}
			var got uint64
			q := fmt.Sprintf("SELECT uniqExact(kafka_offset) FROM %s WHERE kafka_topic = '%s' AND kafka_partition = %d AND kafka_offset < %d", table, src.Topic, p, next)
			if err := conn.QueryRow(context.Background(), q).Scan(&got); err != nil || got != uint64(want) {
				early.LoadOrStore("violation", fmt.Sprintf("commit of %d/%d with %d of its %d valid events stored (%v)", p, next, got, want, err))
			}
		}
	}
	return check, func() string {
		v, _ := early.Load("violation")
		s, _ := v.(string)
		return s
	}
}
