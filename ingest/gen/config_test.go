package gen

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		field string
		cfg   Config
	}{
		{"Branches", Config{End: end, Branches: -1}},
		{"Branches", Config{End: end, Branches: 1001}},
		{"Days", Config{End: end, Days: -3}},
		{"End", Config{}},
		{"Now", Config{End: end, Now: end.Add(-time.Second)}},
		{"TicketsPerBranchDay", Config{End: end, TicketsPerBranchDay: -1}},
		{"TargetEvents", Config{End: end, TargetEvents: -5}},
		{"BadRatio", Config{End: end, BadRatio: 1.5}},
		{"DupRatio", Config{End: end, DupRatio: -0.1}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			err := tc.cfg.Validate()
			require.ErrorContains(t, err, tc.field)
			_, err = New(tc.cfg)
			require.ErrorContains(t, err, tc.field)
		})
	}
	require.NoError(t, Config{End: end}.Validate())
	// Every problem is reported at once.
	err := Config{Branches: -1, Days: -1}.Validate()
	for _, f := range []string{"Branches", "Days", "End"} {
		require.ErrorContains(t, err, f)
	}
}

func TestBranchNamesAndCalendars(t *testing.T) {
	g, err := New(Config{Branches: 13, End: end})
	require.NoError(t, err)
	var names []string
	for _, b := range g.Branches() {
		names = append(names, b.Name)
		_, err := time.LoadLocation(b.Calendar.TimeZone)
		require.NoError(t, err)
		require.NotEmpty(t, b.Calendar.Holidays)
		require.NotEmpty(t, b.Region)
	}
	require.Equal(t, []string{"praha-1", "brno-1", "budapest-1", "bratislava-1", "warszawa-1", "krakow-1",
		"debrecen-1", "kosice-1", "ostrava-1", "wroclaw-1", "szeged-1", "zilina-1", "praha-2"}, names)
	require.Equal(t, Planted{SlowChat: "brno-1", LowNPS: "budapest-1", LateAppointments: "bratislava-1", BrokenCallbacks: "warszawa-1"}, g.Planted())

	g, err = New(Config{Branches: 3, End: end})
	require.NoError(t, err)
	require.Equal(t, Planted{SlowChat: "brno-1", LowNPS: "budapest-1"}, g.Planted())
}

func TestConfigYAML(t *testing.T) {
	g, err := New(Config{Branches: 2, Days: 10, End: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	want := `branches:
  praha-1: {region: cz}
  brno-1: {region: cz}
calendars:
  praha-1:
    timezone: Europe/Prague
    hours:
      mon: ["08:00-18:00"]
      tue: ["08:00-18:00"]
      wed: ["08:00-18:00"]
      thu: ["08:00-18:00"]
      fri: ["08:00-18:00"]
      sat: ["09:00-12:00"]
    holidays: [` + holidayList("2026", "cz") + `]
  brno-1:
    timezone: Europe/Prague
    hours:
      mon: ["08:00-17:00"]
      tue: ["08:00-17:00"]
      wed: ["08:00-12:00", "13:00-17:00"]
      thu: ["08:00-17:00"]
      fri: ["08:00-15:00"]
    holidays: [` + holidayList("2026", "cz") + `]
`
	require.Equal(t, want, ConfigYAML(g.Branches()))
}

func holidayList(year, region string) string {
	var out []string
	for _, d := range holidays[region] {
		out = append(out, `"`+year+"-"+d+`"`)
	}
	return strings.Join(out, ", ")
}
