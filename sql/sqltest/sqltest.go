// Package sqltest connects tests to the real ClickHouse server that
// deploy/local starts. There is no fake: when the server does not answer, the
// test fails and says how to start it.
package sqltest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/ingest/event"
	cxsql "github.com/cxpulse/cxpulse/sql"
)

// Addr is the native-protocol address of the test server:
// CXPULSE_TEST_CLICKHOUSE_ADDR, default 127.0.0.1:9000.
func Addr() string {
	if a := os.Getenv("CXPULSE_TEST_CLICKHOUSE_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:9000"
}

// Connect opens a connection to the test server or fails the test.
func Connect(t testing.TB) driver.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{Addr()}, Protocol: clickhouse.Native, DialTimeout: 5 * time.Second,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		t.Fatalf("clickhouse at %s: %v", Addr(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("clickhouse at %s does not answer (start it with deploy/local/clickhouse.sh start): %v", Addr(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

var seq atomic.Int64

// Database returns the name of a fresh, empty database that is dropped when
// the test ends (kept when CXPULSE_TEST_KEEP=1, for debugging).
func Database(t testing.TB, conn driver.Conn) string {
	t.Helper()
	name := fmt.Sprintf("cxtest_%s_%d_%d", sanitize(t.Name()), time.Now().UnixNano()%1e9, seq.Add(1))
	ctx := context.Background()
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
		t.Fatalf("drop %s: %v", name, err)
	}
	t.Cleanup(func() {
		if os.Getenv("CXPULSE_TEST_KEEP") == "1" {
			t.Logf("kept database %s", name)
			return
		}
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`")
	})
	return name
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 30 {
			break
		}
	}
	return b.String()
}

// Migrated connects, and returns the connection and a fresh database with
// every migration applied.
func Migrated(t testing.TB) (driver.Conn, string) {
	t.Helper()
	conn := Connect(t)
	db := Database(t, conn)
	if _, err := cxsql.Migrate(context.Background(), conn, db); err != nil {
		t.Fatalf("migrate %s: %v", db, err)
	}
	return conn, db
}

// UniqueByType counts the distinct event_ids per type in db's events table,
// as every KPI counts them.
func UniqueByType(conn driver.Conn, db string) (map[event.Type]int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, "SELECT toString(type), uniqExact(event_id) FROM `"+db+"`.events GROUP BY type")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[event.Type]int{}
	for rows.Next() {
		var typ string
		var n uint64
		if err := rows.Scan(&typ, &n); err != nil {
			return nil, err
		}
		out[event.Type(typ)] = int(n)
	}
	return out, rows.Err()
}

// ClusterAddr is the native address of a server of the local test cluster
// (deploy/local/cluster.sh): CXPULSE_TEST_CLUSTER_ADDR, default
// 127.0.0.1:9121.
func ClusterAddr() string {
	if a := os.Getenv("CXPULSE_TEST_CLUSTER_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:9121"
}

// ClusterName is the test cluster's name in remote_servers:
// CXPULSE_TEST_CLUSTER, default cxpulse.
func ClusterName() string {
	if c := os.Getenv("CXPULSE_TEST_CLUSTER"); c != "" {
		return c
	}
	return "cxpulse"
}

// DialCluster opens a connection to addr with the test settings of cluster
// mode (synchronous Distributed inserts, as cmd/cxpulse/config sets them).
func DialCluster(_ context.Context, addr string) (driver.Conn, error) {
	return clickhouse.Open(&clickhouse.Options{
		Addr: []string{addr}, Protocol: clickhouse.Native, DialTimeout: 5 * time.Second,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		Settings:    clickhouse.Settings{"insert_distributed_sync": 1},
	})
}

// ClusterMigrated connects to the test cluster and returns the connection
// and a fresh database migrated in cluster mode on every server, dropped
// ON CLUSTER when the test ends. The test fails when the cluster does not
// answer (start it with deploy/local/cluster.sh start).
func ClusterMigrated(t testing.TB) (driver.Conn, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := DialCluster(ctx, ClusterAddr())
	if err == nil {
		err = conn.Ping(ctx)
	}
	if err != nil {
		t.Fatalf("test cluster at %s does not answer (start it with deploy/local/cluster.sh start): %v", ClusterAddr(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	name := fmt.Sprintf("cxcluster_%s_%d_%d", sanitize(t.Name()), time.Now().UnixNano()%1e9, seq.Add(1))
	t.Cleanup(func() {
		if os.Getenv("CXPULSE_TEST_KEEP") == "1" {
			t.Logf("kept database %s", name)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+name+"` ON CLUSTER `"+ClusterName()+"`"); err != nil {
			t.Logf("drop %s on the cluster: %v", name, err)
		}
	})
	target := cxsql.Target{Database: name, Cluster: ClusterName(), Dial: DialCluster}
	if _, err := cxsql.MigrateTarget(ctx, conn, target); err != nil {
		t.Fatalf("migrate %s on cluster %s: %v", name, ClusterName(), err)
	}
	return conn, name
}

// ShardRows counts the rows of db.table_local on each server of the test
// cluster, by its address (18.16 has no _shard_num).
func ShardRows(t testing.TB, ctx context.Context, conn driver.Conn, db, table string) map[cxsql.Server]uint64 {
	t.Helper()
	servers, err := cxsql.ClusterServers(ctx, conn, ClusterName())
	if err != nil {
		t.Fatal(err)
	}
	out := map[cxsql.Server]uint64{}
	for _, s := range servers {
		c, err := DialCluster(ctx, s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		err = c.QueryRow(ctx, "SELECT count() FROM `"+db+"`."+table+cxsql.LocalSuffix).Scan(&n)
		_ = c.Close()
		if err != nil {
			t.Fatalf("count %s.%s on %s: %v", db, table, s, err)
		}
		out[s] = n
	}
	return out
}

// SyncReplicas waits until every server of the test cluster has fetched
// what its shard's other replicas hold of db's replicated tables (SYSTEM
// SYNC REPLICA), so that a count per server is a count of the shard.
func SyncReplicas(t testing.TB, ctx context.Context, conn driver.Conn, db string) {
	t.Helper()
	servers, err := cxsql.ClusterServers(ctx, conn, ClusterName())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range servers {
		c, err := DialCluster(ctx, s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		rows, err := c.Query(ctx, "SELECT name FROM system.tables WHERE database = ? AND engine LIKE 'Replicated%'", db)
		for err == nil && rows.Next() {
			var name string
			if err = rows.Scan(&name); err == nil {
				tables = append(tables, name)
			}
		}
		if rows != nil {
			rows.Close()
		}
		for _, table := range tables {
			if err == nil {
				err = c.Exec(ctx, "SYSTEM SYNC REPLICA `"+db+"`."+table)
			}
		}
		_ = c.Close()
		if err != nil {
			t.Fatalf("sync replicas of %s on %s: %v", db, s, err)
		}
	}
}
