package calendar_test

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/metrics/calendar"
)

// decodeFile decodes a YAML file strictly, as the configuration loader does.
func decodeFile(t testing.TB, path string, out any) error {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(out)
}

// badSpecs pairs each testdata/*.bad.yml with the error it must produce.
var badSpecs = map[string]string{
	"timezone-unknown.bad.yml":       `timezone: unknown time zone "Mars/Base"`,
	"timezone-local.bad.yml":         `timezone: "Local" is the host's zone; name an IANA zone`,
	"hours-end-before-start.bad.yml": `hours.wed[1]: "13:00-12:00": end before start`,
	"hours-overlap.bad.yml":          `hours.wed: intervals "08:00-12:00" and "11:00-13:00" overlap`,
	"hours-overlap-nested.bad.yml": `hours.mon: intervals "08:00-18:00" and "09:00-10:00" overlap
hours.mon: intervals "08:00-18:00" and "12:00-13:00" overlap`,
	"hours-weekday.bad.yml":       `hours.frii: unknown weekday (want one of mon tue wed thu fri sat sun)`,
	"hours-weekday-case.bad.yml":  `hours.Mon: unknown weekday (want one of mon tue wed thu fri sat sun)`,
	"hours-format.bad.yml":        `hours.mon[0]: "8:00-12:00": not HH:MM-HH:MM`,
	"hours-no-dash.bad.yml":       `hours.mon[0]: "08:00": not HH:MM-HH:MM`,
	"hours-minute.bad.yml":        `hours.mon[0]: "08:60-12:00": 08:60 is not a time of day`,
	"hours-past-midnight.bad.yml": `hours.sat[0]: "20:00-24:30": 24:30 is not a time of day`,
	"hours-24-start.bad.yml":      `hours.sun[0]: "24:00-24:00": 24:00 is only allowed as an end`,
	"hours-empty.bad.yml":         `hours.tue[0]: "12:00-12:00": empty interval`,
	"holidays-month.bad.yml":      `holidays[0]: "2026-13-01": not a date YYYY-MM-DD`,
	"holidays-day.bad.yml":        `holidays[1]: "2026-02-30": not a date YYYY-MM-DD`,
	"holidays-short.bad.yml":      `holidays[0]: "2026-1-05": not a date YYYY-MM-DD`,
	"unknown-field.bad.yml": `yaml: unmarshal errors:
  line 1: field timezon not found in type calendar.Spec`,
	"many.bad.yml": `timezone: unknown time zone "Europe/Praha"
hours.wed[2]: "19:00-18:00": end before start
hours.wed: intervals "08:00-12:00" and "11:00-13:00" overlap
hours.sunday: unknown weekday (want one of mon tue wed thu fri sat sun)
holidays[0]: "24.12.2026": not a date YYYY-MM-DD`,
}

func TestNewBad(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yml")
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	require.Equal(t, slices.Sorted(maps.Keys(badSpecs)), names, "every bad file needs its error, every error its file")

	for name, msg := range badSpecs {
		t.Run(name, func(t *testing.T) {
			var spec calendar.Spec
			err := decodeFile(t, filepath.Join("testdata", name), &spec)
			if err == nil {
				var c *calendar.Calendar
				c, err = calendar.New(spec)
				require.Nil(t, c)
			}
			require.EqualError(t, err, msg)
		})
	}
}

func TestNewGood(t *testing.T) {
	for _, spec := range []calendar.Spec{
		{}, // UTC, never open
		{Timezone: "UTC"},
		{Hours: map[string][]string{"mon": {"08:00-12:00", "12:00-13:00"}}}, // touching
		{Hours: map[string][]string{"sat": {"22:00-24:00", "00:00-06:00"}}},
		{Hours: map[string][]string{"sun": {}}}, // listed but closed
		{Timezone: "America/New_York", Holidays: []string{"2026-07-04", "2026-07-04"}},
	} {
		c, err := calendar.New(spec)
		require.NoError(t, err, "%+v", spec)
		require.NotNil(t, c)
	}
}

func TestNewSet(t *testing.T) {
	var specs map[string]calendar.Spec
	require.NoError(t, decodeFile(t, "testdata/sets/good.yml", &specs))
	s, err := calendar.NewSet(specs)
	require.NoError(t, err)
	require.Equal(t, []string{"budapest-1", "praha-1", "utc-branch"}, s.Branches())
	require.Equal(t, "Europe/Prague", s.Location("praha-1").String())
	require.Equal(t, "UTC", s.Location("utc-branch").String())
	require.Equal(t, "UTC", s.Location("nowhere").String())
	require.NotNil(t, s.For("praha-1"))
	require.Nil(t, s.For("nowhere"))

	// Monday 2026-10-05 07:00-20:00 UTC is 09:00-22:00 in Prague and Budapest.
	start, end := at(t, time.UTC, "2026-10-05 07:00"), at(t, time.UTC, "2026-10-05 20:00")
	require.Equal(t, 9*hour, s.BusinessSeconds("praha-1", start, end))
	require.Equal(t, 10*hour, s.BusinessSeconds("budapest-1", start, end))
	require.Equal(t, 13*hour, s.BusinessSeconds("utc-branch", start, end))
	require.Equal(t, 13*hour, s.BusinessSeconds("nowhere", start, end), "no calendar: 24/7")

	var none *calendar.Set
	require.Nil(t, none.For("praha-1"))
	require.Nil(t, none.Branches())
	require.Equal(t, time.UTC, none.Location("praha-1"))
	require.Equal(t, 13*hour, none.BusinessSeconds("praha-1", start, end))

	empty, err := calendar.NewSet(nil)
	require.NoError(t, err)
	require.Empty(t, empty.Branches())
}

func TestNewSetBad(t *testing.T) {
	var specs map[string]calendar.Spec
	require.NoError(t, decodeFile(t, "testdata/sets/two-branches.bad.yml", &specs))
	s, err := calendar.NewSet(specs)
	require.Nil(t, s)
	require.EqualError(t, err, `calendars.brno-1.timezone: unknown time zone "Mars/Base"
calendars.brno-1.holidays[0]: "2026-13-01": not a date YYYY-MM-DD
calendars.praha-1.hours.wed[1]: "13:00-12:00": end before start`)
}
