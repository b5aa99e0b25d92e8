package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// at is a UTC instant on a fixed day, written like the schedules it tests.
func at(clock string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", "2026-01-05 "+clock)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseNext(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	require.NoError(t, err)
	for _, tc := range []struct {
		spec  string
		after time.Time
		want  time.Time
	}{
		// Intervals: multiples of the interval since the Unix epoch.
		{"30s", at("12:00:07"), at("12:00:30")},
		{"30s", at("12:00:30"), at("12:01:00")}, // strictly after
		{"30s", at("12:00:29").Add(999 * time.Millisecond), at("12:00:30")},
		{"1m", at("12:00:07"), at("12:01:00")},
		{"5m", at("12:03:10"), at("12:05:00")},
		{"1h", at("12:00:07"), at("13:00:00")},
		{"24h", at("12:00:07"), at("00:00:00").Add(24 * time.Hour)},
		{" 1m ", at("12:00:07"), at("12:01:00")},
		{"@every 5m", at("12:03:10"), at("12:05:00")},
		// 7m does not divide an hour: 2026-01-05 12:00:00Z is 1767614400 s,
		// 4208605 intervals of 420 s and 300 s over.
		{"7m", at("12:00:00"), time.Unix(4208606*420, 0)},
		// Before the epoch the floor still goes down, not toward zero.
		{"30s", time.Unix(-10, 0), time.Unix(0, 0)},
		{"30s", time.Unix(-40, 0), time.Unix(-30, 0)},
		// Cron, in UTC.
		{"*/5 * * * *", at("12:03:10"), at("12:05:00")},
		{"*/5 * * * *", at("12:05:00"), at("12:10:00")},
		{"@hourly", at("12:00:07"), at("13:00:00")},
		{"@daily", at("12:00:07"), at("00:00:00").Add(24 * time.Hour)},
		{"0 6 * * *", at("05:30:00"), at("06:00:00")},
		// The zone of the time given does not move a cron schedule.
		{"0 6 * * *", at("05:30:00").In(prague), at("06:00:00")},
		// Unless the spec names one: 06:00 in Prague is 05:00Z in winter.
		{"CRON_TZ=Europe/Prague 0 6 * * *", at("05:30:00"), at("05:00:00").Add(24 * time.Hour)},
		{"0 0 29 2 *", at("00:00:00"), time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := Parse(tc.spec)
			require.NoError(t, err)
			got := s.Next(tc.after)
			require.Truef(t, got.Equal(tc.want), "Next(%s) = %s, want %s", tc.after, got, tc.want)
			require.Equal(t, tc.after.Location(), got.Location(), "Next keeps the location of its argument")
		})
	}
}

func TestParseIntervalIsAlignedForever(t *testing.T) {
	s, err := Parse("7m")
	require.NoError(t, err)
	tick := at("12:00:07")
	for range 1000 {
		next := s.Next(tick)
		require.Zero(t, next.Unix()%420, next)
		require.Zero(t, next.Nanosecond())
		require.True(t, next.After(tick))
		require.LessOrEqual(t, next.Sub(tick), 7*time.Minute)
		tick = next
	}
}

func TestParseBad(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string
	}{
		{"", "empty schedule"},
		{"  ", "empty schedule"},
		{"5", `schedule "5": neither an interval like "30s" (time: missing unit in duration "5") nor a cron expression like "*/5 * * * *" (expected exactly 5 fields, found 1: [5])`},
		{"1d", `schedule "1d": neither an interval like "30s" (time: unknown unit "d" in duration "1d")`},
		{"0s", `schedule "0s": interval 0s is shorter than the minimum 1s`},
		{"500ms", `schedule "500ms": interval 500ms is shorter than the minimum 1s`},
		{"-1m", `schedule "-1m": interval -1m0s is shorter`},
		{"@every 0s", `schedule "@every 0s": interval 0s is shorter`},
		{"@every often", `schedule "@every often": time: invalid duration "often"`},
		{"* * *", `schedule "* * *": bad cron expression: expected exactly 5 fields, found 3: [* * *]`},
		{"61 * * * *", `schedule "61 * * * *": bad cron expression: end of range (61) above maximum (59): 61`},
		{"*/5 * * * * *", `schedule "*/5 * * * * *": bad cron expression: expected exactly 5 fields`}, // seconds field is not standard
		{"@fortnightly", `schedule "@fortnightly": bad cron expression: unrecognized descriptor: @fortnightly`},
		{"0 0 30 2 *", `schedule "0 0 30 2 *": cron expression never fires`},
		{"CRON_TZ=Mars/Olympus 0 6 * * *", `schedule "CRON_TZ=Mars/Olympus 0 6 * * *": bad cron expression: provided bad location Mars/Olympus`},
		{"CRON_TZ=Local 0 6 * * *", `"Local" is the host's zone`},
		{"TZ=Local @hourly", `"Local" is the host's zone`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := Parse(tc.spec)
			require.Nil(t, s)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
