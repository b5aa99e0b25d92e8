package kpitest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func row(kpiName, branch string, values map[string]float64) kpi.Row {
	return kpi.Row{KPI: kpiName, Window: "30d", Labels: kpi.Labels{Branch: branch, Channel: kpi.All}, Values: values}
}

func TestEqual(t *testing.T) {
	require.True(t, Equal(1.0/3, 0.3333333333333333))
	require.True(t, Equal(0, 1e-10))
	require.True(t, Equal(135000, 135000*(1+1e-12)))
	require.False(t, Equal(135000, 135000.01))
	require.False(t, Equal(0, 1e-8))
	require.False(t, Equal(0, -0.5))
}

func TestDiff(t *testing.T) {
	want := []kpi.Row{
		row(kpi.Reopen, "a", map[string]float64{"resolved": 2, "reopened": 1, "ratio": 0.5}),
		row(kpi.Reopen, "b", map[string]float64{"resolved": 0, "reopened": 0}),
		row(kpi.Reopen, "c", map[string]float64{"resolved": 4, "reopened": 1, "ratio": 0.25}),
	}
	got := []kpi.Row{
		row(kpi.Reopen, "a", map[string]float64{"resolved": 2, "reopened": 1, "ratio": 0.5000000000001}),
		row(kpi.Reopen, "b", map[string]float64{"resolved": 0, "reopened": 0, "ratio": 0}),
		row(kpi.Reopen, "d", map[string]float64{"resolved": 1, "reopened": 0, "ratio": 0}),
	}
	require.Equal(t, []string{
		"reopen|30d|branch=b,channel=all: field ratio: want <absent>, got 0",
		"reopen|30d|branch=c,channel=all: missing row (want {ratio=0.25 reopened=1 resolved=4})",
	}, diff(want, got, false))
	require.Equal(t, []string{
		"reopen|30d|branch=b,channel=all: field ratio: want <absent>, got 0",
		"reopen|30d|branch=c,channel=all: missing row (want {ratio=0.25 reopened=1 resolved=4})",
		"reopen|30d|branch=d,channel=all: unexpected row (got {ratio=0 reopened=0 resolved=1})",
	}, diff(want, got, true))

	got[0].Values["ratio"] = 0.6
	require.Contains(t, diff(want, got, false), "reopen|30d|branch=a,channel=all: field ratio: want 0.5, got 0.6")
	require.Contains(t, diff(want, append(got, got[0]), false), "reopen|30d|branch=a,channel=all: got holds this key more than once")
}

// fakeTB records a failure instead of stopping the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = format }

func TestRequireRowsMatch(t *testing.T) {
	rows := []kpi.Row{row(kpi.Reopen, "a", map[string]float64{"resolved": 2, "reopened": 1, "ratio": 0.5})}
	ok := &fakeTB{TB: t}
	RequireRowsMatch(ok, rows, rows)
	RequireSameRows(ok, rows, rows)
	require.Empty(t, ok.failed)

	bad := &fakeTB{TB: t}
	RequireSameRows(bad, rows, nil)
	require.NotEmpty(t, bad.failed)
}
