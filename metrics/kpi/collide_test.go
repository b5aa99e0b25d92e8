package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/sla"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Two tickets, two callbacks and two customers whose first id hashes are
// equal (forced through a test seam: the hash becomes the id's length) stay
// two of each, on the scan of the events, on the kept ticket facts and on a
// scheduled run: every row equals the reference's, which keys by the ids.
func TestCollidingIDHashesMergeNothing(t *testing.T) {
	rows := collidingIDRows(t, false)
	for _, r := range rows["scan"] {
		if r.KPI == kpi.Volume && r.Window == "24h" && r.Labels.Branch == kpi.All && r.Labels.Channel == kpi.All {
			require.Equal(t, 2.0, r.Values["opened"])
		}
	}
}

// collidingIDRows checks each path against the reference and returns its rows.
func collidingIDRows(t *testing.T, bothWeak bool) map[string][]kpi.Row {
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	asOf := time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	due := func(s string) *time.Time { v := at(s); return &v }
	base := event.Event{Branch: "b1", Channel: "chat"}
	ev := func(id string, typ event.Type, when string, set func(e *event.Event)) event.Event {
		e := base
		e.EventID, e.Type, e.OccurredAt = id, typ, at(when)
		set(&e)
		return e
	}
	ticket := func(id string) func(e *event.Event) {
		return func(e *event.Event) {
			e.TicketID = id
			if e.Type == event.TicketOpened {
				e.Priority = event.PriorityNormal
			}
			if e.Type == event.TicketMessage {
				e.Author, e.AgentID = event.AuthorAgent, "a1"
			}
		}
	}
	ref := func(id, dueAt string) func(e *event.Event) {
		return func(e *event.Event) {
			e.RefID = id
			if dueAt != "" {
				e.DueAt = due(dueAt)
			}
		}
	}
	customer := func(id string) func(e *event.Event) { return func(e *event.Event) { e.CustomerID = id } }
	// ids of one length: their first hashes collide under the seam
	events := []event.Event{
		ev("a-open", event.TicketOpened, "2026-04-02T08:00:00Z", ticket("T-A")), // waits
		ev("b-open", event.TicketOpened, "2026-04-02T08:05:00Z", ticket("T-B")),
		ev("b-agent", event.TicketMessage, "2026-04-02T08:10:00Z", ticket("T-B")),
		ev("b-resolved", event.TicketResolved, "2026-04-02T09:00:00Z", ticket("T-B")),
		ev("ra-promised", event.CallbackPromised, "2026-04-02T07:00:00Z", ref("R-A", "2026-04-02T09:00:00Z")),
		ev("ra-completed", event.CallbackCompleted, "2026-04-02T08:00:00Z", ref("R-A", "")),
		ev("rb-promised", event.CallbackPromised, "2026-04-02T07:30:00Z", ref("R-B", "2026-04-02T10:00:00Z")),
		ev("ca-before", event.CustomerVisit, "2026-04-01T10:00:00Z", customer("C-A")),
		ev("cb-before", event.CustomerVisit, "2026-04-01T10:30:00Z", customer("C-B")),
		ev("ca-now", event.CustomerVisit, "2026-04-02T09:00:00Z", customer("C-A")),
	}
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", events, len(events)))
	w24, err := kpi.ParseWindow("24h")
	require.NoError(t, err)
	p := kpi.Params{AsOf: asOf, Windows: []kpi.Window{w24},
		Policies: sla.WithDefaults([]sla.Policy{{Name: "default", Channel: sla.Any, Priority: sla.Any, FirstResponse: time.Hour, Resolution: 24 * time.Hour}})}
	kpis := []string{kpi.Volume, kpi.FirstResponse, kpi.Resolution, kpi.SLA, kpi.SLANow, kpi.Retention, kpi.PromiseKept}
	want := referenceRows(t, events, p, kpis)
	out := map[string][]kpi.Row{}

	scan, err := kpi.NewEngine(conn, db).ScanOnly().WithCollidingIDHashes(bothWeak).Compute(ctx, p, kpis...)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, want, scan)
	out["scan"] = scan

	time.Sleep(1100 * time.Millisecond) // ingested_at has whole seconds
	engine := kpi.NewEngine(conn, db).WithFoldOverlap(0).WithCollidingIDHashes(bothWeak)
	require.NoError(t, engine.EnsureTicketFacts(ctx, kpi.TicketFactsFrom(p, asOf)))
	kept, err := engine.Compute(ctx, p, kpis...)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, want, kept)
	out["kept"] = kept

	job := kpi.JobSpec{Name: "tickets", KPIs: kpis}
	for i := 0; i < 2; i++ { // the second run starts from the first's memos
		q := p
		q.AsOf = asOf.Add(time.Duration(i) * time.Minute)
		scheduled, err := kpi.RunJob(ctx, engine, kpi.NewSnapshots(conn, db), job, q, q.AsOf, zerolog.Nop())
		require.NoError(t, err)
		kpitest.RequireSameRows(t, referenceRows(t, events, q, kpis), scheduled)
	}
	return out
}
