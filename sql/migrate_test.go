package sql_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE `"+db+"`.schema_migrations DELETE WHERE version >= 6"))
	require.Eventually(t, func() bool {
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.schema_migrations WHERE version >= 6").Scan(&n))
		return n == 0
	}, 30*time.Second, 100*time.Millisecond)
	again, err := cxsql.Migrate(ctx, conn, db)
	require.NoError(t, err)
	require.Len(t, again.Applied, 1)
	require.Equal(t, uint32(6), again.Applied[0].Version)

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
