package kpi

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// FoldOverlap is how far before the previous fold's start an incremental
// fold looks for newly ingested events. Ingest stamps ingested_at when an
// insert opens and an insert stays open at most its batch interval plus its
// timeout (ingest.Config.BatchInterval + InsertTimeout, 1 s + 60 s by default,
// refused past FoldOverlap less 30 s by cmd/cxpulse/config), so rows that were still in
// flight when the previous fold ran are found by the next one; the rest is
// room for clock skew between the ingest and KPI hosts.
const FoldOverlap = 2 * time.Minute

// WithFoldOverlap sets how far before the previous fold's start an
// incremental fold looks for new events (FoldOverlap by default; tests set
// 0 to see that only the new events' tickets are refolded).
func (e *Engine) WithFoldOverlap(d time.Duration) *Engine {
	e.foldOverlap = d
	return e
}

// foldState is the newest row of ticket_fact_folds: ticket_facts holds every
// ticket opened at or after from, with its events ingested before folded.
type foldState struct {
	folded, from uint64 // ms
	written      uint64 // the row's version: generation and instant (fence.go)
	version      uint64 // of the rows the last fold wrote (ticket_facts.folded_ms)
	ok           bool   // a fold has happened
}

func (s foldState) covers(from time.Time) bool {
	return s.ok && s.from <= uint64(from.UnixMilli())
}

// TicketFactsFrom is the opening instant from which the scheduled jobs need
// ticket facts as of asOf: the longest window (or breaching lookback) and
// the ticket lookback before it.
func TicketFactsFrom(p Params, asOf time.Time) time.Time {
	p = p.WithDefaults()
	longest := longestWindow(p.Windows).Duration
	longest = max(longest, p.BreachingLookback.Duration)
	return asOf.Add(-longest - p.TicketLookback)
}

// EnsureTicketFacts makes ticket_facts complete for every ticket opened at or
// after from. When the facts already reach back that far it only moves the
// covered range's start forward (a later start is always true of them), so
// that incremental folds keep reading a range as long as the windows, not
// the whole history; otherwise it folds every ticket from there (a full
// fold: once after migrating, or for a backfill further back).
func (e *Engine) EnsureTicketFacts(ctx context.Context, from time.Time) error {
	e.foldMu.Lock()
	defer e.foldMu.Unlock()
	st, err := e.foldState(ctx)
	if err != nil {
		return err
	}
	gen, err := e.writeGeneration(st)
	if err != nil {
		return err
	}
	fromMs := uint64(from.UnixMilli())
	if st.covers(from) {
		if fromMs-st.from < uint64(time.Hour.Milliseconds()) {
			return nil // not worth a row per tick
		}
		return e.recordFold(ctx, gen, st.folded, fromMs, false)
	}
	started := time.Now()
	if err := e.exec(ctx, "ticket_fold_full", fullFold(foldVersion(gen, started), from)); err != nil {
		return err
	}
	if err := e.buryMoved(ctx, foldVersion(gen, started)); err != nil {
		return err
	}
	e.log.Info().Time("from", from).Dur("took", time.Since(started)).Uint64("generation", gen).Msg("ticket facts folded in full")
	return e.recordFold(ctx, gen, uint64(started.UnixMilli()), fromMs, true)
}

// refreshTicketFacts folds the tickets that received events since the last
// fold, and returns the state after it. Without any fold yet, it does nothing:
// the caller reads the events instead.
func (e *Engine) refreshTicketFacts(ctx context.Context) (foldState, error) {
	e.foldMu.Lock()
	defer e.foldMu.Unlock()
	st, err := e.foldState(ctx)
	if err != nil || !st.ok {
		return st, err
	}
	gen, err := e.writeGeneration(st)
	if err != nil {
		return st, err
	}
	started := time.Now()
	since := msTime(st.folded).Add(-e.foldOverlap)
	from := msTime(st.from)
	var touched uint64
	if err := e.query(ctx, "ticket_touched", ticketTouchedArgs{ticketTouchedIDsArgs{from, since}}, func(r driver.Rows) error { return r.Scan(&touched) }); err != nil {
		return st, err
	}
	if touched > 0 {
		if err := e.exec(ctx, "ticket_fold_touched", touchedFold(foldVersion(gen, started), from, since)); err != nil {
			return st, err
		}
		if err := e.buryMoved(ctx, foldVersion(gen, started)); err != nil {
			return st, err
		}
	}
	st.folded, st.version = uint64(started.UnixMilli()), foldVersion(gen, started)
	return st, e.recordFold(ctx, gen, st.folded, st.from, false)
}

// buryMoved writes a tombstone over the older folds of the tickets of fold
// version whose opening moved to another month (ticket_fold_tombstones.sql):
// their old rows sit in another partition, which merges never compare with
// the new one, and a read of the later month only finds the old row.
func (e *Engine) buryMoved(ctx context.Context, version uint64) error {
	return e.exec(ctx, "ticket_fold_tombstones", ticketFoldTombstonesArgs{version})
}

func (e *Engine) foldState(ctx context.Context) (foldState, error) {
	var st foldState
	err := e.query(ctx, "ticket_fold_state", ticketFoldStateArgs{}, func(r driver.Rows) error {
		st.ok = true
		return r.Scan(&st.folded, &st.from, &st.written)
	})
	return st, err
}

// recordFold writes the fold state as generation gen: its version puts the
// generation first, so that a deposed leader's late row never becomes the
// state (fence.go).
func (e *Engine) recordFold(ctx context.Context, gen, folded, from uint64, full bool) error {
	return e.exec(ctx, "ticket_fold_done", ticketFoldDoneArgs{written: foldVersion(gen, time.Now()), folded: folded, from: from, full: full})
}

// useTicketFacts reports whether the tickets opened from `need` on can be
// read from ticket_facts, after folding in what arrived since the last fold
// (once per Compute).
func (e *Engine) useTicketFacts(ctx context.Context, r *run, need time.Time) (bool, error) {
	if e.scanOnly {
		return false, nil
	}
	if !r.folded && e.readOnly {
		st, err := e.foldState(ctx)
		if err != nil {
			return false, fmt.Errorf("ticket fact state: %w", err)
		}
		r.folds, r.folded = st, true
	}
	if !r.folded {
		st, err := e.refreshTicketFacts(ctx)
		if err != nil {
			return false, fmt.Errorf("fold ticket facts: %w", err)
		}
		r.folds, r.folded = st, true
	}
	return r.folds.covers(need), nil
}
