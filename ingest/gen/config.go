package gen

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults of Config; a zero field means its default.
const (
	DefaultBranches            = 8
	DefaultDays                = 30
	DefaultTicketsPerBranchDay = 40.0
)

// Bounds that keep names, calendars and memory reasonable.
const (
	maxBranches = 1000
	maxDays     = 3660
)

// eventsPerTicket is how many unique valid events one unit of
// TicketsPerBranchDay produces per branch and day, counting the visits,
// appointments and callbacks that scale with it. Measured on the default
// config; TargetEvents divides by it.
const eventsPerTicket = 7.2

// Config says what to generate. A zero field means its default, except End,
// which the caller must set: a generator never reads the wall clock, so that
// the same Config gives the same bytes.
type Config struct {
	// Branches is the number of branches, 1–1000 (default 8). Names cycle
	// through Central European cities: praha-1, brno-1, budapest-1, …,
	// then praha-2.
	Branches int
	// Days is the length of the period in 24-hour days (default 30, at most
	// 3660). Valid events occur in [End − Days·24h, End).
	Days int
	// End is the exclusive end of the period. Required. No valid event occurs
	// at or after End.
	End time.Time
	// Now is the ingest clock the bad in_future messages are aimed at
	// (default End; must not be before End). Those messages are dated
	// Now + 24h, so they are rejected by any ingest that runs before then. Set
	// it to the wall clock when the data is ingested more than a day after End.
	Now time.Time
	// Seed seeds every random choice (default 0, a seed like any other). The
	// same Seed and Config give byte-identical output.
	Seed uint64
	// TicketsPerBranchDay is the mean number of tickets a branch opens per day
	// (default 40; weekends and holidays get fewer). Customer visits,
	// appointments and callbacks scale with it: about 7 valid events result
	// per ticket.
	TicketsPerBranchDay float64
	// TargetEvents, when > 0, overrides TicketsPerBranchDay so that about this
	// many unique valid events are generated (within ~10 %). Memory grows with
	// the events of a few days, not with the total.
	TargetEvents int
	// BadRatio is the number of malformed messages mixed in per unique valid
	// event, 0–1 (default 0). They cycle through every rejection reason of
	// package event.
	BadRatio float64
	// DupRatio is the share of unique valid events sent a second time, with
	// identical key and value, 0–1 (default 0).
	DupRatio float64
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Branches == 0 {
		c.Branches = DefaultBranches
	}
	if c.Days == 0 {
		c.Days = DefaultDays
	}
	if c.Now.IsZero() {
		c.Now = c.End
	}
	if c.TicketsPerBranchDay == 0 {
		c.TicketsPerBranchDay = DefaultTicketsPerBranchDay
	}
	if c.TargetEvents > 0 {
		c.TicketsPerBranchDay = float64(c.TargetEvents) / (float64(c.Branches) * float64(c.Days) * eventsPerTicket)
	}
	return c
}

// Validate reports every invalid field, each error naming its field. Zero
// fields are valid: they mean the default.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("gen config: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Branches < 0 || c.Branches > maxBranches {
		bad("Branches", "must be 1–%d (0 for the default %d), got %d", maxBranches, DefaultBranches, c.Branches)
	}
	if c.Days < 0 || c.Days > maxDays {
		bad("Days", "must be 1–%d (0 for the default %d), got %d", maxDays, DefaultDays, c.Days)
	}
	if c.End.IsZero() {
		bad("End", "required: the exclusive end of the generated period")
	} else if y := c.End.Year(); y < 1971 || y > 9000 {
		bad("End", "year %d out of range 1971–9000", y)
	}
	if !c.Now.IsZero() && !c.End.IsZero() && c.Now.Before(c.End) {
		bad("Now", "%s is before End %s: valid events would lie in the future", c.Now.Format(time.RFC3339), c.End.Format(time.RFC3339))
	}
	if !(c.TicketsPerBranchDay >= 0) || math.IsInf(c.TicketsPerBranchDay, 0) || c.TicketsPerBranchDay > 1e6 {
		bad("TicketsPerBranchDay", "must be 0–1e6, got %v", c.TicketsPerBranchDay)
	}
	if c.TargetEvents < 0 || c.TargetEvents > 2e9 {
		bad("TargetEvents", "must be 0–2e9, got %d", c.TargetEvents)
	}
	if !(c.BadRatio >= 0 && c.BadRatio <= 1) {
		bad("BadRatio", "must be 0–1, got %v", c.BadRatio)
	}
	if !(c.DupRatio >= 0 && c.DupRatio <= 1) {
		bad("DupRatio", "must be 0–1, got %v", c.DupRatio)
	}
	return errors.Join(errs...)
}
