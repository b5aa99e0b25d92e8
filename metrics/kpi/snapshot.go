package kpi

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Snapshots stores KPI result sets in ClickHouse (kpi_snapshots, written by
// jobs and backfills) and reads them back for the Prometheus exposition and
// for dashboards.
type Snapshots struct {
	conn       driver.Conn
	database   string
	generation uint64 // the scheduler generation written with each snapshot (fence.go)
	fenced     bool   // refuse to write under a newer generation
}

// NewSnapshots returns a store in database. It does no I/O.
func NewSnapshots(conn driver.Conn, database string) *Snapshots {
	return &Snapshots{conn: conn, database: database}
}

func (s *Snapshots) table(name string) string { return "`" + s.database + "`." + name }

// Write stores the rows of one job run, then marks the run complete. Writing
// the same job and as_of again replaces the earlier rows; of two scheduler
// generations that wrote one as_of, readers take the newer's. A fenced store
// refuses (ErrFenced) when a newer generation has written a snapshot of job.
func (s *Snapshots) Write(ctx context.Context, job string, asOf time.Time, rows []Row, took time.Duration) error {
	if err := s.checkFence(ctx, job, asOf); err != nil {
		return err
	}
	now := time.Now().UTC()
	asOfS, asOfMs := asOf.UTC().Truncate(time.Second), uint16(asOf.UnixMilli()%1000)
	if len(rows) > 0 {
		batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("kpi_snapshots")+
			" (job, as_of, as_of_ms, kpi, win, branch, channel, region, team, agent, priority, policy, target, cohort, k, field_names, field_values, computed_at, generation)")
		if err != nil {
			return fmt.Errorf("snapshot %s: prepare: %w", job, err)
		}
		for _, r := range rows {
			names := make([]string, 0, len(r.Values))
			for n := range r.Values {
				names = append(names, n)
			}
			sort.Strings(names)
			vals := make([]float64, len(names))
			for i, n := range names {
				vals[i] = r.Values[n]
			}
			l := r.Labels
			if err := batch.Append(job, asOfS, asOfMs, r.KPI, r.Window, l.Branch, l.Channel, l.Region, l.Team, l.Agent,
				l.Priority, l.Policy, l.Target, l.Cohort, uint8(l.K), names, vals, now, s.generation); err != nil {
				_ = batch.Abort()
				return fmt.Errorf("snapshot %s: append: %w", job, err)
			}
		}
		if err := batch.Send(); err != nil {
			return fmt.Errorf("snapshot %s: insert %d rows: %w", job, len(rows), err)
		}
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("kpi_snapshot_runs")+" (job, as_of, as_of_ms, rows, duration_ms, computed_at, generation)")
	if err != nil {
		return fmt.Errorf("snapshot %s: prepare run marker: %w", job, err)
	}
	if err := batch.Append(job, asOfS, asOfMs, uint32(len(rows)), uint32(took.Milliseconds()), now, s.generation); err != nil {
		_ = batch.Abort()
		return fmt.Errorf("snapshot %s: run marker: %w", job, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("snapshot %s: run marker: %w", job, err)
	}
	return nil
}

// Latest returns the as_of of the newest complete snapshot of job, or false
// when there is none.
func (s *Snapshots) Latest(ctx context.Context, job string) (time.Time, bool, error) {
	var n uint64
	var asOf time.Time
	var ms uint16
	err := s.conn.QueryRow(ctx, "SELECT count(), max(as_of), argMax(as_of_ms, (as_of, as_of_ms)) FROM "+s.table("kpi_snapshot_runs")+" WHERE job = ?", job).
		Scan(&n, &asOf, &ms)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("latest snapshot of %s: %w", job, err)
	}
	if n == 0 {
		return time.Time{}, false, nil
	}
	return asOf.Add(time.Duration(ms) * time.Millisecond).UTC(), true, nil
}

// Read returns the rows of job's snapshot at asOf: those of the newest
// scheduler generation that completed it (a deposed leader's copy of the
// same as_of, written late, is not read, and its groups do not mix in).
func (s *Snapshots) Read(ctx context.Context, job string, asOf time.Time) ([]Row, error) {
	sec, ms := asOf.Unix(), uint16(asOf.UnixMilli()%1000)
	rows, err := s.conn.Query(ctx, "SELECT kpi, win, branch, channel, region, team, agent, priority, policy, target, cohort, k, "+
		"argMax(field_names, computed_at), argMax(field_values, computed_at) FROM "+s.table("kpi_snapshots")+
		" WHERE job = ? AND as_of = toDateTime(?) AND as_of_ms = ?"+
		" AND generation = (SELECT max(generation) FROM "+s.table("kpi_snapshot_runs")+" WHERE job = ? AND as_of = toDateTime(?) AND as_of_ms = ?)"+
		" GROUP BY kpi, win, branch, channel, region, team, agent, priority, policy, target, cohort, k",
		job, sec, ms, job, sec, ms)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s at %s: %w", job, asOf.Format(time.RFC3339), err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var k uint8
		var names []string
		var vals []float64
		l := &r.Labels
		if err := rows.Scan(&r.KPI, &r.Window, &l.Branch, &l.Channel, &l.Region, &l.Team, &l.Agent, &l.Priority,
			&l.Policy, &l.Target, &l.Cohort, &k, &names, &vals); err != nil {
			return nil, fmt.Errorf("read snapshot %s: %w", job, err)
		}
		l.K = int(k)
		r.AsOf = asOf
		r.Values = make(map[string]float64, len(names))
		for i, n := range names {
			r.Values[n] = vals[i]
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", job, err)
	}
	SortRows(out)
	return out, nil
}

// Has reports whether job has a complete snapshot at asOf (a backfill that
// is re-run skips those).
func (s *Snapshots) Has(ctx context.Context, job string, asOf time.Time) (bool, error) {
	var n uint64
	err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table("kpi_snapshot_runs")+
		" WHERE job = ? AND as_of = toDateTime(?) AND as_of_ms = ?", job, asOf.Unix(), uint16(asOf.UnixMilli()%1000)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("snapshot %s at %s: %w", job, asOf.Format(time.RFC3339), err)
	}
	return n > 0, nil
}
