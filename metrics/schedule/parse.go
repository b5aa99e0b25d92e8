package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	// CRON_TZ zones must resolve on hosts and images without zoneinfo.
	_ "time/tzdata"
)

// MinInterval is the shortest interval Parse accepts: KPIs over windows of
// an hour and more gain nothing from sub-second ticks, which would only load
// ClickHouse and be skipped behind their own runs.
const MinInterval = time.Second

// Schedule tells when a job's next tick is.
type Schedule interface {
	// Next returns the first tick strictly after after, or the zero time
	// when there is none.
	Next(after time.Time) time.Time
}

// Parse reads a schedule from configuration:
//
//   - a Go duration ("30s", "5m", "1h30m", at least MinInterval), or the same
//     as "@every 5m": ticks at every multiple of the interval since the Unix
//     epoch, like Prometheus's evaluation alignment, so every cxpulse process
//     computes the same as_of instants whenever it was started;
//   - anything else: a standard 5-field cron expression ("*/5 * * * *") or a
//     descriptor ("@hourly", "@daily", …), evaluated in UTC unless it starts
//     with "CRON_TZ=Europe/Prague ".
//
// The error quotes spec, so that configuration errors point at the value.
func Parse(spec string) (Schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("empty schedule")
	}
	// robfig's @every counts from whenever the job was added; ours is aligned
	// like any other interval, so "@every 5m" and "5m" are the same thing.
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		return parseInterval(spec, strings.TrimSpace(d))
	}
	if _, err := time.ParseDuration(spec); err == nil {
		return parseInterval(spec, spec)
	}
	if zone, ok := cronZone(spec); ok && zone == "Local" {
		// robfig would take it as "the time given", which we pin to UTC.
		return nil, fmt.Errorf("schedule %q: %q is the host's zone; name an IANA zone", spec, zone)
	}
	c, err := cron.ParseStandard(spec)
	if err != nil {
		if strings.ContainsAny(spec, " \t@") {
			return nil, fmt.Errorf("schedule %q: bad cron expression: %w", spec, err)
		}
		// One word: the duration may be what was meant ("5", "1d").
		_, derr := time.ParseDuration(spec)
		return nil, fmt.Errorf("schedule %q: neither an interval like \"30s\" (%v) nor a cron expression like \"*/5 * * * *\" (%v)", spec, derr, err)
	}
	s := cronSchedule{cron: c}
	// robfig gives up after five years and returns the zero time; catch
	// "0 0 30 2 *" here rather than as a job that silently never runs.
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("schedule %q: cron expression never fires", spec)
	}
	return s, nil
}

// cronZone returns the zone of a "CRON_TZ=Zone …" or "TZ=Zone …" prefix.
func cronZone(spec string) (string, bool) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, p); ok {
			zone, _, _ := strings.Cut(rest, " ")
			return zone, true
		}
	}
	return "", false
}

func parseInterval(spec, text string) (Schedule, error) {
	d, err := time.ParseDuration(text)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if d < MinInterval {
		return nil, fmt.Errorf("schedule %q: interval %s is shorter than the minimum %s", spec, d, MinInterval)
	}
	return interval(d), nil
}

// interval ticks at every multiple of itself since the Unix epoch.
type interval time.Duration

// Next returns the first multiple of the interval after after. Arithmetic on
// UnixNano (valid from 1678 to 2262) rather than time.Truncate, which aligns
// to the year 1 and so disagrees with the epoch for intervals like 7m.
func (iv interval) Next(after time.Time) time.Time {
	d := int64(iv)
	n := after.UnixNano()
	q := n / d
	if n%d < 0 { // floor, not truncation toward zero, before 1970
		q--
	}
	return time.Unix(0, (q+1)*d).In(after.Location())
}

func (iv interval) String() string { return time.Duration(iv).String() }

// cronSchedule pins robfig schedules without CRON_TZ to UTC: robfig would
// otherwise use the location of the time it is given, and "0 6 * * *" must
// not move when a host's time zone does.
type cronSchedule struct{ cron cron.Schedule }

func (c cronSchedule) Next(after time.Time) time.Time {
	t := c.cron.Next(after.UTC())
	if t.IsZero() {
		return t
	}
	return t.In(after.Location())
}
