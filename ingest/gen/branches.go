package gen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Branch is one generated branch with the region and calendar that the KPI
// configuration should give it.
type Branch struct {
	// Name is the branch field of its events, e.g. praha-1.
	Name string
	// Region rolls branches up in reports: cz, sk, hu or pl.
	Region string
	// Calendar holds the opening hours the generated staff keep.
	Calendar Calendar
}

// Calendar is a branch calendar in the shape of the calendars section of
// docs/KPIS.md.
type Calendar struct {
	// TimeZone is an IANA zone name, e.g. Europe/Prague.
	TimeZone string
	// Week holds the opening hours per weekday, indexed by time.Weekday
	// (Sunday = 0); a day without spans is closed.
	Week [7][]Span
	// Holidays are closed local dates, YYYY-MM-DD, sorted.
	Holidays []string
}

// Span is an opening interval of a day in local time.
type Span struct {
	// From and To are minutes after local midnight, From < To ≤ 1440.
	From, To int
}

// String formats the span as the configuration does: "08:00-18:00".
func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.From/60, s.From%60, s.To/60, s.To%60)
}

type city struct {
	name, region, zone string
	week               int // index into weeks
}

// cities is the order branch names cycle through. It alternates countries so
// that the planted branches (indexes 1–4) sit in different ones.
var cities = []city{
	{"praha", "cz", "Europe/Prague", 0},
	{"brno", "cz", "Europe/Prague", 1},
	{"budapest", "hu", "Europe/Budapest", 2},
	{"bratislava", "sk", "Europe/Bratislava", 3},
	{"warszawa", "pl", "Europe/Warsaw", 0},
	{"krakow", "pl", "Europe/Warsaw", 3},
	{"debrecen", "hu", "Europe/Budapest", 1},
	{"kosice", "sk", "Europe/Bratislava", 2},
	{"ostrava", "cz", "Europe/Prague", 3},
	{"wroclaw", "pl", "Europe/Warsaw", 1},
	{"szeged", "hu", "Europe/Budapest", 0},
	{"zilina", "sk", "Europe/Bratislava", 2},
}

func hm(h, m int) int { return h*60 + m }

func weekdays(mon, tue, wed, thu, fri, sat []Span) [7][]Span {
	return [7][]Span{nil, mon, tue, wed, thu, fri, sat}
}

// weeks are the opening-hour patterns branches use: a long weekday with a
// Saturday morning, a lunch break on Wednesday, later hours, a short Friday.
var weeks = func() [][7][]Span {
	day := []Span{{hm(8, 0), hm(18, 0)}}
	sat := []Span{{hm(9, 0), hm(12, 0)}}
	short := []Span{{hm(8, 0), hm(17, 0)}}
	lunch := []Span{{hm(8, 0), hm(12, 0)}, {hm(13, 0), hm(17, 0)}}
	late := []Span{{hm(9, 0), hm(19, 0)}}
	half := []Span{{hm(8, 0), hm(17, 30)}}
	return [][7][]Span{
		weekdays(day, day, day, day, day, sat),
		weekdays(short, short, lunch, short, []Span{{hm(8, 0), hm(15, 0)}}, nil),
		weekdays(late, late, late, late, late, nil),
		weekdays(half, half, half, half, []Span{{hm(8, 0), hm(16, 0)}}, []Span{{hm(9, 0), hm(13, 0)}}),
	}
}()

// holidays are fixed-date public holidays (MM-DD) per region; movable feasts
// are left out because a sample calendar needs only a few closed days.
var holidays = map[string][]string{
	"cz": {"01-01", "05-01", "05-08", "07-05", "07-06", "09-28", "10-28", "11-17", "12-24", "12-25", "12-26"},
	"sk": {"01-01", "01-06", "05-01", "07-05", "08-29", "09-15", "11-01", "11-17", "12-24", "12-25", "12-26"},
	"hu": {"01-01", "03-15", "05-01", "08-20", "10-23", "11-01", "12-24", "12-25", "12-26"},
	"pl": {"01-01", "01-06", "05-01", "05-03", "08-15", "11-01", "11-11", "12-24", "12-25", "12-26"},
}

// makeBranches names n branches and gives them calendars whose holidays
// cover every year from `from` to `to`.
func makeBranches(n int, from, to time.Time) []Branch {
	out := make([]Branch, n)
	for i := range out {
		c := cities[i%len(cities)]
		cal := Calendar{TimeZone: c.zone, Week: weeks[c.week]}
		for y := from.Year(); y <= to.Year(); y++ {
			for _, d := range holidays[c.region] {
				cal.Holidays = append(cal.Holidays, fmt.Sprintf("%04d-%s", y, d))
			}
		}
		out[i] = Branch{Name: fmt.Sprintf("%s-%d", c.name, i/len(cities)+1), Region: c.region, Calendar: cal}
	}
	return out
}

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ConfigYAML renders the branches as the branches and calendars sections of
// the KPI configuration (docs/KPIS.md), so that a demo can write a config
// file that matches its data. Branch names need no quoting: the contract
// limits them to [A-Za-z0-9._:-] and generated names never hold a colon.
func ConfigYAML(branches []Branch) string {
	var b strings.Builder
	b.WriteString("branches:\n")
	for _, br := range branches {
		fmt.Fprintf(&b, "  %s: {region: %s}\n", br.Name, br.Region)
	}
	b.WriteString("calendars:\n")
	for _, br := range branches {
		cal := br.Calendar
		fmt.Fprintf(&b, "  %s:\n    timezone: %s\n    hours:\n", br.Name, cal.TimeZone)
		// Monday first, as people read a week.
		for _, wd := range []time.Weekday{1, 2, 3, 4, 5, 6, 0} {
			if len(cal.Week[wd]) == 0 {
				continue
			}
			fmt.Fprintf(&b, "      %s: [%s]\n", dayKeys[wd], quoted(spanStrings(cal.Week[wd])))
		}
		fmt.Fprintf(&b, "    holidays: [%s]\n", quoted(cal.Holidays))
	}
	return b.String()
}

// quoted formats strings as the body of a YAML flow sequence of
// double-quoted items.
func quoted(xs []string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Quote(x)
	}
	return strings.Join(parts, ", ")
}

func spanStrings(spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.String()
	}
	return out
}
