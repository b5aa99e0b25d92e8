// Package chdbdump records what the KPI engine asks ClickHouse 18.16 and what
// 18.16 answers, so that deploy/chdb/check.py can ask a current ClickHouse
// (chDB) the same and compare (deploy/chdb/run.sh). It loads a dataset into a fresh
// database, runs kpi.Engine.Compute through a connection that records every
// query, binds each query's arguments into literal SQL, re-runs it on 18.16
// and writes a directory:
//
//	events.jsonl  the events table as 18.16 exports it (JSONEachRow)
//	schema.sql    the migrations rendered for database cx, one statement per ';'
//	cluster_schema.sql  the same in cluster mode (parsed only: chDB has no cluster)
//	queries.json  [{name, sql (bound, for cx), args, columns, types, rows}]
//	meta.json     dataset, as_of, 18.16 version, event count
//
// Test-side only: the product code is used as is.
package chdbdump

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	cxsql "github.com/cxpulse/cxpulse/sql"
)

// TargetDB is the database name the dumped schema and queries use.
const TargetDB = "cx"

// Dataset is what one comparison runs on.
type Dataset struct {
	Name   string
	Events []event.Event
	Params kpi.Params
}

// Call is one Query the engine made, with how many rows it read from it,
// or one statement it ran (Exec: the folds that keep ticket facts).
type Call struct {
	SQL  string
	Args []any
	Rows int
	Exec bool
	// with Capture: the bound form's answer
	captured      bool
	columns       []string
	types         []string
	rows          [][]any
	captureFailed error
}

// Recorder is a driver.Conn that records every Query and passes it on.
type Recorder struct {
	driver.Conn
	// Capture also runs each query's bound form just before the query itself
	// and keeps its rows: what 18.16 answered at that moment, which later
	// folds of ticket facts would change.
	Capture bool
	mu      sync.Mutex
	calls   []*Call
}

// Query records the query and counts the rows the caller reads, so that the
// dump can check that the re-run of its bound form returns as many.
func (r *Recorder) Query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	c := &Call{SQL: q, Args: append([]any(nil), args...)}
	if r.Capture {
		c.captured = true
		bound, err := Bind(q, args)
		if err == nil {
			c.columns, c.types, c.rows, err = fetch(ctx, r.Conn, bound)
		}
		c.captureFailed = err
	}
	rows, err := r.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return &countingRows{Rows: rows, n: &c.Rows}, nil
}

// Exec records the statement and passes it on.
func (r *Recorder) Exec(ctx context.Context, q string, args ...any) error {
	if err := r.Conn.Exec(ctx, q, args...); err != nil {
		return err
	}
	r.mu.Lock()
	r.calls = append(r.calls, &Call{SQL: q, Args: append([]any(nil), args...), Exec: true})
	r.mu.Unlock()
	return nil
}

// Calls returns the recorded calls in order.
func (r *Recorder) Calls() []*Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Call(nil), r.calls...)
}

type countingRows struct {
	driver.Rows
	n *int
}

func (c *countingRows) Next() bool {
	ok := c.Rows.Next()
	if ok {
		*c.n++
	}
	return ok
}

// Bind replaces each `?` placeholder outside string literals, quoted
// identifiers and comments with its argument as SQL text, as clickhouse-go's
// positional binding does: integers plain, strings single-quoted with \ and '
// escaped, slices as arrays ['a', 'b'], clickhouse.GroupSet as a tuple
// ('a', 'b'). Any other argument type is an error, so a new kind of argument
// in the engine is noticed rather than mis-rendered.
func Bind(q string, args []any) (string, error) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '`' || c == '"':
			end := closing(q, i)
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			b.WriteString(q[i : i+end])
			i += end - 1
		case c == '\\' && i+1 < len(q) && q[i+1] == '?':
			return "", fmt.Errorf("escaped placeholder at byte %d: not supported", i)
		case c == '?':
			if n >= len(args) {
				return "", fmt.Errorf("query has more than %d placeholders", len(args))
			}
			s, err := literal(args[n])
			if err != nil {
				return "", fmt.Errorf("argument %d: %w", n+1, err)
			}
			b.WriteString(s)
			n++
		default:
			b.WriteByte(c)
		}
	}
	if n != len(args) {
		return "", fmt.Errorf("query has %d placeholders, got %d arguments", n, len(args))
	}
	return b.String(), nil
}

// closing returns the index after the quote that closes the one at i
// (backslash escapes and doubled quotes stay inside).
func closing(q string, i int) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		switch {
		case q[j] == '\\':
			j++
		case q[j] == quote && j+1 < len(q) && q[j+1] == quote:
			j++
		case q[j] == quote:
			return j + 1
		}
	}
	return len(q)
}

var quoter = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`) // as clickhouse-go quotes

// literal formats one argument as clickhouse-go's positional binding does.
func literal(v any) (string, error) {
	if g, ok := v.(clickhouse.GroupSet); ok { // a tuple, for IN
		s, err := literals(reflect.ValueOf(g.Value))
		return "(" + s + ")", err
	}
	if _, ok := v.([]byte); ok { // the driver sends these as String
		return "", fmt.Errorf("type []byte: not supported")
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return "'" + quoter.Replace(rv.String()) + "'", nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Slice, reflect.Array:
		s, err := literals(rv)
		return "[" + s + "]", err
	}
	return "", fmt.Errorf("type %T: not supported", v)
}

func literals(list reflect.Value) (string, error) {
	parts := make([]string, list.Len())
	for i := range parts {
		s, err := literal(list.Index(i).Interface())
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return strings.Join(parts, ", "), nil
}

// Query is one entry of queries.json.
type Query struct {
	Name    string   `json:"name"`           // kpi query name and its call number, e.g. tickets#3
	Exec    bool     `json:"exec,omitempty"` // a statement (a fold): run in order, nothing to compare
	SQL     string   `json:"sql"`            // bound, for database cx
	Args    []string `json:"args"`           // as bound, SQL literals
	Columns []string `json:"columns"`
	Types   []string `json:"types"` // the 18.16 column types, which the engine scans into Go types
	Rows    [][]any  `json:"rows"`
}

// Meta is meta.json.
type Meta struct {
	Dataset       string `json:"dataset"`
	AsOf          string `json:"as_of"`
	ServerVersion string `json:"server_version"`
	Events        uint64 `json:"events"`
}

// Options says where the dump reads from.
type Options struct {
	// Host and Port of the 18.16 server's native protocol, for clickhouse-client.
	Host, Port string
	// Keep leaves the scratch database on the server.
	Keep bool
}

// Dump loads ds into a fresh database, computes every KPI through a Recorder,
// and writes the dump directory out.
func Dump(ctx context.Context, conn driver.Conn, ds Dataset, out string, opt Options) error {
	db := fmt.Sprintf("chdbdump_%s_%d", ds.Name, time.Now().UnixNano()%1e9)
	if !cxsql.ValidIdentifier(db) {
		return fmt.Errorf("dataset name %q: not usable in a database name", ds.Name)
	}
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+db+"`"); err != nil {
		return err
	}
	if !opt.Keep {
		defer func() { _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`") }()
	}
	if _, err := cxsql.Migrate(ctx, conn, db); err != nil {
		return err
	}
	if err := ingest.Load(ctx, conn, "`"+db+"`.events", ds.Events, 0); err != nil {
		return err
	}
	// every query twice: grouping the ticket events (as an as_of older than
	// the kept facts does), then through the kept ticket facts, folded in
	// full and refreshed as the scheduled jobs do
	rec := &Recorder{Conn: conn, Capture: true}
	if _, err := kpi.NewEngine(rec, db).ScanOnly().Compute(ctx, ds.Params); err != nil {
		return fmt.Errorf("compute on 18.16: %w", err)
	}
	kept := kpi.NewEngine(rec, db)
	if err := kept.EnsureTicketFacts(ctx, kpi.TicketFactsFrom(ds.Params, ds.Params.AsOf)); err != nil {
		return fmt.Errorf("fold ticket facts on 18.16: %w", err)
	}
	if _, err := kept.Compute(ctx, ds.Params); err != nil {
		return fmt.Errorf("compute from ticket facts on 18.16: %w", err)
	}
	queries, err := replay(ctx, conn, db, rec.Calls())
	if err != nil {
		return err
	}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	meta := Meta{Dataset: ds.Name, AsOf: ds.Params.AsOf.UTC().Format(time.RFC3339Nano)}
	if v, err := conn.ServerVersion(); err == nil {
		meta.ServerVersion = v.Version.String()
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.events").Scan(&meta.Events); err != nil {
		return err
	}
	// The 18.16 text export is what a current server must read back: its
	// DateTime, Enum and quoted 64-bit integer forms are part of the check.
	export := exec.CommandContext(ctx, "clickhouse-client", "--host", opt.Host, "--port", opt.Port,
		"--query", "SELECT * FROM `"+db+"`.events FORMAT JSONEachRow")
	f, err := os.Create(filepath.Join(out, "events.jsonl"))
	if err != nil {
		return err
	}
	export.Stdout, export.Stderr = f, os.Stderr
	if err := export.Run(); err != nil {
		f.Close()
		return fmt.Errorf("export events with clickhouse-client: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	schema, err := schemaSQL()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "schema.sql"), []byte(schema), 0o644); err != nil {
		return err
	}
	clusterSchema, err := clusterSchemaSQL()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "cluster_schema.sql"), []byte(clusterSchema), 0o644); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(out, "queries.json"), queries); err != nil {
		return err
	}
	return writeJSON(filepath.Join(out, "meta.json"), meta)
}

// replay names each recorded call, binds it, and re-runs the bound SQL on
// 18.16 to read its rows generically.
func replay(ctx context.Context, conn driver.Conn, db string, calls []*Call) ([]Query, error) {
	byText := map[string]cxsql.KPIVariant{}
	for _, v := range cxsql.KPIVariants() {
		q, err := cxsql.KPIQuery(v.Name, db, v.Parts)
		if err != nil {
			return nil, err
		}
		byText[q] = v
	}
	seen := map[string]int{}
	var out []Query
	for _, c := range calls {
		variant, ok := byText[c.SQL]
		name := variant.Label
		if !ok {
			return nil, fmt.Errorf("engine ran a query that is not an embedded KPI query:\n%s", c.SQL)
		}
		seen[name]++
		label := fmt.Sprintf("%s#%d", name, seen[name])
		bound, err := Bind(c.SQL, c.Args)
		if err != nil {
			return nil, fmt.Errorf("%s: bind: %w", label, err)
		}
		q := Query{Name: label, Exec: c.Exec}
		for _, a := range c.Args {
			l, _ := literal(a) // Bind succeeded, so every argument formats
			q.Args = append(q.Args, l)
		}
		if c.Exec { // replayed in order on the current ClickHouse, not re-run here
			if q.SQL, err = bindFor(variant, c.Args); err != nil {
				return nil, err
			}
			out = append(out, q)
			continue
		}
		switch {
		case c.captured && c.captureFailed != nil:
			return nil, fmt.Errorf("%s: run bound on 18.16: %w", label, c.captureFailed)
		case c.captured:
			q.Columns, q.Types, q.Rows = c.columns, c.types, c.rows
		default:
			if q.Columns, q.Types, q.Rows, err = fetch(ctx, conn, bound); err != nil {
				return nil, fmt.Errorf("%s: re-run bound on 18.16: %w", label, err)
			}
		}
		if len(q.Rows) != c.Rows {
			return nil, fmt.Errorf("%s: bound query gave %d rows, the engine read %d: binding differs from the driver's", label, len(q.Rows), c.Rows)
		}
		if q.SQL, err = bindFor(variant, c.Args); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// bindFor renders the variant for database cx with args bound.
func bindFor(v cxsql.KPIVariant, args []any) (string, error) {
	text, err := cxsql.KPIQuery(v.Name, TargetDB, v.Parts)
	if err != nil {
		return "", err
	}
	return Bind(text, args)
}

// fetch runs q and scans every column into the Go type the driver offers for
// it, then into JSON-friendly values.
func fetch(ctx context.Context, conn driver.Conn, q string) (cols, types []string, out [][]any, err error) {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	cts := rows.ColumnTypes()
	for _, ct := range cts {
		cols = append(cols, ct.Name())
		types = append(types, ct.DatabaseTypeName())
	}
	out = [][]any{}
	for rows.Next() {
		ptrs := make([]any, len(cts))
		for i, ct := range cts {
			ptrs[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, nil, err
		}
		row := make([]any, len(ptrs))
		for i, p := range ptrs {
			row[i] = plain(reflect.ValueOf(p).Elem())
		}
		out = append(out, row)
	}
	return cols, types, out, rows.Err()
}

// plain turns a scanned value into one encoding/json writes as ClickHouse
// means it: slices element by element (a []uint8 would become base64),
// pointers as their value or null.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// schemaSQL renders the migrations for TargetDB, each statement ending with
// ";" on its own line end, the split rule of cxsql.SplitStatements.
func schemaSQL() (string, error) {
	ms, err := cxsql.Migrations(TargetDB)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("CREATE DATABASE IF NOT EXISTS `" + TargetDB + "`;\n\n")
	for _, m := range ms {
		fmt.Fprintf(&b, "-- %04d_%s\n", m.Version, m.Name)
		for _, s := range m.Statements {
			b.WriteString(s + ";\n\n")
		}
	}
	return b.String(), nil
}

// clusterSchemaSQL is schemaSQL in cluster mode (clickhouse.cluster =
// ClusterName): chDB has no ZooKeeper and no remote servers, so the replay
// can only parse these statements on current ClickHouse (formatQuery); they
// run for real on the 18.16 test cluster (sql and metrics/kpi tests).
func clusterSchemaSQL() (string, error) {
	ms, err := cxsql.Migrations(TargetDB)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range cxsql.ClusterBootstrap(TargetDB, ClusterName) {
		b.WriteString(s + ";\n\n")
	}
	for _, m := range ms {
		stmts, err := cxsql.ClusterStatements(m.Statements, TargetDB, ClusterName)
		if err != nil {
			return "", fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		fmt.Fprintf(&b, "-- %04d_%s\n", m.Version, m.Name)
		for _, s := range stmts {
			if s.EachShard {
				b.WriteString("-- on one replica of each shard, not ON CLUSTER\n")
			}
			b.WriteString(s.SQL + ";\n\n")
		}
	}
	return b.String(), nil
}

// ClusterName is the cluster of the cluster-mode statements in the dumps.
const ClusterName = "cxpulse"

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
