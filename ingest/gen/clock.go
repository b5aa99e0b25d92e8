package gen

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// never is the time of something that does not happen before the open
// intervals run out; it lies after End, so the event is dropped.
const never = math.MaxInt64

const (
	second = int64(1000) // times are unix milliseconds
	minute = 60 * second
	hour   = 60 * minute
	day    = 24 * hour
)

// interval is an opening interval [start, end) in unix milliseconds.
type interval struct{ start, end int64 }

// clock answers business-time questions for one branch. Its open intervals
// are computed once from the calendar in the branch's zone, so that
// daylight-saving changes and holidays are right and lookups stay cheap.
type clock struct {
	loc *time.Location
	iv  []interval
	// dayOpen is the mean open time per day of a week without holidays; slot
	// volumes are scaled by a slot's open time relative to it.
	dayOpen float64
}

func newClock(cal Calendar, loc *time.Location, from, to time.Time) clock {
	closed := make(map[string]bool, len(cal.Holidays))
	for _, h := range cal.Holidays {
		closed[h] = true
	}
	c := clock{loc: loc}
	var week int64
	for _, spans := range cal.Week {
		for _, s := range spans {
			week += int64(s.To-s.From) * minute
		}
	}
	c.dayOpen = float64(week) / 7
	d := from.In(loc).AddDate(0, 0, -1)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	for ; d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		if closed[d.Format(time.DateOnly)] {
			continue
		}
		for _, s := range cal.Week[d.Weekday()] {
			// time.Date normalises 24:00 to the next midnight and resolves
			// local times through the zone's daylight-saving rules.
			start := time.Date(d.Year(), d.Month(), d.Day(), 0, s.From, 0, 0, loc)
			end := time.Date(d.Year(), d.Month(), d.Day(), 0, s.To, 0, 0, loc)
			c.iv = append(c.iv, interval{start.UnixMilli(), end.UnixMilli()})
		}
	}
	return c
}

// index returns the first interval that ends after t.
func (c *clock) index(t int64) int {
	return sort.Search(len(c.iv), func(i int) bool { return c.iv[i].end > t })
}

// add returns the instant d milliseconds of opening time after t: what a
// staff member who needs d of work time, starting at t, reaches.
func (c *clock) add(t, d int64) int64 {
	for i := c.index(t); i < len(c.iv); i++ {
		s := max(c.iv[i].start, t)
		if s+d < c.iv[i].end {
			return s + d
		}
		d -= c.iv[i].end - s
	}
	return never
}

// clip appends to dst the parts of the open intervals inside [a, z) and
// returns it with their total length.
func (c *clock) clip(dst []interval, a, z int64) ([]interval, int64) {
	var total int64
	for i := c.index(a); i < len(c.iv) && c.iv[i].start < z; i++ {
		iv := interval{max(c.iv[i].start, a), min(c.iv[i].end, z)}
		dst = append(dst, iv)
		total += iv.end - iv.start
	}
	return dst, total
}

// pick maps u in [0, total) onto the intervals, so that a uniform u gives a
// uniform instant of open time.
func pick(ivs []interval, u int64) int64 {
	for _, iv := range ivs {
		if n := iv.end - iv.start; u < n {
			return iv.start + u
		} else {
			u -= n
		}
	}
	return ivs[len(ivs)-1].end - 1
}

// slotFrom returns a bookable start in the first opening interval after t
// that has room: a quarter-hour step from the interval's start, leaving its
// last half hour free, as booking systems do.
func (c *clock) slotFrom(r *rand.Rand, t int64) int64 {
	const step = 15 * minute
	for i := c.index(t); i < len(c.iv); i++ {
		iv := c.iv[i]
		first := iv.start
		if t > first {
			first += (t - first + step - 1) / step * step
		}
		last := max(iv.end-2*step, iv.start)
		if first > last {
			continue
		}
		return first + r.Int64N((last-first)/step+1)*step
	}
	return never
}
