package expose

import (
	"math"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// The compare job's series: a flag only for flagged branches, the funnel's
// value, answers, shrunk estimate and four limits for every branch, the
// standard per KPI; non-finite values are left out, and a new screen
// replaces the old one.
func TestUpdateComparisons(t *testing.T) {
	e := New(Options{}, zerolog.Nop())
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	e.UpdateComparisons(asOf, []Compared{
		{KPI: "nps", Window: "30d", Branch: "b1", Value: -30, Answers: 299, Shrunk: -15, Low95: 22, High95: 43, Low998: 16, High998: 49, Direction: "below", Worse: true},
		{KPI: "nps", Window: "30d", Branch: "b2", Value: 35, Answers: 280, Shrunk: 34, Low95: 22, High95: 43, Low998: 16, High998: 49},
		{KPI: "first_response", Window: "30d", Branch: "b3", Value: 600, Answers: 0, Shrunk: math.NaN(), Low95: math.Inf(-1), High95: math.Inf(1), Low998: math.Inf(-1), High998: math.Inf(1)},
	}, []Standard{{KPI: "nps", Window: "30d", Centre: 32.7, BetweenSD: 7.4}, {KPI: "csat", Window: "30d", Centre: math.NaN()}})
	mfs := gather(t, e)
	require.Len(t, mfs["cxpulse_branch_flagged"].GetMetric(), 1)
	v, ok := value(t, mfs, "cxpulse_branch_flagged", map[string]string{"kpi": "nps", "window": "30d", "branch": "b1", "direction": "below", "worse": "true"})
	require.True(t, ok)
	require.Equal(t, 1.0, v)
	v, _ = value(t, mfs, "cxpulse_compare_value", map[string]string{"kpi": "nps", "window": "30d", "branch": "b2"})
	require.Equal(t, 35.0, v)
	v, _ = value(t, mfs, "cxpulse_compare_limit", map[string]string{"kpi": "nps", "window": "30d", "branch": "b1", "level": "0.998", "bound": "upper"})
	require.Equal(t, 49.0, v)
	require.Len(t, mfs["cxpulse_compare_limit"].GetMetric(), 8, "no infinite limit")
	require.Len(t, mfs["cxpulse_compare_shrunk"].GetMetric(), 2, "no NaN")
	v, _ = value(t, mfs, "cxpulse_compare_standard", map[string]string{"kpi": "nps", "window": "30d"})
	require.Equal(t, 32.7, v)
	require.Len(t, mfs["cxpulse_compare_standard"].GetMetric(), 1)

	e.UpdateComparisons(asOf.Add(time.Hour), nil, nil)
	mfs = gather(t, e)
	require.NotContains(t, mfs, "cxpulse_branch_flagged")
	require.NotContains(t, mfs, "cxpulse_compare_value")
}
