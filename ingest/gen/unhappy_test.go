package gen_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/chdbdump"
	"github.com/cxpulse/cxpulse/metrics/kpi/reference"
)

// Customers with a bad experience churn UnhappyChurnFactor× faster, so the
// fleet's retention by service experience shows a real gap: the customers
// with a bad experience in the previous 30 days come back clearly less, the
// interval excludes 0. With the factor at 1 the gap is noise (this test then
// fails: tried).
func TestUnhappyCustomersChurnMore(t *testing.T) {
	end := time.Date(2026, 4, 5, 12, 0, 0, 0, time.UTC)
	_, evs, err := chdbdump.Events(context.Background(), gen.Config{Branches: 8, Days: 70, End: end, Seed: 15, TicketsPerBranchDay: 20})
	require.NoError(t, err)
	w, err := kpi.ParseWindow("30d")
	require.NoError(t, err)
	rows, err := reference.Compute(evs, kpi.Params{AsOf: end, Windows: []kpi.Window{w}})
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
	require.Greater(t, v["gap_lower"], 0.0, "a bad experience costs retention beyond noise")
	require.Less(t, v["p_value"], 0.001)
}
