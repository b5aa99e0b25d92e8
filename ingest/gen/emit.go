package gen

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// item is a generated event waiting for its turn. It is kept small and
// pointer-free because a few days of events wait in buckets at once; strings
// and JSON are produced only when it is emitted.
type item struct {
	at   int64  // occurred_at, unix ms
	key  int64  // emission order: at, or later for a late delivery
	due  int64  // due_at, unix ms; 0 when none
	seq  uint64 // push order, so that ties sort the same way every run
	id   uint32 // event number within the branch
	tkt  uint32 // ticket number; 0 when none
	cust uint32 // customer number; 0 when none
	ref  uint32 // appointment or callback number; 0 when none
	cent int32  // amount in cents; -1 when none
	br   uint16 // branch index
	agnt uint16 // agent number, 1-based; 0 when none
	typ  uint8  // index into event.Types
	chn  uint8  // index+1 into event.Channels; 0 when none
	prio uint8  // index+1 into event.Priorities; 0 when none
	auth uint8  // 0 none, 1 agent, 2 customer
	scor int8   // survey score; -1 when none
	cmt  uint8  // index+1 into comments; 0 when none
	attr uint8  // index+1 into attributeSets; 0 when none
	loc  bool   // write times in the branch's offset rather than Z
	dup  bool   // the second sending of an event
}

// Indexes into event.Types, which lists the types in contract order.
const (
	tOpened uint8 = iota
	tMessage
	tResolved
	tReopened
	tNPS
	tCSAT
	tCES
	tVisit
	tApptScheduled
	tApptStarted
	tCallbackPromised
	tCallbackCompleted
	tComplaint
	tPending // contract 1.1
	tResumed
)

func less(a, b *item) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return a.seq < b.seq
}

// dupHeap holds second sendings until their delivery time.
type dupHeap []item

func (h dupHeap) Len() int           { return len(h) }
func (h dupHeap) Less(i, j int) bool { return less(&h[i], &h[j]) }
func (h dupHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dupHeap) Push(x any)        { *h = append(*h, x.(item)) }
func (h *dupHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// run is the mutable state of one Generator.Run.
type run struct {
	g          *Generator
	emit       func(Record) error
	start, end int64
	tickets    float64 // tickets per branch and day
	branches   []branchRun
	// buckets[k] holds the events delivered in day k; the last bucket holds
	// late deliveries past End. Stories generated on day k only add events
	// at or after day k, so a day's bucket is complete once its stories are.
	buckets [][]item
	dups    dupHeap
	seq     uint64
	erng    *rand.Rand // duplicates, in emission order
	badRng  *rand.Rand
	badAcc  float64
	badN    int
	ivs     []interval // scratch for a slot's open intervals
	emitted int
	truth   Truth

	// Encoding scratch: the event being written, the targets of its pointer
	// fields, and the encoder with its buffer.
	ev     event.Event
	score  int
	due    time.Time
	amount float64
	buf    bytes.Buffer
	enc    *json.Encoder
}

func newRun(g *Generator, emit func(Record) error) *run {
	r := &run{
		g: g, emit: emit,
		start: g.start.UnixMilli(), end: g.cfg.End.UnixMilli(),
		tickets: g.cfg.TicketsPerBranchDay,
		buckets: make([][]item, g.cfg.Days+1),
		erng:    rand.New(rand.NewPCG(g.cfg.Seed, 0xd0b1e)),
		badRng:  rand.New(rand.NewPCG(g.cfg.Seed, 0xbad)),
		truth:   Truth{Types: map[event.Type]int{}, Bad: map[event.Reason]int{}},
	}
	r.enc = json.NewEncoder(&r.buf)
	for _, t := range event.Types {
		r.truth.Types[t] = 0
	}
	for _, reason := range event.Reasons {
		r.truth.Bad[reason] = 0
	}
	for i := range g.branches {
		r.branches = append(r.branches, newBranchRun(r, i))
	}
	return r
}

// push files an event of branch b for delivery. An event at or after End
// has not happened yet: it is dropped and push reports false, so that the
// story stops there.
// pushSteady is push without drawing from the branch's random stream (in
// the branch's offset, never late): the pending and resumed events of
// contract 1.1 came after the rest of the generator, and drawing for them
// would have changed every event after the first of them.
func (r *run) pushSteady(b *branchRun, it item) bool {
	if it.at >= r.end {
		return false
	}
	b.events++
	it.id, it.br = b.events, uint16(b.idx)
	it.loc = true
	it.key = it.at
	r.seq++
	it.seq = r.seq
	k := min(int((it.key-r.start)/day), len(r.buckets)-1)
	r.buckets[k] = append(r.buckets[k], it)
	return true
}

func (r *run) push(b *branchRun, it item) bool { return r.pushKept(b, it, true) }

// pushKept is push; with keep false the item makes the same draws and takes
// its number but is not sent (the visit of a customer who left: see
// UnhappyLeaveShare), so that every other event stays as it was.
func (r *run) pushKept(b *branchRun, it item, keep bool) bool {
	if it.at >= r.end {
		return false
	}
	b.events++
	it.id, it.br = b.events, uint16(b.idx)
	it.loc = b.rng.IntN(2) == 0
	it.key = it.at
	// About 2 % arrive late, from a minute to a few hours, as when a
	// producer's batch is retried.
	if b.rng.IntN(50) == 0 {
		it.key += int64(lognormal(b.rng, 10*float64(minute), 1.2))
	}
	r.seq++
	it.seq = r.seq
	if keep {
		k := min(int((it.key-r.start)/day), len(r.buckets)-1)
		r.buckets[k] = append(r.buckets[k], it)
	}
	return true
}

// flush emits bucket k in delivery order, interleaving the duplicates due
// before limit.
func (r *run) flush(ctx context.Context, k int, limit int64) error {
	items := r.buckets[k]
	slices.SortFunc(items, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.seq, b.seq))
	})
	for i := range items {
		if err := r.dupsBefore(&items[i]); err != nil {
			return err
		}
		if r.emitted&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := r.send(&items[i]); err != nil {
			return err
		}
	}
	r.buckets[k] = nil
	// The next day's bucket holds only the spill of earlier stories so far;
	// moving it into this day's array spares it growing again. (Handing the
	// array to whichever bucket asks first would park it under a booking two
	// weeks ahead.)
	if next := k + 1; next < len(r.buckets) && cap(r.buckets[next]) < cap(items) {
		r.buckets[next] = append(items[:0], r.buckets[next]...)
	}
	for len(r.dups) > 0 && r.dups[0].key < limit {
		it := heap.Pop(&r.dups).(item)
		if err := r.send(&it); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) dupsBefore(next *item) error {
	for len(r.dups) > 0 && less(&r.dups[0], next) {
		it := heap.Pop(&r.dups).(item)
		if err := r.send(&it); err != nil {
			return err
		}
	}
	return nil
}

// send emits one valid event and, after an original, maybe schedules its
// duplicate and mixes in bad messages.
func (r *run) send(it *item) error {
	rec := r.encode(it)
	r.emitted++
	r.truth.Messages++
	if it.dup {
		r.truth.Dups++
	} else {
		r.truth.Types[rec.Type]++
		r.truth.Valid++
	}
	if err := r.emit(rec); err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	if it.dup {
		return nil
	}
	if cfg := r.g.cfg; cfg.DupRatio > 0 && r.erng.Float64() < cfg.DupRatio {
		d := *it
		d.dup = true
		// Half come straight back (a retried send), half much later (a
		// replayed partition).
		if r.erng.IntN(2) == 0 {
			d.key += r.erng.Int64N(10 * second)
		} else {
			d.key += minute + r.erng.Int64N(3*hour)
		}
		r.seq++
		d.seq = r.seq
		heap.Push(&r.dups, d)
	}
	r.badAcc += r.g.cfg.BadRatio
	for r.badAcc >= 1 {
		r.badAcc--
		rec := r.bad(it.at)
		r.emitted++
		r.truth.Messages++
		r.truth.Bad[rec.Reason]++
		r.truth.BadTotal++
		if err := r.emit(rec); err != nil {
			return fmt.Errorf("emit: %w", err)
		}
	}
	return nil
}
