package compare_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
	"github.com/cxpulse/cxpulse/metrics/stats"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// On generated data for 8 branches, four of them planted worse at one
// thing each, the comparison flags exactly that branch on its KPI, as worse
// than the standard, and no other branch either way.
func TestPlantedBranchesAreFlagged(t *testing.T) {
	end := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	g, err := gen.New(gen.Config{Branches: 8, Days: 45, End: end, Seed: 5, TicketsPerBranchDay: 30})
	require.NoError(t, err)
	var events []event.Event
	_, err = g.Run(context.Background(), func(r gen.Record) error {
		ev, err := event.Decode(r.Value, end.Add(time.Hour), event.Limits{})
		events = append(events, ev)
		return err
	})
	require.NoError(t, err)
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", events, 0))
	engine := kpi.NewEngine(conn, db)
	w, _ := kpi.ParseWindow("30d")
	planted := g.Planted()

	chat := []sla.Policy{{Name: "chat", Channel: "chat", Priority: "*", FirstResponse: 10 * time.Minute, BusinessHours: true, Objective: 0.95}}
	for _, tc := range []struct {
		kpi, worst string
	}{
		{"nps", planted.LowNPS},
		{"csat", planted.LowNPS},
		{"punctuality", planted.LateAppointments},
		{"promise_kept", planted.BrokenCallbacks},
		{"sla", planted.SlowChat},
	} {
		t.Run(tc.kpi, func(t *testing.T) {
			res, err := compare.Compare(ctx, engine, kpi.Params{AsOf: end, Policies: chat}, compare.Options{KPI: tc.kpi, Window: w})
			require.NoError(t, err)
			require.Len(t, res.Branches, 8)
			require.True(t, res.Fleet.Has)
			var worse, flagged []string
			for _, b := range res.Branches {
				require.True(t, b.Estimate.Low <= b.Estimate.Value && b.Estimate.Value <= b.Estimate.High, "%s: interval holds the estimate", b.Branch)
				if b.Worse {
					worse = append(worse, b.Branch)
				}
				if b.Flag != "" {
					flagged = append(flagged, b.Branch)
				}
			}
			require.Equal(t, []string{tc.worst}, worse, "flagged as worse than the standard")
			require.Equal(t, []string{tc.worst}, flagged, "no ordinary branch flagged either way")
			require.Equal(t, tc.worst, res.Branches[len(res.Branches)-1].Branch, "ranked last")
			require.NotNil(t, res.Branches[0].VsPrevious, "compared with the previous period")
		})
	}
	// response times compare the branches' samples by rank
	res, err := compare.Compare(ctx, engine, kpi.Params{AsOf: end}, compare.Options{KPI: "first_response", Window: w})
	require.NoError(t, err)
	require.Len(t, res.Branches, 8)
	require.Equal(t, stats.MethodFunnelExact, res.Branches[0].VsStandard.Method, "medians: with the sign test")
	for i := 1; i < len(res.Branches); i++ {
		require.LessOrEqual(t, res.Branches[i-1].Shrunk, res.Branches[i].Shrunk, "fastest first")
	}
}
