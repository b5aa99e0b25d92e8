package calendar

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Spec is the YAML shape of one branch calendar (the calendars section of
// docs/KPIS.md).
//
//   - Timezone is an IANA zone name such as Europe/Prague; empty means UTC.
//   - Hours maps a weekday key (mon tue wed thu fri sat sun) to opening
//     intervals "HH:MM-HH:MM" in local time; "24:00" is allowed as an end.
//     Intervals of a day may touch but not overlap. A day not listed is closed.
//   - Holidays are local dates YYYY-MM-DD on which the branch is closed all day.
type Spec struct {
	Timezone string              `yaml:"timezone"`
	Hours    map[string][]string `yaml:"hours"`
	Holidays []string            `yaml:"holidays"`
}

// dayKeys are the Hours keys, indexed by time.Weekday.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// span is an opening interval of a day: minutes after local midnight,
// from < to ≤ 1440.
type span struct{ from, to int }

// parsed is a checked Spec.
type parsed struct {
	loc      *time.Location
	week     [7][]span    // by time.Weekday, sorted by from
	holidays map[int]bool // keys of dateKey
}

// dateKey packs a civil date into one comparable int, YYYYMMDD.
func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// parse checks spec and returns every problem it finds, each naming its field
// relative to the calendar, so that a config with many mistakes is fixed in
// one pass.
func parse(spec Spec) (parsed, []error) {
	var p parsed
	var errs []error
	var err error
	if p.loc, err = loadLocation(spec.Timezone); err != nil {
		errs = append(errs, err)
	}
	for _, key := range hourKeys(spec.Hours) {
		wd := slices.Index(dayKeys[:], key)
		if wd < 0 {
			errs = append(errs, fmt.Errorf("hours.%s: unknown weekday (want one of mon tue wed thu fri sat sun)", key))
			continue
		}
		spans, dayErrs := parseDay(key, spec.Hours[key])
		p.week[wd] = spans
		errs = append(errs, dayErrs...)
	}
	p.holidays = make(map[int]bool, len(spec.Holidays))
	for i, h := range spec.Holidays {
		d, err := time.Parse(time.DateOnly, h)
		if err != nil || d.Format(time.DateOnly) != h {
			errs = append(errs, fmt.Errorf("holidays[%d]: %q: not a date YYYY-MM-DD", i, h))
			continue
		}
		p.holidays[dateKey(d.Date())] = true
	}
	return p, errs
}

func loadLocation(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		// LoadLocation accepts it, but it would make numbers depend on the host.
		return time.UTC, fmt.Errorf("timezone: %q is the host's zone; name an IANA zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC, fmt.Errorf("timezone: unknown time zone %q", name)
	}
	return loc, nil
}

// hourKeys returns the keys of hours Monday first, as people read a week, and
// unknown keys after them, sorted, so that errors come in a stable order.
func hourKeys(hours map[string][]string) []string {
	var known, unknown []string
	for _, k := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		if _, ok := hours[k]; ok {
			known = append(known, k)
		}
	}
	for k := range hours {
		if !slices.Contains(dayKeys[:], k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return append(known, unknown...)
}

// parseDay parses the intervals of one weekday and checks that they do not
// overlap; touching intervals ("08:00-12:00", "12:00-13:00") are fine.
func parseDay(key string, texts []string) ([]span, []error) {
	type item struct {
		span
		text string
	}
	var items []item
	var errs []error
	for i, t := range texts {
		s, err := parseSpan(t)
		if err != nil {
			errs = append(errs, fmt.Errorf("hours.%s[%d]: %q: %w", key, i, t, err))
			continue
		}
		items = append(items, item{s, t})
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.from, b.from) })
	// Compare each interval with the one that reaches furthest so far, so that
	// one long interval covering several short ones is reported for each.
	spans := make([]span, 0, len(items))
	var reach int
	for i, it := range items {
		if i > 0 && it.from < items[reach].to {
			errs = append(errs, fmt.Errorf("hours.%s: intervals %q and %q overlap", key, items[reach].text, it.text))
		}
		if i == 0 || it.to > items[reach].to {
			reach = i
		}
		spans = append(spans, it.span)
	}
	return spans, errs
}

// parseSpan parses "HH:MM-HH:MM".
func parseSpan(text string) (span, error) {
	from, to, ok := strings.Cut(text, "-")
	if !ok || len(from) != 5 || len(to) != 5 {
		return span{}, fmt.Errorf("not HH:MM-HH:MM")
	}
	a, err := parseClock(from)
	if err != nil {
		return span{}, err
	}
	b, err := parseClock(to)
	switch {
	case err != nil:
		return span{}, err
	case a == 24*60:
		return span{}, fmt.Errorf("24:00 is only allowed as an end")
	case b < a:
		return span{}, fmt.Errorf("end before start")
	case b == a:
		return span{}, fmt.Errorf("empty interval")
	}
	return span{a, b}, nil
}

// parseClock parses "HH:MM" into minutes after midnight; "24:00" is 1440.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, fmt.Errorf("not HH:MM-HH:MM")
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 24 || m > 59 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%s is not a time of day", s)
	}
	return h*60 + m, nil
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
