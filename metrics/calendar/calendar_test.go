package calendar_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/calendar"
)

const (
	minute = 60.0
	hour   = 3600.0
)

// at parses "YYYY-MM-DD HH:MM[:SS[.mmm]]" as a wall-clock time in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if v, err := time.ParseInLocation(layout, s, loc); err == nil {
			return v
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

func prague(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Prague")
	require.NoError(t, err)
	return loc
}

// praha is the calendar of the docs/KPIS.md example.
func praha(t testing.TB) *calendar.Calendar {
	t.Helper()
	var spec calendar.Spec
	require.NoError(t, decodeFile(t, "testdata/praha.yml", &spec))
	c, err := calendar.New(spec)
	require.NoError(t, err)
	return c
}

func TestBusinessSeconds(t *testing.T) {
	c := praha(t)
	loc := prague(t)
	// 2026-10-05 is a Monday; Wednesday has a lunch break 12:00-13:00; Friday
	// closes at 16:00; 2026-12-24 and 25 (Thursday, Friday) are holidays.
	for _, tc := range []struct {
		name, start, end string
		want             float64
	}{
		{"weekday inside hours", "2026-10-05 09:00", "2026-10-05 10:30", 90 * minute},
		{"before opening to after closing", "2026-10-05 06:00", "2026-10-05 21:00", 10 * hour},
		{"starts before opening", "2026-10-05 07:30", "2026-10-05 08:15", 15 * minute},
		{"ends after closing", "2026-10-05 17:45", "2026-10-05 18:30", 15 * minute},
		{"closed part of a day", "2026-10-05 18:00", "2026-10-05 23:59", 0},
		{"over the lunch break", "2026-10-07 11:00", "2026-10-07 14:00", 2 * hour},
		{"inside the lunch break", "2026-10-07 12:10", "2026-10-07 12:50", 0},
		{"overnight", "2026-10-05 17:00", "2026-10-06 09:00", 2 * hour},
		{"across a weekend", "2026-10-09 15:00", "2026-10-12 09:00", 2 * hour},
		{"inside a weekend", "2026-10-10 08:00", "2026-10-11 18:00", 0},
		{"a whole week", "2026-10-05 00:00", "2026-10-12 00:00", 47 * hour},
		{"over holidays", "2026-12-23 17:00", "2026-12-28 09:00", 2 * hour},
		{"on a holiday", "2026-12-24 08:00", "2026-12-24 18:00", 0},
		{"milliseconds kept", "2026-10-05 09:00:00.250", "2026-10-05 09:00:01", 0.75},
		{"sub-millisecond dropped", "2026-10-05 09:00:00.0009", "2026-10-05 09:00:00.0029", 0.002},
		{"empty", "2026-10-05 09:00", "2026-10-05 09:00", 0},
		{"reversed", "2026-10-05 10:00", "2026-10-05 09:00", 0},
		// 2026-10-01 is a Thursday: 22 working days, of which 4 Wednesdays
		// (9h) and 5 Fridays (8h).
		{"a month", "2026-10-01 00:00", "2026-10-31 00:00", (13*10 + 4*9 + 5*8) * hour},
		// Summer time ends 2026-10-25 but the branch is closed on Sundays.
		{"over a daylight-saving change", "2026-10-23 15:00", "2026-10-26 09:00", 2 * hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end := at(t, loc, tc.start), at(t, loc, tc.end)
			require.InDelta(t, tc.want, c.BusinessSeconds(start, end), 1e-9)
		})
	}
}

func TestBusinessSecondsAnyZone(t *testing.T) {
	c := praha(t)
	start, end := at(t, prague(t), "2026-10-05 09:00"), at(t, prague(t), "2026-10-05 10:30")
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	for _, loc := range []*time.Location{time.UTC, ny, time.FixedZone("x", 5*3600+1234)} {
		require.Equal(t, 90*minute, c.BusinessSeconds(start.In(loc), end.In(loc)), loc.String())
	}
}

// TestDaylightSaving pins down the package comment's rules on the days
// Europe/Prague changes clocks: 2026-03-29 02:00 CET becomes 03:00 CEST (at
// 01:00 UTC), 2026-10-25 03:00 CEST becomes 02:00 CET (at 01:00 UTC).
// Instants are given in UTC to avoid the very ambiguity under test.
func TestDaylightSaving(t *testing.T) {
	every := func(spans ...string) calendar.Spec {
		h := map[string][]string{}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
			h[d] = spans
		}
		return calendar.Spec{Timezone: "Europe/Prague", Hours: h}
	}
	utc := func(s string) time.Time { return at(t, time.UTC, s) }
	for _, tc := range []struct {
		name       string
		spec       calendar.Spec
		start, end string // UTC
		want       float64
	}{
		{"ordinary day", every("01:00-04:00"), "2026-03-27 23:00", "2026-03-28 23:00", 3 * hour},
		{"spring forward loses the gap", every("01:00-04:00"), "2026-03-28 23:00", "2026-03-29 22:00", 2 * hour},
		{"fall back repeats an hour", every("01:00-04:00"), "2026-10-24 22:00", "2026-10-25 23:00", 4 * hour},
		{"fall back, repeated hour only", every("01:00-04:00"), "2026-10-25 00:30", "2026-10-25 01:30", hour},
		// 02:30 does not exist; time.Date moves it to 03:30 CEST (01:30 UTC).
		{"start in the gap", every("02:30-05:00"), "2026-03-28 23:00", "2026-03-29 22:00", 90 * minute},
		// Both ends move by the gap: 03:00-03:30 CEST.
		{"interval inside the gap", every("02:00-02:30", "12:00-13:00"), "2026-03-28 23:00", "2026-03-29 22:00", 90 * minute},
		// 03:30 CEST-03:00 CEST is reversed, so empty.
		{"interval reversed by the gap", every("02:30-03:00", "12:00-13:00"), "2026-03-28 23:00", "2026-03-29 22:00", hour},
		// 01:00 CET-03:30 CEST and 03:00-05:00 CEST overlap; counted once.
		{"end in the gap overlaps the next", every("01:00-02:30", "03:00-05:00"), "2026-03-28 23:00", "2026-03-29 22:00", 3 * hour},
		// 02:30 on the fall-back day is taken as 02:30 CET, the second one.
		{"start in the repeated hour", every("02:30-05:00"), "2026-10-24 22:00", "2026-10-25 23:00", 150 * minute},
		{"open all day, spring", every("00:00-24:00"), "2026-03-28 23:00", "2026-03-29 22:00", 23 * hour},
		{"open all day, fall", every("00:00-24:00"), "2026-10-24 22:00", "2026-10-25 23:00", 25 * hour},
		{"open all day, across both", every("00:00-24:00"), "2026-03-01 10:00", "2026-11-01 10:00", 245 * 24 * hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := calendar.New(tc.spec)
			require.NoError(t, err)
			require.Equal(t, tc.want, c.BusinessSeconds(utc(tc.start), utc(tc.end)))
		})
	}
}

func TestNilCalendar(t *testing.T) {
	var c *calendar.Calendar
	start := at(t, time.UTC, "2026-03-28 12:00")
	end := at(t, prague(t), "2026-03-30 12:00:00.5") // 10:00:00.5 UTC
	require.Equal(t, 46*hour+0.5, c.BusinessSeconds(start, end))
	require.Equal(t, 0.0, c.BusinessSeconds(end, start))
	require.True(t, c.IsOpen(start))
	require.Equal(t, time.UTC, c.Location())
}

func TestIsOpen(t *testing.T) {
	c := praha(t)
	loc := prague(t)
	require.Equal(t, "Europe/Prague", c.Location().String())
	for s, want := range map[string]bool{
		"2026-10-05 07:59:59.999": false,
		"2026-10-05 08:00":        true,
		"2026-10-05 17:59:59.999": true,
		"2026-10-05 18:00":        false,
		"2026-10-07 12:00":        false, // lunch
		"2026-10-07 13:00":        true,
		"2026-10-10 10:00":        false, // Saturday
		"2026-12-24 10:00":        false, // holiday
		"2026-12-23 10:00":        true,
	} {
		require.Equal(t, want, c.IsOpen(at(t, loc, s)), s)
		require.Equal(t, want, c.IsOpen(at(t, loc, s).UTC()), s)
	}
}
