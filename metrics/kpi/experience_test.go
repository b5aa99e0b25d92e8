package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/chdbdump"
	"github.com/cxpulse/cxpulse/metrics/sla"
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Retention by service experience on generated data: the engine, from the
// events and from the kept ticket facts, gives exactly the reference's rows
// at several as_of (off whole seconds, so that the millisecond bounds of
// every previous window matter), and the two groups partition retention's
// previously active customers.
func TestExperienceEqualsReferenceOnGeneratedData(t *testing.T) {
	ctx := context.Background()
	ds, err := chdbdump.Generated(ctx)
	require.NoError(t, err)
	conn, db := sqltest.Migrated(t)
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", ds.Events, 1+len(ds.Events)/7))
	p := ds.Params
	for _, label := range []string{"24h", "7d", "10d"} {
		w, err := kpi.ParseWindow(label)
		require.NoError(t, err)
		p.Windows = append(p.Windows, w)
	}
	p.Policies = sla.WithDefaults([]sla.Policy{
		{Name: "chat", Channel: "chat", Priority: sla.Any, FirstResponse: 5 * time.Minute, Resolution: 4 * time.Hour, BusinessHours: true},
		{Name: "default", Channel: sla.Any, Priority: sla.Any, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour, BusinessHours: true},
	})
	kpis := []string{kpi.Experience, kpi.Retention}
	// kept facts from before the data, so that they cover every previous
	// window (as they do once a deployment has run for the longest window)
	rec := &chdbdump.Recorder{Conn: conn}
	kept := kpi.NewEngine(rec, db)
	require.NoError(t, kept.EnsureTicketFacts(ctx, chdbdump.GenAsOf.Add(-70*24*time.Hour)))
	reasons := map[string]float64{}
	for _, asOf := range []time.Time{chdbdump.GenAsOf, chdbdump.GenAsOf.Add(-3*24*time.Hour - 1500*time.Millisecond), chdbdump.GenAsOf.Add(-9*24*time.Hour + 17*time.Minute)} {
		q := p
		q.AsOf = asOf
		want := referenceRows(t, ds.Events, q, kpis)
		scan, err := kpi.NewEngine(conn, db).ScanOnly().Compute(ctx, q, kpis...)
		require.NoError(t, err)
		kpitest.RequireSameRows(t, want, scan)
		fromFacts, err := kept.Compute(ctx, q, kpis...)
		require.NoError(t, err)
		kpitest.RequireSameRows(t, want, fromFacts)

		retention := map[string]kpi.Row{}
		for _, r := range scan {
			if r.KPI == kpi.Retention {
				retention[r.Window+"|"+r.Labels.String()] = r
			}
		}
		for _, r := range scan {
			if r.KPI != kpi.Experience {
				continue
			}
			total := retention[r.Window+"|"+r.Labels.String()]
			require.Equal(t, total.Values["previous"], r.Values["bad_previous"]+r.Values["good_previous"], r.Key())
			require.Equal(t, total.Values["retained"], r.Values["bad_retained"]+r.Values["good_retained"], r.Key())
			if r.Labels.Branch == kpi.All {
				for _, f := range []string{"detractor", "sla_breached", "promise_broken", "appointment_late"} {
					reasons[f] += r.Values[f]
				}
			}
		}
	}
	factsQuery, err := cxsql.KPIVariantQuery("tickets_facts", db)
	require.NoError(t, err)
	fromFacts := 0
	for _, c := range rec.Calls() {
		if c.SQL == factsQuery {
			fromFacts++
		}
	}
	require.Equal(t, 3, fromFacts, "the breaches come from the kept facts, one read per as_of")
	// every kind of bad experience occurs, or the equality proves little
	for f, n := range reasons {
		require.Positive(t, n, "fleet customers with %s", f)
	}
	require.Len(t, reasons, 4)
}
