package sql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"

	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Every statement of every migration has a cluster form: each table gets a
// replicated local table and a Distributed one over it, each view reads and
// writes the local tables.
func TestEveryMigrationHasAClusterForm(t *testing.T) {
	ms, err := cxsql.Migrations("cx")
	require.NoError(t, err)
	keys, err := cxsql.ShardKeys()
	require.NoError(t, err)
	for _, m := range ms {
		out, err := cxsql.ClusterStatements(m.Statements, "cx", "c")
		require.NoError(t, err, "migration %04d", m.Version)
		for _, stmt := range out {
			s := stmt.SQL
			if strings.HasPrefix(s, "INSERT") {
				continue
			}
			if stmt.EachShard {
				require.Regexp(t, "^ALTER TABLE `cx`.\\w+_local\\s", s, "a statement per shard alters the replicated table")
				require.NotContains(t, s, "ON CLUSTER")
				continue
			}
			require.Contains(t, s, " ON CLUSTER `c`", s)
			if strings.Contains(s, "_local ON CLUSTER") && strings.HasPrefix(s, "CREATE TABLE") {
				require.Regexp(t, `ENGINE = Replicated\w*MergeTree\('/clickhouse/tables/\{shard\}/cx/\w+', '\{replica\}'`, s)
			}
			if strings.HasPrefix(s, "CREATE MATERIALIZED VIEW") {
				require.Regexp(t, "TO `cx`.\\w+_local\\s", s)
				require.Contains(t, s, "FROM `cx`.events_local")
			}
		}
	}
	require.Contains(t, keys, "events")
}

func TestClusterStatementsOfLaterMigrations(t *testing.T) {
	out, err := cxsql.ClusterStatements([]string{
		"ALTER TABLE `cx`.events MODIFY COLUMN comment String",
		"CREATE TABLE IF NOT EXISTS `cx`.events (a UInt8, v UInt32) ENGINE = ReplacingMergeTree(v) ORDER BY a",
		"DROP TABLE IF EXISTS `cx`.kpi_snapshots",
	}, "cx", "c")
	require.NoError(t, err)
	require.Equal(t, []string{
		"ALTER TABLE `cx`.events_local ON CLUSTER `c` MODIFY COLUMN comment String",
		"DROP TABLE IF EXISTS `cx`.events ON CLUSTER `c`",
		"CREATE TABLE IF NOT EXISTS `cx`.events ON CLUSTER `c` AS `cx`.events_local ENGINE = Distributed(`c`, `cx`, `events_local`, " + mustKey(t, "events") + ")",
		"CREATE TABLE IF NOT EXISTS `cx`.events_local ON CLUSTER `c` (a UInt8, v UInt32) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cx/events', '{replica}', v) ORDER BY a",
		"CREATE TABLE IF NOT EXISTS `cx`.events ON CLUSTER `c` AS `cx`.events_local ENGINE = Distributed(`c`, `cx`, `events_local`, " + mustKey(t, "events") + ")",
		"DROP TABLE IF EXISTS `cx`.kpi_snapshots ON CLUSTER `c`",
		"DROP TABLE IF EXISTS `cx`.kpi_snapshots_local ON CLUSTER `c`",
	}, texts(out))
	for _, s := range out {
		require.False(t, s.EachShard, "%s runs ON CLUSTER", s.SQL)
	}

	// 18.16's distributed DDL refuses MODIFY ORDER BY: one replica per shard
	out, err = cxsql.ClusterStatements([]string{"ALTER TABLE `cx`.events ADD COLUMN g UInt64, MODIFY ORDER BY (a, g)"}, "cx", "c")
	require.NoError(t, err)
	require.Equal(t, cxsql.Statement{SQL: "ALTER TABLE `cx`.events_local ADD COLUMN g UInt64, MODIFY ORDER BY (a, g)", EachShard: true}, out[0])
	require.Equal(t, []string{
		"DROP TABLE IF EXISTS `cx`.events ON CLUSTER `c`",
		"CREATE TABLE IF NOT EXISTS `cx`.events ON CLUSTER `c` AS `cx`.events_local ENGINE = Distributed(`c`, `cx`, `events_local`, " + mustKey(t, "events") + ")",
	}, texts(out[1:]))

	_, err = cxsql.ClusterStatements([]string{"CREATE TABLE IF NOT EXISTS `cx`.unknown (a UInt8) ENGINE = MergeTree ORDER BY a"}, "cx", "c")
	require.ErrorContains(t, err, "no sharding key")
	_, err = cxsql.ClusterStatements([]string{"RENAME TABLE `cx`.a TO `cx`.b"}, "cx", "c")
	require.ErrorContains(t, err, "no rule")
}

// texts are the SQL texts of stmts.
func texts(stmts []cxsql.Statement) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL
	}
	return out
}

func mustKey(t *testing.T, table string) string {
	keys, err := cxsql.ShardKeys()
	require.NoError(t, err)
	return keys[table]
}

func clusterServers(t *testing.T, ctx context.Context, conn driver.Conn) []cxsql.Server {
	servers, err := cxsql.ClusterServers(ctx, conn, sqltest.ClusterName())
	require.NoError(t, err)
	require.Len(t, servers, 3, "deploy/local/cluster.sh: 2 shards, the first with 2 replicas")
	return servers
}

func onServer(t *testing.T, ctx context.Context, s cxsql.Server) driver.Conn {
	c, err := sqltest.DialCluster(ctx, s.Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// migrate in cluster mode creates every table on every server, records the
// version once for all of them, and a second run applies nothing.
func TestMigrateOnCluster(t *testing.T) {
	conn, db := sqltest.ClusterMigrated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all, err := cxsql.Migrations(db)
	require.NoError(t, err)
	for _, s := range clusterServers(t, ctx, conn) {
		c := onServer(t, ctx, s)
		var engine string
		require.NoError(t, c.QueryRow(ctx, "SELECT engine FROM system.tables WHERE database = ? AND name = 'events'", db).Scan(&engine))
		require.Equal(t, "Distributed", engine, "%s", s)
		require.NoError(t, c.QueryRow(ctx, "SELECT engine FROM system.tables WHERE database = ? AND name = 'events_local'", db).Scan(&engine))
		require.Equal(t, "ReplicatedReplacingMergeTree", engine, "%s", s)
		var macroShard string
		require.NoError(t, c.QueryRow(ctx, "SELECT substitution FROM system.macros WHERE macro = 'shard'").Scan(&macroShard))
		// schema_migrations is replicated to every server, whatever its shard
		require.Eventually(t, func() bool {
			applied, err := cxsql.AppliedMigrations(ctx, c, db)
			return err == nil && len(applied) == len(all)
		}, 30*time.Second, 200*time.Millisecond, "%s (shard %s) knows every migration", s, macroShard)
	}
	target := cxsql.Target{Database: db, Cluster: sqltest.ClusterName(), Dial: sqltest.DialCluster}
	again, err := cxsql.MigrateTarget(ctx, conn, target)
	require.NoError(t, err)
	require.Empty(t, again.Applied)
	require.Equal(t, uint32(len(all)), again.Current)
}

// A later migration that alters a table (as 0006 changes events.type) runs
// ON CLUSTER on the local tables and renews the Distributed ones; re-run,
// its ADD COLUMN is taken as done. A change that reached one server only is
// reported, naming it and what differs.
func TestClusterAlterAndHalfAppliedMigration(t *testing.T) {
	conn, db := sqltest.ClusterMigrated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	quoted := "`" + db + "`"
	stmts, err := cxsql.ClusterStatements([]string{
		"ALTER TABLE " + quoted + ".events ADD COLUMN reason String DEFAULT ''",
		"ALTER TABLE " + quoted + ".events MODIFY COLUMN priority Enum8('' = 0, 'low' = 1, 'normal' = 2, 'high' = 3, 'urgent' = 4, 'critical' = 5)",
	}, db, sqltest.ClusterName())
	require.NoError(t, err)
	for run := 0; run < 2; run++ {
		for _, s := range stmts {
			require.False(t, s.EachShard, s.SQL)
			require.NoError(t, cxsql.ExecMigrationStatement(ctx, conn, s.SQL), "run %d: %s", run+1, s.SQL)
		}
	}
	servers := clusterServers(t, ctx, conn)
	require.NoError(t, cxsql.CompareSchemas(ctx, servers, db, sqltest.DialCluster))
	for _, s := range servers {
		c := onServer(t, ctx, s)
		var n uint64
		require.NoError(t, c.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND name = 'reason' AND table IN ('events', 'events_local')", db).Scan(&n))
		require.Equal(t, uint64(2), n, "%s has the new column in both tables", s)
	}
	// the new column reads and writes through the Distributed table
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+quoted+".events (event_id, type, occurred_at, branch, channel, priority, reason) SELECT 'e1', 'ticket.opened', now(), 'b', 'chat', 'critical', 'why'"))
	var reason string
	require.NoError(t, conn.QueryRow(ctx, "SELECT reason FROM "+quoted+".events WHERE priority = 'critical'").Scan(&reason))
	require.Equal(t, "why", reason)

	// half-applied: a column added on the last server only
	last := servers[len(servers)-1]
	require.NoError(t, onServer(t, ctx, last).Exec(ctx, "ALTER TABLE "+quoted+".ticket_facts_local ADD COLUMN stray UInt8"))
	err = cxsql.CompareSchemas(ctx, servers, db, sqltest.DialCluster)
	require.ErrorIs(t, err, cxsql.ErrSchemaDiverged)
	require.ErrorContains(t, err, last.Addr+" (shard 2 replica 1) at schema version")
	require.ErrorContains(t, err, "has column ticket_facts_local.stray UInt8")
	all, err2 := cxsql.Migrations(db)
	require.NoError(t, err2)
	latest := all[len(all)-1].Version
	require.ErrorContains(t, err, fmt.Sprintf("%s (shard 1 replica 1) at schema version %d lacks column ticket_facts_local.stray", servers[0].Addr, latest))
	// and migrate reports it too
	_, err = cxsql.MigrateTarget(ctx, conn, cxsql.Target{Database: db, Cluster: sqltest.ClusterName(), Dial: sqltest.DialCluster})
	require.ErrorIs(t, err, cxsql.ErrSchemaDiverged)
}

// The layout checks behind "bad config fails at start".
func TestCheckLayout(t *testing.T) {
	conn, clusterDB := sqltest.ClusterMigrated(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cluster := sqltest.ClusterName()

	down, err := cxsql.CheckLayout(ctx, conn, clusterDB, cluster, sqltest.DialCluster)
	require.NoError(t, err)
	require.Empty(t, down)

	_, err = cxsql.CheckLayout(ctx, conn, clusterDB, "", sqltest.DialCluster)
	require.ErrorIs(t, err, cxsql.ErrLayoutMismatch)
	require.ErrorContains(t, err, "is a cluster's")

	_, err = cxsql.CheckLayout(ctx, conn, clusterDB, "nosuch", sqltest.DialCluster)
	require.ErrorIs(t, err, cxsql.ErrUnknownCluster)
	require.ErrorContains(t, err, `"nosuch" (the server knows: `)

	_, err = cxsql.CheckLayout(ctx, conn, clusterDB, cluster+"_unreachable", sqltest.DialCluster)
	require.ErrorIs(t, err, cxsql.ErrServerDown)
	require.ErrorContains(t, err, "no other replica of shard 1 answers")
	require.ErrorContains(t, err, "no other replica of shard 2 answers")

	// a single server's database opened in cluster mode
	single := sqltest.Connect(t)
	singleDB := sqltest.Database(t, single)
	_, err = cxsql.Migrate(ctx, single, singleDB)
	require.NoError(t, err)
	// the same database name, single-node, on a cluster server
	require.NoError(t, conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+singleDB+"`"))
	t.Cleanup(func() { _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+singleDB+"`") })
	_, err = cxsql.Migrate(ctx, conn, singleDB)
	require.NoError(t, err)
	_, err = cxsql.CheckLayout(ctx, conn, singleDB, cluster, sqltest.DialCluster)
	require.ErrorIs(t, err, cxsql.ErrLayoutMismatch)
	require.ErrorContains(t, err, "is a single server's (its events table is ReplacingMergeTree, not Distributed over cluster "+cluster+")")
}
