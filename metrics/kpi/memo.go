package kpi

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ticketsSince narrows a read of the kept ticket facts to what may differ
// from what was computed at an earlier as_of (the zero value: everything).
type ticketsSince struct {
	version uint64      // folds up to this one were read then
	asOf    uint64      // the earlier as_of (ms): tickets opened since are new
	keys    []ticketKey // tickets whose facts held instants after it
}

func (s ticketsSince) keySet() clickhouse.GroupSet {
	vals := []any{uint64(0)} // IN () is not SQL; no ticket id hashes to 0 in practice
	for _, k := range s.keys {
		vals = append(vals, k.h) // a few more rows when the first hashes collide, never fewer
	}
	return clickhouse.GroupSet{Value: vals}
}

// maxMemoFutureKeys bounds the tickets re-read by key on every run; with more
// (clocks far apart), the memo is not kept.
const maxMemoFutureKeys = 10_000

// ticketMemo is what the last scheduled tickets run computed, so that the
// next one (a later as_of, same parameters) reads and computes only the
// tickets that may have changed: those folded or opened since, and those
// whose facts held instants after the last as_of. A settled ticket
// (resolved, first answered, every SLA target met or breached, no instant
// after as_of) keeps its result as long as its facts do not change; the
// others are recomputed from their facts on every run, because their
// outcome depends on as_of.
type ticketMemo struct {
	memoScope                // from: the longest window's start then
	results   []ticketResult // every ticket opened in [from, asOf), fine left to each run
	groups    []*ticketGroup // parallel to results
	next      []float64      // the next-response samples results refer to
	open      map[ticketKey]*ticketFact
	future    []ticketKey
}

// memoScope is what a memo was computed for.
type memoScope struct {
	params  string // the parameters' identity (memoKey)
	asOf    uint64 // ms
	from    uint64 // the start (ms) of the span it covers
	version uint64 // the fold state the run read after
}

func newMemoScope(p Params, s span, version uint64) memoScope {
	return memoScope{params: memoKey(p), asOf: uint64(s.toMs()), from: uint64(s.fromMs()), version: version}
}

// serves reports whether a run with p over s can start from the memo: same
// parameters, as_of and the span's start not earlier.
func (m *memoScope) serves(p Params, s span) bool {
	return m.params == memoKey(p) && m.asOf <= uint64(s.toMs()) && m.from <= uint64(s.fromMs())
}

// since is the read that brings the memo up to date: the tickets folded or
// opened since it, and those with the given keys.
func (m *memoScope) since(keys []ticketKey) ticketsSince {
	return ticketsSince{version: m.version, asOf: m.asOf, keys: keys}
}

// keepNewest puts t (copied) into byKey unless a newer fold of it is there.
func keepNewest(byKey map[ticketKey]*ticketFact, t *ticketFact) {
	if prev := byKey[t.key]; prev == nil || newer(t.version, t.gone, prev.version, prev.gone) {
		byKey[t.key] = t.clone()
	}
}

// memoKey identifies the parameters a memo is valid for: the business
// calendars and policies that results depend on, and the windows.
func memoKey(p Params) string {
	return fmt.Sprintf("%p|%v|%v|%v|%v", p.Calendars, p.Policies, p.Windows, p.BurnWindows, p.TicketLookback)
}

// ticketResults computes the result of every ticket opened in the longest
// window (results refer to next for their next-response samples). A
// scheduled run reuses the last scheduled run's memo when it can.
func (e *Engine) ticketResults(ctx context.Context, r *run, fine *fineGroups) ([]ticketResult, []float64, error) {
	p := r.p
	s := windowSpan(p, longestWindow(p.Windows))
	from := uint64(s.fromMs())
	look := s.from.Add(-p.TicketLookback)
	kept, err := e.useTicketFacts(ctx, r, look)
	if err != nil {
		return nil, nil, err
	}
	var memo *ticketMemo
	if r.scheduled && kept {
		e.memoMu.Lock()
		defer e.memoMu.Unlock()
		if m := e.memo; m != nil && m.serves(p, s) {
			memo = m
		}
	}
	since := ticketsSince{}
	if memo != nil {
		since = memo.since(memo.future)
	}

	// a group's finest group, remembered on the group for this run: a map
	// lookup per ticket was a sizeable share of a memo run
	fineID := func(g *ticketGroup) int32 {
		if g.fineOf != fine {
			g.fineOf, g.fine = fine, fine.id(r.g.values(g.branch, g.channel, g.team, g.agent, g.priority))
		}
		return g.fine
	}
	// sized as the last run's: growing slices of a million tickets was a
	// sizeable share of a refresh
	results := make([]ticketResult, 0, e.ticketsSeen.Load())
	groups := make([]*ticketGroup, 0, cap(results))
	next := make([]float64, 0, e.samplesSeen.Load()) // every ticket's next-response samples, each ticket's together
	open := map[ticketKey]*ticketFact{}
	add := func(t *ticketFact) ticketResult {
		if t.gone {
			res := ticketResult{key: t.key, version: t.version, gone: true, settled: true, policy: -1}
			results = append(results, res)
			groups = append(groups, t.dims)
			return res
		}
		res := r.ticketResult(t, fineID(t.dims))
		res.settled = settled(&res, t)
		start := len(next)
		next = r.nextResponses(t, next)
		res.next = [2]int32{int32(start), int32(len(next))}
		results = append(results, res)
		groups = append(groups, t.dims)
		return res
	}
	fresh := map[ticketKey]bool{}
	err = e.eachTicket(ctx, r, s, ticketsVersions, since, func(t *ticketFact) {
		res := add(t)
		if memo != nil {
			fresh[t.key] = true
		}
		if !res.settled {
			keepNewest(open, t)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	// several folds of a ticket not yet merged away: the newest counts
	results, groups = newestVersions(results, groups)
	if memo != nil {
		for i := range memo.results {
			old := &memo.results[i]
			if old.opened < from || (len(fresh) > 0 && fresh[old.key]) {
				continue // out of the window now, or read again
			}
			if !old.settled {
				t := memo.open[old.key]
				if res := add(t); !res.settled {
					open[t.key] = t
				}
				continue
			}
			res := *old
			res.fine = fineID(memo.groups[i])
			start := len(next)
			next = append(next, memo.next[old.next[0]:old.next[1]]...)
			res.next = [2]int32{int32(start), int32(len(next))}
			results = append(results, res)
			groups = append(groups, memo.groups[i])
		}
	}
	e.ticketsSeen.Store(int64(len(results)))
	e.samplesSeen.Store(int64(len(next)))
	if r.scheduled && kept {
		e.memo = newTicketMemo(newMemoScope(p, s, r.folds.folded), results, groups, next, open)
	}
	return results, next, nil
}

// settled reports whether a ticket's result can no longer change while its
// facts do not: everything it is measured by has happened, before as_of.
func settled(res *ticketResult, t *ticketFact) bool {
	if t.future != 0 || !res.resolved || t.firstResponse == 0 {
		return false
	}
	for _, o := range res.sla {
		if o == slaPending {
			return false
		}
	}
	return true
}

func newTicketMemo(scope memoScope, results []ticketResult, groups []*ticketGroup, next []float64, open map[ticketKey]*ticketFact) *ticketMemo {
	m := &ticketMemo{memoScope: scope, results: results, groups: groups, next: next, open: map[ticketKey]*ticketFact{}}
	for i := range results {
		res := &results[i]
		if res.settled {
			continue
		}
		if t := open[res.key]; t != nil && t.version == res.version {
			m.open[res.key] = t
		} else {
			return nil // an unsettled ticket without its facts: compute all next time
		}
		if res.future {
			m.future = append(m.future, res.key)
		}
	}
	if len(m.future) > maxMemoFutureKeys {
		return nil
	}
	return m
}

// clone copies t, whose slices eachTicket reuses.
func (t *ticketFact) clone() *ticketFact {
	c := *t
	c.agentMs = append([]uint64(nil), t.agentMs...)
	c.customerMs = append([]uint64(nil), t.customerMs...)
	c.pendingMs = append([]uint64(nil), t.pendingMs...)
	c.resumedMs = append([]uint64(nil), t.resumedMs...)
	return &c
}

// openMemo is what the last scheduled breaching-now run found: the facts of
// the tickets still waiting then. A ticket stops waiting, or starts, only
// with a new fold (an agent's reply, a resolution, an opening), so the next
// run (a later as_of, same parameters) reads only the tickets folded or
// opened since and those whose facts held instants after the last as_of.
type openMemo struct {
	memoScope // from: the breaching lookback's start then
	facts     map[ticketKey]*ticketFact
}

// waiting reports whether a ticket still waits for a first response or a
// resolution (what tickets_facts_open selects).
func (t *ticketFact) waiting() bool { return t.firstResponse == 0 || t.resolved == 0 }

// eachOpenTicket calls fn with the facts of every ticket opened in s that
// still waits for a first response or a resolution, in no fixed order. A
// scheduled run reuses the last one's waiting tickets (openMemo).
func (e *Engine) eachOpenTicket(ctx context.Context, r *run, s span, fn func(t *ticketFact)) error {
	p := r.p
	kept, err := e.useTicketFacts(ctx, r, s.from.Add(-p.TicketLookback))
	if err != nil {
		return err
	}
	if !r.scheduled || !kept {
		return e.eachTicket(ctx, r, s, ticketsOpen, ticketsSince{}, fn)
	}
	e.memoMu.Lock()
	defer e.memoMu.Unlock()
	from := uint64(s.fromMs())
	waiting := map[ticketKey]*ticketFact{}
	if m := e.openMemo; m != nil && m.serves(p, s) {
		var future []ticketKey
		for k, t := range m.facts {
			if t.future != 0 {
				future = append(future, k)
			}
		}
		// every fold of the tickets that changed; the newest counts
		changed := map[ticketKey]*ticketFact{}
		since := m.since(future)
		err := e.eachTicket(ctx, r, s, ticketsVersions, since, func(t *ticketFact) {
			keepNewest(changed, t)
		})
		if err != nil {
			return err
		}
		for k, t := range m.facts {
			if changed[k] == nil && t.opened >= from {
				waiting[k] = t
			}
		}
		for k, t := range changed {
			if t.waiting() && !t.gone {
				waiting[k] = t
			}
		}
	} else {
		err := e.eachTicket(ctx, r, s, ticketsOpen, ticketsSince{}, func(t *ticketFact) {
			waiting[t.key] = t.clone()
		})
		if err != nil {
			return err
		}
	}
	e.openMemo = &openMemo{memoScope: newMemoScope(p, s, r.folds.folded), facts: waiting}
	for _, t := range waiting {
		fn(t)
	}
	return nil
}
