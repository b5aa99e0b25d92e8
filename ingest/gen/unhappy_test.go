package gen_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/chdbdump"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/reference"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// Half of the customers who had a bad experience leave right after it
// (UnhappyLeaveShare), so on the data of `make demo` (8 branches, 30 days,
// seed 1) under its SLA policies the fleet's retention by service
// experience shows a real gap over 7 days: the customers with a bad
// experience in the previous 7 days come back clearly less, the interval
// is far from 0. With the share at 0 the gap is nil (-0.4 points) and this
// test fails (tried).
func TestUnhappyCustomersChurnMore(t *testing.T) {
	end := time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC)
	g, evs, err := chdbdump.Events(context.Background(), gen.Config{Branches: 8, Days: 30, End: end, Seed: 1})
	require.NoError(t, err)
	w, err := kpi.ParseWindow("7d")
	require.NoError(t, err)
	// the demo's SLA policies, in the generated branches' hours
	var conf struct {
		Calendars map[string]calendar.Spec `yaml:"calendars"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(gen.ConfigYAML(g.Branches())), &conf))
	cals, err := calendar.NewSet(conf.Calendars)
	require.NoError(t, err)
	policies := sla.WithDefaults([]sla.Policy{
		{Name: "chat", Channel: "chat", Priority: sla.Any, FirstResponse: 10 * time.Minute, Resolution: 8 * time.Hour, BusinessHours: true},
		{Name: "phone", Channel: "phone", Priority: sla.Any, FirstResponse: 30 * time.Minute, Resolution: 24 * time.Hour, BusinessHours: true},
		{Name: "default", Channel: sla.Any, Priority: sla.Any, FirstResponse: 4 * time.Hour, Resolution: 72 * time.Hour, BusinessHours: true},
	})
	rows, err := reference.Compute(evs, kpi.Params{AsOf: end, Windows: []kpi.Window{w}, Calendars: cals, Policies: policies})
	require.NoError(t, err)
	var fleet kpi.Row
	for _, r := range rows {
		if r.KPI == kpi.Experience && r.Labels.Branch == kpi.All {
			fleet = r
		}
	}
	v := fleet.Values
	t.Logf("fleet: bad %v/%v, good %v/%v, gap %.3f [%.3f, %.3f], p %.2g", v["bad_retained"], v["bad_previous"],
		v["good_retained"], v["good_previous"], v["gap"], v["gap_lower"], v["gap_upper"], v["p_value"])
	require.Greater(t, v["bad_previous"], 100.0, "enough unhappy customers to tell")
	require.Greater(t, v["gap_lower"], 0.1, "a bad experience costs retention beyond noise")
	require.Less(t, v["p_value"], 0.001)
}
