package sql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Migration is one numbered schema change from migrations/NNNN_name.sql.
type Migration struct {
	Version    uint32
	Name       string
	Checksum   string
	Statements []string
}

// ErrDatabaseAhead means the database has migrations this binary does not know:
// a newer cxpulse migrated it, and this one must not write into it.
var ErrDatabaseAhead = errors.New("database schema is newer than this binary")

var (
	migrationName  = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)
	identifierName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

// ValidIdentifier reports whether name can be used as a database or table name
// without quoting surprises. Identifiers are the only text spliced into SQL.
func ValidIdentifier(name string) bool { return identifierName.MatchString(name) }

// Migrations returns the embedded migrations in order, with {{db}} replaced by
// the database name.
func Migrations(database string) ([]Migration, error) {
	if !ValidIdentifier(database) {
		return nil, fmt.Errorf("database name %q: must match %s", database, identifierName)
	}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		v, _ := strconv.ParseUint(m[1], 10, 32)
		sum := sha256.Sum256(body)
		out = append(out, Migration{
			Version:    uint32(v),
			Name:       m[2],
			Checksum:   hex.EncodeToString(sum[:8]),
			Statements: SplitStatements(Render(string(body), database)),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != uint32(i+1) {
			return nil, fmt.Errorf("migration %04d_%s: versions must run 1, 2, 3… without gaps", m.Version, m.Name)
		}
	}
	return out, nil
}

// Render replaces the {{db}} placeholder with the back-quoted database name.
func Render(sqlText, database string) string {
	return strings.ReplaceAll(sqlText, "{{db}}", "`"+database+"`")
}

// SplitStatements splits a script on semicolons that end a line, dropping
// comment-only lines; the statements themselves contain no such semicolons.
func SplitStatements(script string) []string {
	var stmts []string
	var cur strings.Builder
	for _, line := range strings.Split(script, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			stmts = append(stmts, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		stmts = append(stmts, s)
	}
	return stmts
}

// Applied is a migration recorded in the database.
type Applied struct {
	Version  uint32
	Name     string
	Checksum string
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	Applied []Migration // applied by this run, in order
	Current uint32      // schema version after the run
	// Modified lists recorded migrations whose file changed after they were applied.
	Modified []Applied
}

// Target is the database Migrate works on: on one server (Cluster empty),
// or on every server of a cluster from the servers' remote_servers.
type Target struct {
	Database string
	// Cluster: "" for one server; else every table is created ON CLUSTER in
	// its replicated and Distributed forms (ClusterStatements).
	Cluster string
	// Dial opens a connection to one server of the cluster (host:port), for
	// the checks that look at each server; needed with Cluster only.
	Dial func(ctx context.Context, addr string) (driver.Conn, error)
}

// Migrate creates the database if needed and applies the pending migrations in
// order, recording each in schema_migrations. Every statement is idempotent,
// so a run interrupted half-way is completed by the next one. It refuses with
// ErrDatabaseAhead when the database has a version this binary lacks.
func Migrate(ctx context.Context, conn driver.Conn, database string) (MigrateResult, error) {
	return MigrateTarget(ctx, conn, Target{Database: database})
}

// MigrateTarget is Migrate for one server or a cluster. On a cluster it
// first requires every server to answer (a DDL ON CLUSTER would otherwise
// wait for the missing one), and afterwards compares the schema of every
// server: a migration that reached only some (ErrSchemaDiverged) is reported.
// schema_migrations is one replicated table shared by all servers, so each
// of them knows the version.
func MigrateTarget(ctx context.Context, conn driver.Conn, t Target) (MigrateResult, error) {
	var res MigrateResult
	database := t.Database
	migrations, err := Migrations(database)
	if err != nil {
		return res, err
	}
	db := "`" + database + "`"
	bootstrap := []string{
		"CREATE DATABASE IF NOT EXISTS " + db,
		"CREATE TABLE IF NOT EXISTS " + db + ".schema_migrations (version UInt32, name String, checksum String, applied_at DateTime('UTC')) " +
			"ENGINE = ReplacingMergeTree(applied_at) ORDER BY version",
	}
	var servers []Server
	if t.Cluster != "" {
		if servers, err = ClusterServers(ctx, conn, t.Cluster); err != nil {
			return res, err
		}
		if err := pingServers(ctx, servers, t.Dial); err != nil {
			return res, err
		}
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_ddl_task_timeout": 120, "insert_distributed_sync": 1}))
		bootstrap = ClusterBootstrap(database, t.Cluster)
	}
	plans := make([][]Statement, len(migrations))
	for i, m := range migrations {
		if t.Cluster == "" {
			plans[i] = singleNode(m.Statements)
		} else if plans[i], err = ClusterStatements(m.Statements, database, t.Cluster); err != nil {
			return res, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	for _, stmt := range bootstrap {
		if err := conn.Exec(ctx, stmt); err != nil {
			return res, fmt.Errorf("prepare migration bookkeeping: %w", err)
		}
	}
	applied, err := AppliedMigrations(ctx, conn, database)
	if err != nil {
		return res, err
	}
	known := map[uint32]Migration{}
	for _, m := range migrations {
		known[m.Version] = m
	}
	done := map[uint32]bool{}
	for _, a := range applied {
		m, ok := known[a.Version]
		if !ok {
			return res, fmt.Errorf("%w: database %s has migration %04d_%s, this binary knows up to %04d",
				ErrDatabaseAhead, database, a.Version, a.Name, len(migrations))
		}
		if m.Checksum != a.Checksum {
			res.Modified = append(res.Modified, a)
		}
		done[a.Version] = true
		res.Current = max(res.Current, a.Version)
	}
	for mi, m := range migrations {
		if done[m.Version] {
			continue
		}
		for i, stmt := range plans[mi] {
			if err := execOn(ctx, conn, servers, t.Dial, stmt); err != nil {
				return res, fmt.Errorf("migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := record(ctx, conn, db, m); err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, m)
		res.Current = m.Version
	}
	if t.Cluster != "" {
		if err := CompareSchemas(ctx, servers, database, t.Dial); err != nil {
			return res, err
		}
	}
	return res, nil
}

// ClusterBootstrap is the cluster form of the bookkeeping Migrate creates
// first: the database on every server, and schema_migrations as one
// replicated table shared by all of them (its ZooKeeper path has no shard),
// so that every server records every version.
func ClusterBootstrap(database, cluster string) []string {
	db, on := "`"+database+"`", " ON CLUSTER `"+cluster+"`"
	return []string{
		"CREATE DATABASE IF NOT EXISTS " + db + on,
		"CREATE TABLE IF NOT EXISTS " + db + ".schema_migrations" + on +
			" (version UInt32, name String, checksum String, applied_at DateTime('UTC')) " +
			"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/cxpulse/" + database + "/schema_migrations', '{replica}', applied_at) ORDER BY version",
	}
}

// ExecMigrationStatement runs one statement of a migration. An ALTER … ADD
// COLUMN cannot say IF NOT EXISTS on 18.16: "column already exists" (on one
// server, or on any of a cluster's) means an earlier, interrupted run added
// it, and the whole ALTER is refused when one of its columns exists, so it
// counts as done; CompareSchemas then checks every server has it.
func ExecMigrationStatement(ctx context.Context, conn driver.Conn, stmt string) error {
	err := conn.Exec(ctx, stmt)
	if err != nil && isAddColumn(stmt) && columnExists(err) {
		return nil
	}
	return err
}

// execOn runs a migration statement on conn, or, marked EachShard, on the
// first replica of every shard of servers.
func execOn(ctx context.Context, conn driver.Conn, servers []Server, dial func(context.Context, string) (driver.Conn, error), stmt Statement) error {
	if !stmt.EachShard {
		return ExecMigrationStatement(ctx, conn, stmt.SQL)
	}
	seen := map[uint32]bool{}
	var firsts []Server
	for _, s := range servers {
		if !seen[s.Shard] {
			seen[s.Shard] = true
			firsts = append(firsts, s)
		}
	}
	return onEach(ctx, firsts, dial, func(s Server, c driver.Conn) error {
		if err := ExecMigrationStatement(ctx, c, stmt.SQL); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		return nil
	})
}

// columnExists says err is "column already exists", on 18.16 or a current server.
func columnExists(err error) bool {
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		return false
	}
	return (ex.Code == codeDuplicateColumn || ex.Code == codeDuplicateColumnCurrent) && strings.Contains(strings.ToLower(ex.Message), "already exists")
}

func record(ctx context.Context, conn driver.Conn, db string, m Migration) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+db+".schema_migrations (version, name, checksum, applied_at)")
	if err != nil {
		return fmt.Errorf("record migration %04d: %w", m.Version, err)
	}
	if err := batch.Append(m.Version, m.Name, m.Checksum, time.Now().UTC()); err != nil {
		return fmt.Errorf("record migration %04d: %w", m.Version, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("record migration %04d: %w", m.Version, err)
	}
	return nil
}

// AppliedMigrations lists the migrations recorded in the database, in order.
func AppliedMigrations(ctx context.Context, conn driver.Conn, database string) ([]Applied, error) {
	rows, err := conn.Query(ctx, "SELECT version, any(name), any(checksum) FROM `"+database+"`.schema_migrations GROUP BY version ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var out []Applied
	for rows.Next() {
		var a Applied
		if err := rows.Scan(&a.Version, &a.Name, &a.Checksum); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
