// Package gen generates reproducible synthetic customer-service events that
// follow the event contract (docs/EVENTS.md): every event type, for a chain
// of Central European branches with real calendars, with a few branches that
// are deliberately worse at something, and optionally duplicates and
// malformed messages. The demo, the tests of the ingest pipeline and the
// benchmarks use it; Truth says what a correct pipeline must end up holding.
package gen

import (
	"context"
	"fmt"
	"time"

	// The generator must not depend on the host's zoneinfo: a container
	// without it would otherwise fail, or differ, in time.LoadLocation.
	_ "time/tzdata"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// Record is one Kafka message the generator emits.
type Record struct {
	// Key is the message key: Event.Key() of the event, or an id for bad ones.
	Key []byte
	// Value is the message value: for valid events the compact JSON of an
	// event.Event as encoding/json writes it. The emit function may keep Key
	// and Value; they are not reused.
	Value []byte
	// Valid is false for a deliberately malformed message.
	Valid bool
	// Dup marks the second sending of a valid event (same Key and Value).
	Dup bool
	// Type is the type of a valid event, empty for a bad one.
	Type event.Type
	// Reason is the rejection reason a bad message must get from event.Decode.
	Reason event.Reason
}

// Truth is what a Run emitted: what a correct ingest must hold afterwards.
type Truth struct {
	// Types counts unique valid events per type; every type has an entry.
	Types map[event.Type]int
	// Valid is the number of unique valid events, the sum of Types.
	Valid int
	// Dups is the number of valid events sent a second time.
	Dups int
	// Bad counts malformed messages per reason; every reason has an entry.
	Bad map[event.Reason]int
	// BadTotal is the sum of Bad.
	BadTotal int
	// Messages is every record emitted: Valid + Dups + BadTotal.
	Messages int
}

// Branch indexes of the planted differences. Index 0 is always a control
// branch; a difference is planted only when its index is below the number
// of branches, so 5 branches hold all four.
const (
	SlowChatBranch         = 1 // first and next responses on chat SlowChatFactor× slower
	LowNPSBranch           = 2 // half of the survey moods are detractors
	LateAppointmentsBranch = 3 // 60 % of appointments start 15–30 min late
	BrokenCallbacksBranch  = 4 // 45 % of callbacks late, 30 % never made
)

// SlowChatFactor multiplies the chat response times of the slow-chat branch.
const SlowChatFactor = 7

// UnhappyLeaveShare is, in every branch, the chance that a customer who had
// a bad experience there (a detractor answer, a callback made late or never,
// an appointment started late, a ticket never answered or first answered
// after the demo's SLA target) leaves for good right after it: what
// retention by service experience (KPI retention_experience) is there to
// find. The decisions are drawn from a stream of their own and only drop the
// visits of those who left and move their tickets, bookings and callbacks to
// other customers: every other value (times, scores, the planted branches)
// is what it is without them.
const UnhappyLeaveShare = 0.5

// Planted names the branches that differ on purpose; the others are drawn
// from the same distributions. An empty name means the config has too few
// branches for that difference.
type Planted struct {
	SlowChat         string // chat answered SlowChatFactor× slower
	LowNPS           string // many detractors: NPS far below the others
	LateAppointments string // appointments often start 15–30 min late
	BrokenCallbacks  string // most callback promises late or broken
}

// Generator generates the data of one Config. It holds no state between
// runs: every Run emits the same records.
type Generator struct {
	cfg      Config
	start    time.Time
	branches []Branch
	clocks   []clock
	planted  Planted
}

// New validates cfg, applies its defaults and prepares branches and
// calendars. The only I/O is time.LoadLocation, which reads the host's
// zoneinfo and falls back to the embedded copy.
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	g := &Generator{cfg: cfg, start: cfg.End.Add(-time.Duration(cfg.Days) * 24 * time.Hour)}
	// Appointments are booked up to ~3 weeks ahead, so calendars reach past End.
	until := cfg.End.Add(30 * 24 * time.Hour)
	g.branches = makeBranches(cfg.Branches, g.start.AddDate(0, 0, -1), until)
	for _, b := range g.branches {
		loc, err := time.LoadLocation(b.Calendar.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("gen: branch %s: load time zone: %w", b.Name, err)
		}
		g.clocks = append(g.clocks, newClock(b.Calendar, loc, g.start, until))
	}
	name := func(i int) string {
		if i < len(g.branches) {
			return g.branches[i].Name
		}
		return ""
	}
	g.planted = Planted{
		SlowChat:         name(SlowChatBranch),
		LowNPS:           name(LowNPSBranch),
		LateAppointments: name(LateAppointmentsBranch),
		BrokenCallbacks:  name(BrokenCallbacksBranch),
	}
	return g, nil
}

// Config returns the configuration with defaults applied.
func (g *Generator) Config() Config { return g.cfg }

// Start returns the inclusive start of the period, End − Days·24h.
func (g *Generator) Start() time.Time { return g.start }

// Branches returns the branches with their regions and calendars.
func (g *Generator) Branches() []Branch {
	out := make([]Branch, len(g.branches))
	copy(out, g.branches)
	return out
}

// Planted returns which branch carries which planted difference.
func (g *Generator) Planted() Planted { return g.planted }

// Run generates the data and hands every record to emit, in roughly
// occurred_at order with a small share delivered late, as Kafka producers do.
// Events are streamed: memory holds the pending events of the next days,
// never the whole output. An error from emit or ctx stops the run; the Truth
// returned then counts the records handed to emit so far, the refused one
// included.
func (g *Generator) Run(ctx context.Context, emit func(Record) error) (Truth, error) {
	r := newRun(g, emit)
	for k := 0; k < g.cfg.Days; k++ {
		if err := ctx.Err(); err != nil {
			return r.truth, err
		}
		a := r.start + int64(k)*day
		for i := range r.branches {
			r.slot(&r.branches[i], a, a+day)
		}
		if err := r.flush(ctx, k, a+day); err != nil {
			return r.truth, err
		}
	}
	// Late deliveries of the last day, then duplicates still pending.
	if err := r.flush(ctx, g.cfg.Days, never); err != nil {
		return r.truth, err
	}
	return r.truth, nil
}
