package kpi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// A deposed leader (generation 1) cannot write a snapshot once generation 2
// has written one of the job; and a copy that raced past the check, landing
// later with other numbers, is neither read nor merged over the newer one.
func TestSnapshotsOfANewerGenerationWin(t *testing.T) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(t, err)
	l := load(t, g.Events)
	ctx := context.Background()
	rows, err := l.engine.Compute(ctx, g.Params)
	require.NoError(t, err)
	asOf := g.Params.AsOf
	conn := l.conn

	older := kpi.NewSnapshots(conn, l.db).WithGeneration(1)
	newer := kpi.NewSnapshots(conn, l.db).WithGeneration(2)
	require.NoError(t, older.Write(ctx, "all", asOf.Add(-time.Minute), rows, time.Second), "no newer generation yet")
	require.NoError(t, newer.Write(ctx, "all", asOf, rows, time.Second))
	err = older.Write(ctx, "all", asOf.Add(time.Minute), rows, time.Second)
	require.True(t, errors.Is(err, kpi.ErrFenced), "got %v", err)

	// generation 1's late copy of the same as_of, other numbers, a later computed_at
	db := "`" + l.db + "`"
	copyRows(t, conn, l.db, "kpi_snapshots", "generation = 2", map[string]string{
		"field_values": "arrayMap(v -> v + 1000, field_values)", "computed_at": "computed_at + 60", "generation": "1"})
	copyRows(t, conn, l.db, "kpi_snapshot_runs", "generation = 2", map[string]string{
		"computed_at": "computed_at + 60", "generation": "1"})
	back, err := l.snaps.Read(ctx, "all", asOf)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, rows, back)
	require.NoError(t, conn.Exec(ctx, "OPTIMIZE TABLE "+db+".kpi_snapshots FINAL"))
	back, err = l.snaps.Read(ctx, "all", asOf)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, rows, back)

	stored, err := kpi.StoredGeneration(ctx, conn, l.db)
	require.NoError(t, err)
	require.Equal(t, uint64(2), stored)
}

// Folds carry their generation: an engine of an older generation refuses to
// fold after a newer one did, one without a generation follows the newest,
// and a fact row of an older generation written later (a deposed leader's
// fold that raced past the check) loses to the newer generation's.
func TestFoldsOfANewerGenerationWin(t *testing.T) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(t, err)
	l := load(t, g.Events)
	ctx := context.Background()
	conn := l.conn
	from := kpi.TicketFactsFrom(g.Params, g.Params.AsOf)

	require.NoError(t, kpi.NewEngine(conn, l.db).WithGeneration(2).EnsureTicketFacts(ctx, from))
	err = kpi.NewEngine(conn, l.db).WithGeneration(1).EnsureTicketFacts(ctx, from.Add(-48*time.Hour))
	require.True(t, errors.Is(err, kpi.ErrFenced), "got %v", err)
	follower := kpi.NewEngine(conn, l.db)
	got, err := follower.Compute(ctx, g.Params)
	require.NoError(t, err, "an engine without a generation folds under the newest")
	kpitest.RequireRowsMatch(t, g.Expected, got)

	db := "`" + l.db + "`"
	// a stale copy of every ticket (no resolution, another branch) by
	// generation 1, folded "later" by its host's clock
	const laterByGeneration1 = "bitOr(bitShiftLeft(toUInt64(1), 42), toUInt64(toUnixTimestamp(now()) + 3600) * 1000)"
	copyRows(t, conn, l.db, "ticket_facts", "1", map[string]string{
		"branch": "'elsewhere'", "resolved_all": "[]", "folded_ms": laterByGeneration1})
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+db+".ticket_fact_folds (written_ms, folded_ms, from_ms, full) SELECT "+laterByGeneration1+", 0, 0, 0"))
	for _, reader := range []*kpi.Engine{kpi.NewEngine(conn, l.db).ReadOnly(), kpi.NewEngine(conn, l.db).WithGeneration(2)} {
		got, err = reader.Compute(ctx, g.Params)
		require.NoError(t, err)
		kpitest.RequireRowsMatch(t, g.Expected, got)
	}
	require.NoError(t, conn.Exec(ctx, "OPTIMIZE TABLE "+db+".ticket_facts FINAL"))
	got, err = kpi.NewEngine(conn, l.db).ReadOnly().Compute(ctx, g.Params)
	require.NoError(t, err)
	kpitest.RequireRowsMatch(t, g.Expected, got)
}

// What the fence costs a scheduled run: a fenced write asks for the job's
// newest generation first, and the scheduler asks whether the tick is
// already stored (Has) before computing. Compared with an unfenced write of
// the same snapshot in the same run:
//
//	go test -run '^$' -bench SnapshotWrite -benchtime 50x ./metrics/kpi/
func BenchmarkSnapshotWrite(b *testing.B) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(b, err)
	conn, db := sqltest.Migrated(b)
	ctx := context.Background()
	rows := g.Expected // the hand-worked rows of the golden fixture: a snapshot of a few hundred rows
	for _, bc := range []struct {
		name  string
		snaps *kpi.Snapshots
		has   bool
	}{
		{"unfenced", kpi.NewSnapshots(conn, db), false},
		{"fenced+has", kpi.NewSnapshots(conn, db).WithGeneration(1), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			asOf := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := 0; b.Loop(); i++ {
				t := asOf.Add(time.Duration(i) * time.Second)
				if bc.has {
					if _, err := bc.snaps.Has(ctx, bc.name, t); err != nil {
						b.Fatal(err)
					}
				}
				if err := bc.snaps.Write(ctx, bc.name, t, rows, time.Second); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// copyRows inserts into table of database a copy of its rows matching where,
// naming every column it writes: set gives the expression of each column the
// copy changes, every other column is copied as it is. The columns are read
// from system.columns, so a column a migration adds, wherever it goes, is
// copied too instead of shifting the others; a set entry naming no column
// fails the test.
func copyRows(t *testing.T, conn driver.Conn, database, table, where string, set map[string]string) {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT name FROM system.columns WHERE database = ? AND table = ? AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')", database, table)
	require.NoError(t, err)
	defer rows.Close()
	var names, exprs []string
	used := 0
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		expr := "`" + name + "`"
		if e, ok := set[name]; ok {
			expr, used = e, used+1
		}
		names, exprs = append(names, "`"+name+"`"), append(exprs, expr)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, names, "no columns of %s.%s", database, table)
	require.Equal(t, len(set), used, "copyRows of %s sets a column the table does not have: %v", table, set)
	from := "`" + database + "`." + table
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+from+" ("+strings.Join(names, ", ")+") SELECT "+strings.Join(exprs, ", ")+" FROM "+from+" WHERE "+where))
}
