package main

import (
	"bytes"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

// reloadableApp is an app loaded from path by the real command wiring
// (root flags, file, environment), with its reloader.
func reloadableApp(t *testing.T, path string, logs *bytes.Buffer) (*app, *reloader) {
	t.Helper()
	root := newRootCommand()
	g := &globalFlags{configPath: path}
	cfg, err := g.load(root.PersistentFlags())
	require.NoError(t, err)
	a := newApp(cfg, zerolog.New(logs)).reloadFrom(g, root)
	r := a.newReloader(nil, nil)
	t.Cleanup(func() { signal.Stop(r.hup) })
	return a, r
}

// What the KPI jobs and the API read follows a reload: calendars and
// policies; the log level applies to loggers handed out before it.
func TestReloadReplacesCalendarsPoliciesAndLevel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yml")
	write := func(zone, level string, objective float64) {
		require.NoError(t, os.WriteFile(path, []byte(`log: {level: `+level+`}
calendars:
  praha-1: {timezone: `+zone+`, hours: {mon: ["08:00-18:00"]}}
sla_policies:
  - {name: chat, channel: chat, priority: "*", first_response: 10m, objective: `+fmtFloat(objective)+`}
`), 0o600))
	}
	write("Europe/Prague", "info", 0.9)
	var logs bytes.Buffer
	a, r := reloadableApp(t, path, &logs)
	component := a.log.With().Str("component", "kpi").Logger() // handed out before the reload
	component.Debug().Msg("hidden at info")

	write("America/New_York", "debug", 0.97)
	require.NoError(t, r.reload())
	p, err := a.kpiParams()
	require.NoError(t, err)
	require.Equal(t, "America/New_York", p.Calendars.Location("praha-1").String())
	require.Equal(t, 0.97, p.Policies[0].Objective)
	component.Debug().Msg("shown at debug")
	require.NotContains(t, logs.String(), "hidden at info")
	require.Contains(t, logs.String(), "shown at debug")

	// refused: the field is named, the running values stay
	write("Mars/Base", "info", 0.97)
	err = r.reload()
	require.ErrorContains(t, err, "calendars.praha-1.timezone")
	p, _ = a.kpiParams()
	require.Equal(t, "America/New_York", p.Calendars.Location("praha-1").String())
	require.Contains(t, logs.String(), "configuration reload refused")
}

func TestRestartFieldsNameTheSections(t *testing.T) {
	old := config.Default()
	changed := old
	changed.Log.Level = "debug"
	changed.SLAPolicies = nil
	require.Empty(t, restartFields(old, changed), "reloadable fields need no restart")
	changed.Kafka.Brokers = []string{"elsewhere:9092"}
	changed.Log.Format = "console"
	require.Equal(t, []string{"kafka", "log"}, restartFields(old, changed))
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Settings read only at start stay as they were, and the log says which
// sections need a restart.
func TestReloadKeepsWhatNeedsARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yml")
	require.NoError(t, os.WriteFile(path, []byte("kpi: {windows: [1h]}\n"), 0o600))
	var logs bytes.Buffer
	a, r := reloadableApp(t, path, &logs)
	require.NoError(t, os.WriteFile(path, []byte("kpi: {windows: [2h]}\nlog: {level: warn}\n"), 0o600))
	require.NoError(t, r.reload())
	p, err := a.kpiParams()
	require.NoError(t, err)
	require.Len(t, p.Windows, 1)
	require.Equal(t, "1h", p.Windows[0].Label, "windows are read only at start")
	require.Contains(t, logs.String(), `"fields":["kpi"]`)
	require.Equal(t, "warn", a.live.Load().cfg.Log.Level)
}
