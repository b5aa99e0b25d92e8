package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// Load writes validated events straight into the events table in native
// batches of batchRows, bypassing Kafka: for fixtures, benchmarks that load
// millions of events and tests of the KPI engine. Lineage columns say
// "direct-load". Duplicates are written as given, exactly as redeliveries
// would be.
func Load(ctx context.Context, conn driver.Conn, table string, events []event.Event, batchRows int) error {
	if batchRows <= 0 {
		batchRows = 100_000
	}
	var r rows
	now := time.Now().UTC()
	msg := kafka.Message{Topic: "direct-load", Partition: -1}
	for start := 0; start < len(events); start += batchRows {
		end := min(start+batchRows, len(events))
		r.reset()
		for i := start; i < end; i++ {
			msg.Offset = int64(i)
			r.add(&events[i], &msg, now)
		}
		if err := r.insert(ctx, conn, table); err != nil {
			return fmt.Errorf("load events %d–%d: %w", start, end, err)
		}
	}
	return nil
}
