package kpi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ErrFenced means a newer scheduler generation has written since this one
// started: this process was deposed (its leadership passed to another
// process) and must not write over the newer leader's snapshots or folds.
var ErrFenced = errors.New("a newer scheduler generation has taken over")

// generationShift places the scheduler generation above the milliseconds in
// a fold version (ticket_facts.folded_ms, ticket_fact_folds.written_ms):
// 2^42 ms reach the year 2109, and 2^22 generations are four million
// leadership changes. So ReplacingMergeTree's version, FINAL, the engine's
// "newest fold of a ticket" and the fold state all let the newest
// generation win whatever the hosts' clocks say, and rows written before
// generations existed (generation 0) are plain milliseconds, as before.
const generationShift = 42

// MaxGeneration is the largest generation a fold version can carry.
const MaxGeneration = 1<<(64-generationShift) - 1

// versionMs is the fold instant (ms) of a fold version.
func versionMs(v uint64) uint64 { return v & (1<<generationShift - 1) }

// versionGeneration is the scheduler generation of a fold version.
func versionGeneration(v uint64) uint64 { return v >> generationShift }

// foldVersion is the version of a fold started at t by generation g.
func foldVersion(g uint64, t time.Time) uint64 { return g<<generationShift | uint64(t.UnixMilli()) }

// WithGeneration makes the engine write its folds as scheduler generation g
// and refuse (ErrFenced) to fold once the fold state carries a newer one:
// what the elected scheduler does (metrics/leader). Without it the engine
// folds under the newest generation it finds, without refusing: reports,
// the API and backfills, which run beside the scheduler as before.
func (e *Engine) WithGeneration(g uint64) *Engine {
	e.generation, e.fenced = g, true
	return e
}

// ReadOnly makes the engine read the kept ticket facts as the scheduler
// last folded them, never folding itself: the API, the page and the
// standbys' branch screen of a process that is not the elected scheduler,
// so that one process writes the facts (a fold racing the scheduler's memo
// read could hide a ticket's change from it, docs/KPI-ENGINE.md). Their
// numbers miss the ticket events ingested since the scheduler's last fold
// (at most the sla_now job's interval while a leader runs).
func (e *Engine) ReadOnly() *Engine {
	e.readOnly = true
	return e
}

// WithGeneration makes the store write snapshots as scheduler generation g
// and refuse (ErrFenced) once a newer generation has written one of the
// same job (see Engine.WithGeneration).
func (s *Snapshots) WithGeneration(g uint64) *Snapshots {
	s.generation, s.fenced = g, true
	return s
}

// writeGeneration is the generation the engine writes a fold as, given the
// fold state it read, or ErrFenced.
func (e *Engine) writeGeneration(st foldState) (uint64, error) {
	stored := versionGeneration(st.written)
	if !e.fenced {
		return max(stored, e.generation), nil
	}
	if stored > e.generation {
		return 0, fmt.Errorf("fold ticket facts as generation %d, found generation %d: %w", e.generation, stored, ErrFenced)
	}
	return e.generation, nil
}

// StoredGeneration returns the newest scheduler generation that wrote a
// snapshot or a fold in database (0 when none did). A new leader takes a
// generation above it, so that generations only grow even when the
// coordination group's own counter starts again (metrics/leader).
func StoredGeneration(ctx context.Context, conn driver.Conn, database string) (uint64, error) {
	db := "`" + database + "`"
	var snap, fold uint64
	if err := conn.QueryRow(ctx, "SELECT max(generation) FROM "+db+".kpi_snapshot_runs").Scan(&snap); err != nil {
		return 0, fmt.Errorf("newest snapshot generation: %w", err)
	}
	if err := conn.QueryRow(ctx, "SELECT max(written_ms) FROM "+db+".ticket_fact_folds").Scan(&fold); err != nil {
		return 0, fmt.Errorf("newest fold generation: %w", err)
	}
	return max(snap, versionGeneration(fold)), nil
}

// checkFence refuses a fenced store's write when a newer generation has
// written a snapshot of job. ClickHouse has no transactions, so a write can
// still race a new leader's first one by a round trip; readers then take
// the newest generation's copy of an as_of (Read), and the deposed
// process's runs are cancelled as soon as it learns it lost the lead.
//
// Only the last day before asOf is read, so that the check costs the same
// whatever the history: a newer leader writes as of its own now, and hosts'
// clocks are not a day apart.
func (s *Snapshots) checkFence(ctx context.Context, job string, asOf time.Time) error {
	if !s.fenced {
		return nil
	}
	var newest uint64
	if err := s.conn.QueryRow(ctx, "SELECT max(generation) FROM "+s.table("kpi_snapshot_runs")+" WHERE job = ? AND as_of >= toDateTime(?)",
		job, asOf.Add(-24*time.Hour).Unix()).Scan(&newest); err != nil {
		return fmt.Errorf("snapshot %s: fence: %w", job, err)
	}
	if newest > s.generation {
		return fmt.Errorf("snapshot %s as generation %d, found generation %d: %w", job, s.generation, newest, ErrFenced)
	}
	return nil
}
