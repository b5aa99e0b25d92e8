package kpi_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/chdbdump"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/reference"
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// loaded is a fresh database on the real ClickHouse holding events.
type loaded struct {
	conn   driver.Conn
	engine *kpi.Engine
	snaps  *kpi.Snapshots
	db     string
}

// load migrates a fresh database and writes the events in small batches, so
// that they land in several parts and duplicates are not merged away: the
// queries must deduplicate on read.
func load(t *testing.T, events []event.Event) loaded {
	t.Helper()
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", events, 1+len(events)/7))
	return loaded{conn: conn, engine: kpi.NewEngine(conn, db), snaps: kpi.NewSnapshots(conn, db), db: db}
}

// forEachPart runs test on every part of the golden fixture (kpitest.LoadAll).
func forEachPart(t *testing.T, test func(t *testing.T, g *kpitest.Golden)) {
	for _, g := range kpitest.LoadAll(t) {
		t.Run(filepath.Base(g.Dir), func(t *testing.T) { test(t, g) })
	}
}

func TestGoldenFixture(t *testing.T) { forEachPart(t, eachGoldenFixture) }

func eachGoldenFixture(t *testing.T, g *kpitest.Golden) {
	var err error
	l := load(t, g.Events)
	got, err := l.engine.Compute(context.Background(), g.Params)
	require.NoError(t, err)
	kpitest.RequireRowsMatch(t, g.Expected, got)

	// every row, not only the hand-worked ones, equals the reference
	want, err := reference.Compute(g.Events, g.Params)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, want, got)
}

// The report groupings (region, team, agent, priority) follow the same rules.
func TestGoldenFixtureByOtherDimensions(t *testing.T) {
	forEachPart(t, eachGoldenFixtureByOtherDimensions)
}

func eachGoldenFixtureByOtherDimensions(t *testing.T, g *kpitest.Golden) {
	l := load(t, g.Events)
	for _, by := range [][]string{{kpi.DimRegion}, {kpi.DimBranch, kpi.DimTeam}, {kpi.DimAgent}, {kpi.DimChannel, kpi.DimPriority}} {
		p := g.Params
		p.By = by
		got, err := l.engine.Compute(context.Background(), p)
		require.NoError(t, err, "by %v", by)
		want, err := reference.Compute(g.Events, p)
		require.NoError(t, err)
		require.NotEmpty(t, got, "by %v", by)
		kpitest.RequireSameRows(t, want, got)
	}
}

// A snapshot reads back exactly as written, and writing the same job and
// as_of again replaces it instead of adding to it.
func TestSnapshotsRoundTrip(t *testing.T) {
	g, err := kpitest.LoadGolden("../../testdata/golden")
	require.NoError(t, err)
	l := load(t, g.Events)
	ctx := context.Background()
	rows, err := l.engine.Compute(ctx, g.Params)
	require.NoError(t, err)
	require.NotEmpty(t, rows)

	asOf := g.Params.AsOf
	_, ok, err := l.snaps.Latest(ctx, "all")
	require.NoError(t, err)
	require.False(t, ok, "no snapshot yet")
	require.NoError(t, l.snaps.Write(ctx, "all", asOf, rows, time.Second))
	require.NoError(t, l.snaps.Write(ctx, "all", asOf, rows, time.Second))
	latest, ok, err := l.snaps.Latest(ctx, "all")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, latest.Equal(asOf), "latest %s, wrote %s", latest, asOf)
	back, err := l.snaps.Read(ctx, "all", asOf)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, rows, back)
	has, err := l.snaps.Has(ctx, "all", asOf.Add(time.Hour))
	require.NoError(t, err)
	require.False(t, has)
}

// The ticket facts kept incrementally give exactly what grouping the events
// gives. Every other ticket event of the fixture arrives late: the rest is
// folded in full, then the incremental fold that Compute runs must fold in
// the late ones (openings after their replies, late messages, resolutions,
// reopenings), refolding exactly the tickets they touch.
func TestGoldenFixtureFromKeptTicketFacts(t *testing.T) {
	forEachPart(t, eachGoldenFixtureFromKeptTicketFacts)
}

func eachGoldenFixtureFromKeptTicketFacts(t *testing.T, g *kpitest.Golden) {
	var err error
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	var early, late []event.Event
	opened, touched := map[string]bool{}, map[string]bool{}
	ticketEvents := 0
	for _, ev := range g.Events {
		if !strings.HasPrefix(string(ev.Type), "ticket.") {
			early = append(early, ev)
			continue
		}
		if ev.Type == "ticket.opened" {
			opened[ev.TicketID] = true
		}
		ticketEvents++
		if ticketEvents%2 == 1 {
			early = append(early, ev)
		} else {
			late = append(late, ev)
			touched[ev.TicketID] = true
		}
	}
	for id := range touched {
		if !opened[id] {
			delete(touched, id) // no facts without an opening
		}
	}
	require.NotEmpty(t, touched)
	table := "`" + db + "`.events"
	require.NoError(t, ingest.Load(ctx, conn, table, early, 1+len(early)/3))

	// ingested_at has whole seconds, and a fold refolds what was ingested in
	// the second it starts: the loads and the folds are a second apart
	time.Sleep(1100 * time.Millisecond)
	rec := &chdbdump.Recorder{Conn: conn}
	engine := kpi.NewEngine(rec, db).WithFoldOverlap(0)
	require.NoError(t, engine.EnsureTicketFacts(ctx, kpi.TicketFactsFrom(g.Params, g.Params.AsOf)))
	time.Sleep(1100 * time.Millisecond)
	require.NoError(t, ingest.Load(ctx, conn, table, late, 1+len(late)/3))
	time.Sleep(1100 * time.Millisecond)

	// retention by service experience reads the tickets as of the end of
	// each previous window, which for the longest window lies before the
	// kept facts' range, so from the events (experience_test.go holds both
	// paths to the reference): left out of what must come from kept facts
	var kpis []string
	for _, k := range kpi.Names() {
		if k != kpi.Experience {
			kpis = append(kpis, k)
		}
	}
	got, err := engine.Compute(ctx, g.Params, kpis...)
	require.NoError(t, err)
	var expected []kpi.Row
	for _, r := range g.Expected {
		if r.KPI != kpi.Experience {
			expected = append(expected, r)
		}
	}
	kpitest.RequireRowsMatch(t, expected, got)
	kpitest.RequireSameRows(t, referenceRows(t, g.Events, g.Params, kpis), got)

	// the tickets came from the kept facts, never from the events
	factsQuery, err := cxsql.KPIVariantQuery("tickets_facts", db)
	require.NoError(t, err)
	scanQuery, err := cxsql.KPIVariantQuery("tickets", db)
	require.NoError(t, err)
	openScanQuery, err := cxsql.KPIVariantQuery("tickets_open", db)
	require.NoError(t, err)
	openQuery, err := cxsql.KPIVariantQuery("tickets_facts_open", db)
	require.NoError(t, err)
	versionsQuery, err := cxsql.KPIVariantQuery("tickets_fact_versions", db)
	require.NoError(t, err)
	fromFacts, fromVersions := 0, 0
	for _, c := range rec.Calls() {
		require.NotEqual(t, scanQuery, c.SQL)
		require.NotEqual(t, openScanQuery, c.SQL)
		switch c.SQL {
		case factsQuery, openQuery:
			fromFacts++
		case versionsQuery:
			fromVersions++
		}
	}
	require.Equal(t, 1, fromFacts, "breaching-now reads the newest fold of each ticket")
	require.Equal(t, 1, fromVersions, "the tickets KPIs read every fold and keep the newest")

	// the incremental fold refolded the tickets with late events, no other
	var refolded uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT uniqExact(ticket_id) FROM `"+db+
		"`.ticket_facts WHERE folded_ms = (SELECT max(folded_ms) FROM `"+db+"`.ticket_facts)").Scan(&refolded))
	require.Equal(t, uint64(len(touched)), refolded)

	// and the scan of the events, which an as_of older than the kept facts
	// uses, agrees with them
	scanned, err := kpi.NewEngine(conn, db).ScanOnly().Compute(ctx, g.Params, kpis...)
	require.NoError(t, err)
	kpitest.RequireSameRows(t, got, scanned)
}

// Scheduled runs of the tickets and breaching-now jobs reuse what the
// previous run computed (the memos) and read only the tickets that may have
// changed: run early with
// half the ticket events, then at the fixture's as_of with the rest folded
// in, then again with nothing new, each equal to grouping all the events.
func TestScheduledTicketRunsReuseThePreviousRun(t *testing.T) {
	forEachPart(t, eachScheduledTicketRunsReuseThePreviousRun)
}

func eachScheduledTicketRunsReuseThePreviousRun(t *testing.T, g *kpitest.Golden) {
	var err error
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	var early, late []event.Event
	for i, ev := range g.Events {
		if strings.HasPrefix(string(ev.Type), "ticket.") && i%3 == 0 {
			late = append(late, ev)
		} else {
			early = append(early, ev)
		}
	}
	table := "`" + db + "`.events"
	require.NoError(t, ingest.Load(ctx, conn, table, early, 0))
	time.Sleep(1100 * time.Millisecond)

	rec := &chdbdump.Recorder{Conn: conn}
	engine := kpi.NewEngine(rec, db).WithFoldOverlap(0)
	snaps := kpi.NewSnapshots(conn, db)
	job := kpi.JobSpec{Name: "tickets", KPIs: []string{kpi.FirstResponse, kpi.NextResponse, kpi.Resolution, kpi.Reopen,
		kpi.FCR, kpi.Volume, kpi.SLA, kpi.SLADecisions}}
	slaJob := kpi.JobSpec{Name: "sla_now", KPIs: []string{kpi.SLANow}}
	scan := kpi.NewEngine(conn, db).ScanOnly()
	check := func(asOf time.Time) {
		t.Helper()
		for _, j := range []kpi.JobSpec{job, slaJob} {
			got, err := kpi.RunJob(ctx, engine, snaps, j, g.Params, asOf, zerolog.Nop())
			require.NoError(t, err)
			p := g.Params
			p.AsOf = asOf
			want, err := scan.Compute(ctx, p, j.KPIs...)
			require.NoError(t, err)
			require.NotEmpty(t, want, j.Name)
			kpitest.RequireSameRows(t, want, got)
		}
	}
	check(g.Params.AsOf.Add(-26 * time.Hour))
	require.NoError(t, ingest.Load(ctx, conn, table, late, 0))
	time.Sleep(1100 * time.Millisecond)
	check(g.Params.AsOf)
	check(g.Params.AsOf)

	// the runs after the first read only what may have changed
	versions, err := cxsql.KPIVariantQuery("tickets_fact_versions", db)
	require.NoError(t, err)
	var reads []int
	for _, c := range rec.Calls() {
		if c.SQL == versions {
			reads = append(reads, c.Rows)
		}
	}
	// the first tickets run reads every ticket, the first breaching-now run
	// the waiting ones (FINAL); then each job reads what changed
	require.Len(t, reads, 5)
	require.NotZero(t, reads[0])
	require.Less(t, reads[1], reads[0]+len(late), "the second run reads the refolded tickets only")
	// nothing changed: only the tickets with events after as_of are read
	// again (their facts may still change as as_of moves on)
	openedBefore, after := map[string]bool{}, map[string]bool{}
	for _, ev := range g.Events {
		if ev.Type == "ticket.opened" && ev.OccurredAt.Before(g.Params.AsOf) {
			openedBefore[ev.TicketID] = true
		}
	}
	for _, ev := range g.Events {
		if strings.HasPrefix(string(ev.Type), "ticket.") && !ev.OccurredAt.Before(g.Params.AsOf) && openedBefore[ev.TicketID] {
			after[ev.TicketID] = true
		}
	}
	require.Equal(t, len(after), reads[3], "tickets")
	require.LessOrEqual(t, reads[4], len(after), "breaching-now")

	// and the rows equal the hand-worked ones
	got, err := kpi.RunJob(ctx, engine, snaps, job, g.Params, g.Params.AsOf, zerolog.Nop())
	require.NoError(t, err)
	var expected []kpi.Row
	for _, row := range g.Expected {
		if slices.Contains(job.KPIs, row.KPI) {
			expected = append(expected, row)
		}
	}
	kpitest.RequireRowsMatch(t, expected, got)
}
