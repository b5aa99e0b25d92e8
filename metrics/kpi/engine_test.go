package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/reference"
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// loaded is a fresh database on the real ClickHouse holding events.
type loaded struct {
	engine *kpi.Engine
	snaps  *kpi.Snapshots
	db     string
}

// load migrates a fresh database and writes the events in small batches, so
// that they land in several parts and duplicates are not merged away: the
// queries must deduplicate on read.
func load(t *testing.T, events []event.Event) loaded {
	t.Helper()
	ctx := context.Background()
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	_, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", events, 1+len(events)/7))
	return loaded{engine: kpi.NewEngine(conn, db), snaps: kpi.NewSnapshots(conn, db), db: db}
}

func TestGoldenFixture(t *testing.T) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(t, err)
	l := load(t, g.Events)
	got, err := l.engine.Compute(context.Background(), g.Params)
	require.NoError(t, err)
	kpitest.RequireRowsMatch(t, g.Expected, got)

	// every row, not only the hand-worked ones, equals the reference
	want, err := reference.Compute(g.Events, g.Params)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, want, got)
}

// The report groupings (region, team, agent, priority) follow the same rules.
func TestGoldenFixtureByOtherDimensions(t *testing.T) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(t, err)
	l := load(t, g.Events)
	for _, by := range [][]string{{kpi.DimRegion}, {kpi.DimBranch, kpi.DimTeam}, {kpi.DimAgent}, {kpi.DimChannel, kpi.DimPriority}} {
		p := g.Params
		p.By = by
		got, err := l.engine.Compute(context.Background(), p)
		require.NoError(t, err, "by %v", by)
		want, err := reference.Compute(g.Events, p)
		require.NoError(t, err)
		require.NotEmpty(t, got, "by %v", by)
		kpitest.RequireSameRows(t, want, got)
	}
}

// A snapshot reads back exactly as written, and writing the same job and
// as_of again replaces it instead of adding to it.
func TestSnapshotsRoundTrip(t *testing.T) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(t, err)
	l := load(t, g.Events)
	ctx := context.Background()
	rows, err := l.engine.Compute(ctx, g.Params)
	require.NoError(t, err)
	require.NotEmpty(t, rows)

	asOf := g.Params.AsOf
	_, ok, err := l.snaps.Latest(ctx, "all")
	require.NoError(t, err)
	require.False(t, ok, "no snapshot yet")
	require.NoError(t, l.snaps.Write(ctx, "all", asOf, rows, time.Second))
	require.NoError(t, l.snaps.Write(ctx, "all", asOf, rows, time.Second))
	latest, ok, err := l.snaps.Latest(ctx, "all")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, latest.Equal(asOf), "latest %s, wrote %s", latest, asOf)
	back, err := l.snaps.Read(ctx, "all", asOf)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, rows, back)
	has, err := l.snaps.Has(ctx, "all", asOf.Add(time.Hour))
	require.NoError(t, err)
	require.False(t, has)
}
