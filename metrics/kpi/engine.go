package kpi

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rs/zerolog"

	cxsql "github.com/cxpulse/cxpulse/sql"
)

// Engine computes KPI rows in ClickHouse. Every aggregation over events runs
// there (sql/kpi/*.sql); Go receives per-group counts, or per-ticket and
// per-appointment facts on which it does business-time arithmetic.
type Engine struct {
	conn        driver.Conn
	database    string
	log         zerolog.Logger
	scanOnly    bool
	foldOverlap time.Duration
	foldMu      sync.Mutex // one fold of ticket_facts at a time
	// the tickets and next-response samples of the last tickets job, to
	// size the next one's slices
	ticketsSeen, samplesSeen atomic.Int64
	memoMu                   sync.Mutex
	memo                     *ticketMemo // the last scheduled tickets run's results
	openMemo                 *openMemo   // the last scheduled breaching-now run's waiting tickets
	// rewrites a query's text before it runs: nil in the product; a test
	// seam (export_test.go) that makes id hashes collide on purpose
	rewrite func(string) string
}

// NewEngine returns an engine over the events of database. It does no I/O.
func NewEngine(conn driver.Conn, database string) *Engine {
	return &Engine{conn: conn, database: database, log: zerolog.Nop(), foldOverlap: FoldOverlap}
}

// WithLogger makes the engine log each query and KPI family it runs, with
// its duration, at debug level (`--log-level debug`: where a refresh spends
// its time).
func (e *Engine) WithLogger(log zerolog.Logger) *Engine {
	e.log = log
	return e
}

// ScanOnly makes the engine group ticket events on every query instead of
// reading the facts kept in ticket_facts: the reference path the tests hold
// the kept facts to.
func (e *Engine) ScanOnly() *Engine {
	e.scanOnly = true
	return e
}

// The KPI families, in the order Compute runs them.
var families = []struct {
	kpis []string
	run  func(e *Engine, ctx context.Context, r *run) ([]Row, error)
}{
	{[]string{NPS, CSAT, CES, Complaints}, (*Engine).surveys},
	{[]string{FirstResponse, NextResponse, Resolution, Reopen, FCR, Volume, SLA, SLADecisions, Pending, Complaints}, (*Engine).tickets},
	{[]string{SLANow}, (*Engine).slaNow},
	{[]string{Retention, Experience}, (*Engine).retention},
	{[]string{Cohort}, (*Engine).cohorts},
	{[]string{Punctuality, PromiseKept}, (*Engine).promises},
}

// Compute returns the rows of the named KPIs (all when kpis is empty) for p.
func (e *Engine) Compute(ctx context.Context, p Params, kpis ...string) ([]Row, error) {
	return e.compute(ctx, p, false, kpis...)
}

// compute is Compute; scheduled says that p.AsOf only moves forward from one
// call to the next (a scheduled job, a backfill), so that the tickets KPIs
// may reuse what the last call computed (ticketMemo).
func (e *Engine) compute(ctx context.Context, p Params, scheduled bool, kpis ...string) ([]Row, error) {
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, k := range kpis {
		if _, ok := Fields[k]; !ok {
			return nil, fmt.Errorf("unknown kpi %q (known: %v)", k, Names())
		}
		want[k] = true
	}
	if len(want) == 0 {
		for k := range Fields {
			want[k] = true
		}
	}
	r := &run{p: p, want: want, g: grouping{by: p.By, regions: p.Regions}, complaints: map[string]*table{}, scheduled: scheduled}
	for _, w := range p.BurnWindows {
		r.longestBurn = max(r.longestBurn, w.Duration)
	}
	var out []Row
	for _, f := range families {
		needed := false
		for _, k := range f.kpis {
			needed = needed || want[k]
		}
		if !needed {
			continue
		}
		t0 := time.Now()
		rows, err := f.run(e, ctx, r)
		e.log.Debug().Strs("kpis", f.kpis).Int("rows", len(rows)).Dur("took", time.Since(t0)).Msg("kpi family computed")
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	if want[Complaints] {
		out = append(out, r.complaintRows()...)
	}
	SortRows(out)
	return out, nil
}

// run is the state of one Compute: its parameters, the KPIs wanted, and the
// complaint counts, which join survey-like events with ticket counts.
type run struct {
	p           Params
	longestBurn time.Duration
	want        map[string]bool
	g           grouping
	complaints  map[string]*table // by window label
	scheduled   bool              // as_of only moves forward between runs (see compute)
	folded      bool              // ticket facts were refreshed in this run
	folds       foldState         // and their state after
}

func (r *run) complaint(window string) *table {
	t, ok := r.complaints[window]
	if !ok {
		t = newTable(Complaints, window)
		r.complaints[window] = t
	}
	return t
}

func (r *run) complaintRows() []Row {
	var out []Row
	for _, w := range r.p.Windows {
		t, ok := r.complaints[w.Label]
		if !ok {
			continue
		}
		out = append(out, t.rows(r.p, func(_ Labels, c *cell) map[string]float64 {
			n, opened := c.sum("complaints"), c.sum("tickets_opened")
			if n == 0 && opened == 0 {
				return nil
			}
			v := map[string]float64{"complaints": n, "tickets_opened": opened}
			ratio(v, "per_100_tickets", 100*n, opened)
			return v
		})...)
	}
	return out
}

// query runs the embedded query (a form of cxsql.KPIVariants, by label)
// with args and calls scan for each row.
func (e *Engine) query(ctx context.Context, name string, scan func(driver.Rows) error, args ...any) error {
	q, err := e.statement(name)
	if err != nil {
		return err
	}
	t0 := time.Now()
	defer func() { e.log.Debug().Str("query", name).Dur("took", time.Since(t0)).Msg("kpi query done") }()
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("kpi query %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("kpi query %s: scan: %w", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("kpi query %s: %w", name, err)
	}
	return nil
}

// statement is the embedded query or statement under label name.
func (e *Engine) statement(name string) (string, error) {
	q, err := cxsql.KPIVariantQuery(name, e.database)
	if err != nil || e.rewrite == nil {
		return q, err
	}
	return e.rewrite(q), nil
}

// exec runs the embedded statement (by label, like query) with args.
func (e *Engine) exec(ctx context.Context, name string, args ...any) error {
	q, err := e.statement(name)
	if err != nil {
		return err
	}
	t0 := time.Now()
	defer func() { e.log.Debug().Str("query", name).Dur("took", time.Since(t0)).Msg("kpi statement done") }()
	if err := e.conn.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("kpi statement %s: %w", name, err)
	}
	return nil
}

// span is a half-open interval of instants in the forms the queries bind:
// whole seconds for partition and primary-key pruning, milliseconds for the
// exact bounds.
type span struct{ from, to time.Time }

func (s span) fromS() int64  { return s.from.Unix() }
func (s span) toS() int64    { return s.to.UnixMilli() / 1000 } // inclusive coarse bound
func (s span) fromMs() int64 { return s.from.UnixMilli() }
func (s span) toMs() int64   { return s.to.UnixMilli() }

func windowSpan(p Params, w Window) span {
	return span{from: p.AsOf.Add(-w.Duration), to: p.AsOf}
}

// longestWindow is the window that contains every other one.
func longestWindow(ws []Window) Window {
	longest := ws[0]
	for _, w := range ws {
		if w.Duration > longest.Duration {
			longest = w
		}
	}
	return longest
}

// tuple binds a list as a tuple literal, ('a', 'b'): `x IN ?` with it is
// answered from the primary key, where has([...], x) reads every row.
func tuple(xs []string) clickhouse.GroupSet {
	vals := make([]any, len(xs))
	for i, x := range xs {
		vals[i] = x
	}
	return clickhouse.GroupSet{Value: vals}
}

func msTime(ms uint64) time.Time { return time.UnixMilli(int64(ms)).UTC() }
