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
