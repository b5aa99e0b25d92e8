package ingest

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

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
	r := &rows{topic: "direct-load"}
	for start := 0; start < len(events); start += batchRows {
		end := min(start+batchRows, len(events))
		r.reset()
		for i := start; i < end; i++ {
			r.addEvent(&events[i], -1, int64(i))
		}
		if err := insert(ctx, conn, table, []*rows{r}, &scratch{}); err != nil {
			return fmt.Errorf("load events %d–%d: %w", start, end, err)
		}
	}
	return nil
}
