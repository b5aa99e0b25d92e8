package kpi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The scorecards job computes what the dashboards' scorecards read, each KPI
// in the groupings it splits by, and not the live breaching-now counts.
func TestScorecardsSpec(t *testing.T) {
	spec := ScorecardsSpec()
	require.True(t, spec.NoDefault)
	require.Equal(t, [][]string{{DimBranch, DimTeam}, {DimBranch, DimAgent}, {DimBranch, DimPriority}}, spec.Extra)
	for _, k := range []string{Volume, FirstResponse, Resolution, SLA, FCR, Reopen, CSAT, NPS, Complaints} {
		require.Contains(t, spec.KPIs, k, "a scorecard column reads it")
	}
	require.NotContains(t, spec.KPIs, SLANow)
	for _, k := range spec.KPIs {
		splits := false
		for _, by := range spec.Extra {
			splits = splits || splitsBy(k, by)
		}
		require.True(t, splits, "%s splits by one of the scorecards' groupings", k)
	}
	require.True(t, splitsBy(FirstResponse, []string{DimBranch, DimPriority}))
	require.False(t, splitsBy(NPS, []string{DimBranch, DimPriority}), "surveys carry no priority")
}
