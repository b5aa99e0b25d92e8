package schedule

import "time"

// Clock is the scheduler's source of ticks; tests pass a fake one to step
// through hours of schedule without waiting. Run timeouts stay on real time
// whatever the clock, because they bound real I/O (and ClickHouse reads the
// context deadline).
type Clock interface {
	Now() time.Time
	// After is like time.After: the channel receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// realClock is time itself. time.After needs no Stop since Go 1.23: an
// abandoned timer is collected, so waiting loops can leave on cancel freely.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
