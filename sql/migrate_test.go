package sql_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"

	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

func TestSplitStatements(t *testing.T) {
	got := cxsql.SplitStatements("-- comment\nCREATE TABLE a (x UInt8)\nENGINE = Memory;\n\nCREATE TABLE b (y String) ENGINE = Memory;\n")
	require.Equal(t, []string{"CREATE TABLE a (x UInt8)\nENGINE = Memory", "CREATE TABLE b (y String) ENGINE = Memory"}, got)
}

func TestMigrationsAreNumberedAndRendered(t *testing.T) {
	ms, err := cxsql.Migrations("cxpulse")
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for i, m := range ms {
		require.Equal(t, uint32(i+1), m.Version)
		for _, s := range m.Statements {
			require.NotContains(t, s, "{{db}}")
		}
	}
	_, err = cxsql.Migrations("bad-name; DROP")
	require.ErrorContains(t, err, "database name")
}

func TestMigrateAppliesOnceAndRefusesNewerDatabase(t *testing.T) {
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all, err := cxsql.Migrations(db)
	require.NoError(t, err)

	first, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	require.Len(t, first.Applied, len(all))
	require.Equal(t, uint32(len(all)), first.Current)

	var tables uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'events'", db).Scan(&tables))
	require.Equal(t, uint64(1), tables)

	again, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	require.Empty(t, again.Applied, "a second run applies nothing")
	require.Equal(t, first.Current, again.Current)

	// A newer binary recorded a migration this one does not know.
	require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.schema_migrations (version, name, checksum, applied_at) SELECT ?, 'from_the_future', 'x', now()", uint32(len(all)+1)))
	_, err = cxsql.Migrate(ctx, conn, db)
	require.True(t, errors.Is(err, cxsql.ErrDatabaseAhead), "got %v", err)
	require.ErrorContains(t, err, "from_the_future")
}

// Migration 0006 runs again after an interruption (its statements applied,
// its version not recorded): the Enum change is the same type again and the
// runner takes an ADD COLUMN of an existing column as done. A ticket.pending
// can then be stored, with its reason in the comment column.
func TestMigration0006RunsTwice(t *testing.T) {
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	migrateAgain(ctx, t, conn, db, 6)

	require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.events (event_id, type, occurred_at, branch, channel, ticket_id, comment) "+
		"SELECT 'p1', 'ticket.pending', now(), 'b1', 'other', 'T-1', 'invoice number'"))
	var typ, comment string
	require.NoError(t, conn.QueryRow(ctx, "SELECT toString(type), comment FROM `"+db+"`.events WHERE event_id = 'p1'").Scan(&typ, &comment))
	require.Equal(t, "ticket.pending", typ)
	require.Equal(t, "invoice number", comment)

	// any other error of an ADD COLUMN still fails the migration
	err = conn.Exec(ctx, "ALTER TABLE `"+db+"`.no_such_table ADD COLUMN x UInt8")
	require.Error(t, err)
}

// A run that applied 0007's ALTERs and stopped before recording it (the
// process killed in between) is completed by the next run: 18.16 has no
// ADD COLUMN IF NOT EXISTS, so the runner takes "already exists" as done.
func TestMigrateCompletesAHalfAppliedAddColumn(t *testing.T) {
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	migrateAgain(ctx, t, conn, db, 7)
	var n uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'kpi_snapshots' AND name = 'generation'", db).Scan(&n))
	require.Equal(t, uint64(1), n)
}

// Migration 0008 upgrades a database at 0006 with customers stored: the
// customer tables keyed by two hashes hold every customer of the events
// (filled from them) and of later inserts (their views), the single-hash
// tables and views are gone, ticket_facts has agent_h2; after an
// interruption (version not recorded) it runs again and changes no number.
func TestMigration0008UpgradesAndRunsTwice(t *testing.T) {
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all, err := cxsql.Migrations(db)
	require.NoError(t, err)
	require.NoError(t, conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+db+"`"))
	require.NoError(t, conn.Exec(ctx, "CREATE TABLE `"+db+"`.schema_migrations (version UInt32, name String, checksum String, applied_at DateTime('UTC')) "+
		"ENGINE = ReplacingMergeTree(applied_at) ORDER BY version"))
	for _, m := range all[:6] {
		for _, stmt := range m.Statements {
			require.NoError(t, conn.Exec(ctx, stmt), "migration %04d", m.Version)
		}
		require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.schema_migrations SELECT ?, ?, ?, now()", m.Version, m.Name, m.Checksum))
	}
	visit := func(id, customer, at string) {
		require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.events (event_id, type, occurred_at, branch, channel, customer_id) "+
			"SELECT ?, 'customer.visit', toDateTime(?, 'UTC'), 'b1', 'other', ?", id, at, customer))
	}
	visit("v1", "C-A", "2026-03-10 10:00:00")
	visit("v2", "C-B", "2026-04-01 10:00:00")
	visit("v3", "C-A", "2026-04-02 09:00:00")

	res, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	require.Len(t, res.Applied, len(all)-6)
	var old uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name IN "+
		"('customer_first_seen', 'customer_months', 'customer_first_seen_mv', 'customer_months_mv')", db).Scan(&old))
	require.Zero(t, old, "single-hash customer tables left")
	var added uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'ticket_facts' AND name = 'agent_h2'", db).Scan(&added))
	require.Equal(t, uint64(1), added)

	visit("v4", "C-C", "2026-04-02 11:00:00") // through the new views
	firsts := func() map[string]string {
		rows, err := conn.Query(ctx, "SELECT toString(f.first), f.customer = cityHash64(e.customer_id) AND f.customer_check = sipHash64(e.customer_id), e.customer_id "+
			"FROM (SELECT customer, customer_check, minMerge(first) AS first FROM `"+db+"`.customer_first_seen_v2 GROUP BY customer, customer_check) AS f "+
			"ALL INNER JOIN (SELECT DISTINCT customer_id, cityHash64(customer_id) AS customer FROM `"+db+"`.events) AS e USING customer")
		require.NoError(t, err)
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var first, id string
			var keyed uint8
			require.NoError(t, rows.Scan(&first, &keyed, &id))
			require.Equal(t, uint8(1), keyed, id)
			out[id] = first
		}
		require.NoError(t, rows.Err())
		return out
	}
	months := func() uint64 {
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM (SELECT DISTINCT month, customer, customer_check FROM `"+db+"`.customer_months_v2)").Scan(&n))
		return n
	}
	want := map[string]string{"C-A": "2026-03-10 10:00:00", "C-B": "2026-04-01 10:00:00", "C-C": "2026-04-02 11:00:00"}
	require.Equal(t, want, firsts())
	require.Equal(t, uint64(4), months()) // C-A in March and April, C-B and C-C in April

	migrateAgain(ctx, t, conn, db, 8)
	require.Equal(t, want, firsts())
	require.Equal(t, uint64(4), months())
}

// migrateAgain forgets that migration version ran, as an interruption just
// before it was recorded would, and migrates again: only it runs, and
// without an error.
func migrateAgain(ctx context.Context, t *testing.T, conn driver.Conn, db string, version uint32) {
	t.Helper()
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE `"+db+"`.schema_migrations DELETE WHERE version = ?", version))
	require.Eventually(t, func() bool {
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.schema_migrations WHERE version = ?", version).Scan(&n))
		return n == 0
	}, 30*time.Second, 100*time.Millisecond)
	again, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	require.Len(t, again.Applied, 1)
	require.Equal(t, version, again.Applied[0].Version)
}
