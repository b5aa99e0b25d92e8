// Package calendar owns business hours: the opening hours, time zone and
// holidays of a branch (the calendars section of docs/KPIS.md), and the
// business seconds that response and resolution times are measured in.
//
// # What is open
//
// The open time of a calendar is the union, over every local date that is
// not a holiday, of the intervals [time.Date(date, from), time.Date(date, to))
// of its weekday. Interval boundaries are local wall-clock times turned into
// instants by time.Date, exactly as the data generator (ingest/gen) does, and
// the open part of a span is then measured in real elapsed time:
//
//   - On a spring-forward day the missing hour is not open: 01:00-04:00 in
//     Europe/Prague on 2026-03-29 is 2h long. A boundary inside the gap
//     (02:30) is moved forward by the length of the gap (to 03:30 CEST), as
//     time.Date normalises it, so 02:00-02:30 is open 03:00-03:30 CEST; an
//     interval that ends up reversed (02:30-03:00) is empty; instants covered
//     by two intervals (01:00-02:30 and 03:00-05:00 become 01:00 CET-03:30
//     CEST and 03:00-05:00 CEST) count once.
//   - On a fall-back day the repeated hour is open twice: 01:00-04:00 on
//     2026-10-25 is 4h long. A boundary inside the repeated hour is the
//     instant time.Date picks (for European zones the later, standard-time one).
//
// Durations have millisecond precision, as the data does: both ends of a
// span are truncated to the millisecond.
package calendar

import (
	"errors"
	"time"

	// Branch zones must resolve on hosts and images without zoneinfo.
	_ "time/tzdata"
)

// Calendar answers business-time questions for one branch. It is safe for
// concurrent use. A nil *Calendar is open 24/7 in UTC.
//
// Open intervals are computed lazily per chunk of about 398 days and kept, so
// that after the first call a span costs two binary searches whatever its
// length; no span of 90 days touches more than two chunks.
type Calendar struct {
	loc      *time.Location
	week     [7][]span
	holidays map[int]bool
	cache    cache
}

// New checks spec and returns its calendar. The error joins every problem
// found, each naming its field: `hours.wed[1]: "13:00-12:00": end before start`.
func New(spec Spec) (*Calendar, error) {
	c, errs := build(spec)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// build is New with the problems left unjoined, for NewSet to prefix.
func build(spec Spec) (*Calendar, []error) {
	p, errs := parse(spec)
	if len(errs) > 0 {
		return nil, errs
	}
	return &Calendar{loc: p.loc, week: p.week, holidays: p.holidays}, nil
}

// Location returns the calendar's time zone; UTC for a nil calendar.
func (c *Calendar) Location() *time.Location {
	if c == nil {
		return time.UTC
	}
	return c.loc
}

// BusinessSeconds returns the length in seconds of the part of [start, end)
// that is inside opening hours, with holidays closed and daylight-saving
// changes respected (see the package comment). It is 0 when end ≤ start. A
// nil calendar is open 24/7: the result is end − start. start and end may be
// in any zone.
func (c *Calendar) BusinessSeconds(start, end time.Time) float64 {
	a, b := start.UnixMilli(), end.UnixMilli()
	if b <= a {
		return 0
	}
	if c == nil {
		return float64(b-a) / 1000
	}
	return float64(c.openMillis(a, b)) / 1000
}

// IsOpen reports whether t is inside opening hours; a nil calendar is always
// open. It agrees with BusinessSeconds: t is open when the millisecond
// starting at t counts.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c == nil {
		return true
	}
	ms := t.UnixMilli()
	return c.chunk(chunkOf(ms)).open(ms)
}

// openMillis returns the open milliseconds in [a, b), a < b.
func (c *Calendar) openMillis(a, b int64) int64 {
	ka, kb := chunkOf(a), chunkOf(b)
	first := c.chunk(ka)
	if ka == kb {
		return first.prefix(b) - first.prefix(a)
	}
	n := first.total() - first.prefix(a)
	for k := ka + 1; k < kb; k++ {
		n += c.chunkTotal(k)
	}
	return n + c.chunk(kb).prefix(b)
}
