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
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/reference"
	"github.com/cxpulse/cxpulse/metrics/sla"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// A ticket whose earliest opening moves to an earlier month (a second,
// earlier ticket.opened arrives after it was folded) leaves its old fold in
// the later month's partition, which merges never compare with the new
// one: the folds must bury it, or a window that holds only the later month
// counts the ticket there. Both a plain Compute and scheduled runs (memos) must equal the
// reference over all the events.
func TestTicketWhoseOpeningMovesToAnEarlierMonth(t *testing.T) {
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	table := "`" + db + "`.events"
	asOf := time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	ev := func(id string, typ event.Type, when, ticket string) event.Event {
		e := event.Event{EventID: id, Type: typ, OccurredAt: at(when), Branch: "b1", Channel: "chat", TicketID: ticket, Priority: "normal"}
		if typ == event.TicketMessage {
			e.Author, e.AgentID = event.AuthorAgent, "a1"
		}
		return e
	}
	first := []event.Event{
		ev("x-open", event.TicketOpened, "2026-04-02T08:00:00Z", "X"),
		ev("x-agent", event.TicketMessage, "2026-04-02T08:30:00Z", "X"),
		ev("y-open", event.TicketOpened, "2026-04-02T09:00:00Z", "Y"),
	}
	late := []event.Event{ev("x-open-earlier", event.TicketOpened, "2026-03-30T08:00:00Z", "X")}
	w24, err := kpi.ParseWindow("24h")
	require.NoError(t, err)
	// the longest window holds April only: its read never meets the March fold
	p := kpi.Params{AsOf: asOf, Windows: []kpi.Window{w24},
		Policies: sla.WithDefaults([]sla.Policy{{Name: "default", Channel: sla.Any, Priority: sla.Any, FirstResponse: time.Hour, Resolution: 24 * time.Hour}})}
	job := kpi.JobSpec{Name: "tickets", KPIs: []string{kpi.Volume, kpi.FirstResponse, kpi.SLA, kpi.SLANow}}

	require.NoError(t, ingest.Load(ctx, conn, table, first, len(first)))
	time.Sleep(1100 * time.Millisecond) // ingested_at has whole seconds
	engine := kpi.NewEngine(conn, db).WithFoldOverlap(0)
	snaps := kpi.NewSnapshots(conn, db)
	rows, err := kpi.RunJob(ctx, engine, snaps, job, p, asOf, zerolog.Nop())
	require.NoError(t, err)
	kpitest.RequireSameRows(t, referenceRows(t, first, p, job.KPIs), rows)

	time.Sleep(1100 * time.Millisecond)
	require.NoError(t, ingest.Load(ctx, conn, table, late, 1))
	time.Sleep(1100 * time.Millisecond)
	all := append(append([]event.Event(nil), first...), late...)
	want := referenceRows(t, all, p, job.KPIs)
	// a later scheduled run starts from its memo
	rows, err = kpi.RunJob(ctx, engine, snaps, job, p, asOf.Add(time.Millisecond), zerolog.Nop())
	require.NoError(t, err)
	later := p
	later.AsOf = asOf.Add(time.Millisecond)
	kpitest.RequireSameRows(t, referenceRows(t, all, later, job.KPIs), rows)
	// and a plain Compute reads the kept facts without memos
	got, err := kpi.NewEngine(conn, db).Compute(ctx, p, job.KPIs...)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, want, got)
	for _, r := range got {
		if r.KPI == kpi.Volume && r.Window == "24h" && r.Labels.Branch == kpi.All && r.Labels.Channel == kpi.All {
			require.Equal(t, 1.0, r.Values["opened"], "X opened in March now")
		}
	}
}

// referenceRows are the reference's rows of the KPIs named.
func referenceRows(t *testing.T, evs []event.Event, p kpi.Params, kpis []string) []kpi.Row {
	t.Helper()
	rows, err := reference.Compute(evs, p)
	require.NoError(t, err)
	keep := map[string]bool{}
	for _, k := range kpis {
		keep[k] = true
	}
	var out []kpi.Row
	for _, r := range rows {
		if keep[r.KPI] {
			out = append(out, r)
		}
	}
	return out
}
