package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/chdbdump"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// What retention by service experience adds to the hourly retention job:
// the job's KPIs without it (the baseline) and with it, on 8 generated
// branches over 120 days, default windows, from the events (as a first run
// or a backfill does) and with the kept ticket facts. Reproduce:
//
//	go test -run '^$' -bench BenchmarkRetentionJob -benchtime 5x -count 3 ./metrics/kpi/
func BenchmarkRetentionJob(b *testing.B) {
	ctx := context.Background()
	end := time.Date(2026, 4, 5, 12, 0, 0, 0, time.UTC)
	_, evs, err := chdbdump.Events(ctx, gen.Config{Branches: 8, Days: 120, End: end, Seed: 15, TicketsPerBranchDay: 30})
	require.NoError(b, err)
	conn, db := sqltest.Migrated(b)
	require.NoError(b, ingest.Load(ctx, conn, "`"+db+"`.events", evs, 50_000))
	scan := kpi.NewEngine(conn, db).ScanOnly()
	p := kpi.Params{AsOf: end.Add(-90 * time.Minute)}
	kept := kpi.NewEngine(conn, db)
	require.NoError(b, kept.EnsureTicketFacts(ctx, kpi.TicketFactsFrom(p, p.AsOf)))
	for _, bc := range []struct {
		name   string
		engine *kpi.Engine
		kpis   []string
	}{
		{"retention_cohorts", scan, []string{kpi.Retention, kpi.Cohort}},
		{"with_experience", scan, []string{kpi.Retention, kpi.Cohort, kpi.Experience}},
		{"with_experience_kept_facts", kept, []string{kpi.Retention, kpi.Cohort, kpi.Experience}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportMetric(float64(len(evs)), "events")
			for b.Loop() {
				_, err := bc.engine.Compute(ctx, p, bc.kpis...)
				require.NoError(b, err)
			}
		})
	}
}
