package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/grafana-tools/sdk"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/dashboards"
	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// One flow, one number: on a real ClickHouse, the scorecard panels (Teams:
// team and agent scorecards, the per-team FRT p90 over time; Response: by
// priority), their SQL run with Grafana's variables and macros expanded,
// show exactly the figures the KPI engine computes for the same groups
// (Engine.Compute by [branch, team], [branch, agent], [branch, priority]),
// in business seconds. The tickets and satisfaction jobs run too, with team
// and agent series on, so that their own team and agent rows sit beside the
// scorecards job's: the panels must not count them twice.
func TestScorecardPanelsShowTheEnginesNumbers(t *testing.T) {
	ctx := context.Background()
	conn, db := sqltest.Migrated(t)
	end := time.Now().UTC().Truncate(time.Hour)
	g, err := gen.New(gen.Config{Branches: 3, Days: 12, End: end, Seed: 4242, TicketsPerBranchDay: 30, DupRatio: 0.03})
	require.NoError(t, err)
	var events []event.Event
	_, err = g.Run(ctx, func(r gen.Record) error {
		if !r.Valid {
			return nil
		}
		ev, err := event.Decode(r.Value, end.Add(time.Hour), event.Limits{})
		events = append(events, ev)
		return err
	})
	require.NoError(t, err)
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", events, 0))
	var branches []string
	for _, b := range g.Branches() {
		branches = append(branches, b.Name)
	}

	cfg := config.Default()
	require.NoError(t, cfg.ParseYAML([]byte(gen.ConfigYAML(g.Branches())+slaPolicies+
		fmt.Sprintf("clickhouse: {database: %q}\nmetrics: {team_series: true, agent_series: true}\n", db))))
	a := &app{cfg: cfg, log: zerolog.Nop()}
	params, err := cfg.KPIParams()
	require.NoError(t, err)
	engine, snaps := a.newEngine(conn), kpi.NewSnapshots(conn, db)
	// mid-stream, so that tickets are still waiting; two scorecards runs for
	// the time series, the later one what the tables show
	asOf := end.Add(-20 * time.Hour)
	runs := []time.Time{asOf.Add(-time.Hour), asOf}
	ran := map[string]bool{}
	for _, at := range runs {
		for _, spec := range a.kpiJobSpecs([]string{"tickets", "satisfaction", config.ScorecardsJob}) {
			_, err := kpi.RunJob(ctx, engine, snaps, spec, params, at, zerolog.Nop())
			require.NoError(t, err)
			ran[spec.Name] = true
		}
	}
	require.Len(t, ran, 3)
	// the scorecards job writes its groupings only, not the default
	// branch × channel rows the tickets and satisfaction jobs already write
	var plain, all uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT countIf(team = '' AND agent = '' AND priority = ''), count() FROM `"+db+"`.kpi_snapshots WHERE job = ?",
		config.ScorecardsJob).Scan(&plain, &all))
	require.Zero(t, plain)
	require.NotZero(t, all)

	const window = "7d"
	reference := kpi.NewEngine(conn, db) // its own engine: nothing shared with the jobs'
	engineRows := func(at time.Time, by ...string) []kpi.Row {
		p := params
		p.AsOf, p.By = at, by
		rows, err := reference.Compute(ctx, p) // every KPI, not the job's list
		require.NoError(t, err)
		return rows
	}
	panel := func(board, title string, from, to time.Time) []map[string]any {
		for _, tg := range dashboards.Targets(boardByUID(t, board)) {
			if tg.Panel == title {
				sql := dashboards.ExpandVariablesMulti(tg.SQL, map[string][]string{
					"branch": branches, "channel": {"all"}, "window": {window}, "database": {db}})
				sql, err := dashboards.ExpandMacros(sql, from, to, time.Minute)
				require.NoError(t, err)
				return queryMaps(t, conn, sql)
			}
		}
		t.Fatalf("%s has no panel %q", board, title)
		return nil
	}

	// the scorecards: the latest run at or before the end of the range
	for _, tc := range []struct {
		board, title string
		by           []string
		key          func(l kpi.Labels) (string, bool)
		rowKey       []string
		cols         func(g map[string]kpi.Row, sla []kpi.Row) map[string]any
	}{
		{dashboards.UIDTeams, "Team scorecard", []string{kpi.DimBranch, kpi.DimTeam},
			func(l kpi.Labels) (string, bool) {
				return l.Branch + "|" + l.Team, l.Branch != kpi.All && l.Team != kpi.All
			},
			[]string{"Branch", "Team"}, scorecardFigures},
		{dashboards.UIDTeams, "Agent scorecard", []string{kpi.DimBranch, kpi.DimAgent},
			func(l kpi.Labels) (string, bool) {
				return l.Agent + "|" + l.Branch, l.Branch != kpi.All && l.Agent != kpi.All
			},
			[]string{"Agent", "Branch"}, scorecardFigures},
		{dashboards.UIDResponse, "Response times by priority", []string{kpi.DimBranch, kpi.DimPriority},
			func(l kpi.Labels) (string, bool) {
				b := l.Branch
				if b == kpi.All {
					b = "all (fleet)"
				}
				return b + "|" + l.Priority, l.Priority != kpi.All
			},
			[]string{"Branch", "Priority"}, priorityFigures},
	} {
		t.Run(tc.title, func(t *testing.T) {
			groups := map[string]map[string]kpi.Row{}
			slas := map[string][]kpi.Row{}
			for _, r := range engineRows(asOf, tc.by...) {
				k, ok := tc.key(r.Labels)
				if !ok || r.Window != window || r.Labels.Channel != kpi.All {
					continue
				}
				if groups[k] == nil {
					groups[k] = map[string]kpi.Row{}
				}
				if r.KPI == kpi.SLA {
					slas[k] = append(slas[k], r)
				} else {
					groups[k][r.KPI] = r
				}
			}
			got := map[string]map[string]any{}
			for _, row := range panel(tc.board, tc.title, asOf.Add(-24*time.Hour), asOf) {
				var parts []string
				for _, c := range tc.rowKey {
					parts = append(parts, row[c].(string))
					delete(row, c)
				}
				got[strings.Join(parts, "|")] = row
			}
			require.GreaterOrEqual(t, len(groups), 6, "the engine has groups to compare")
			t.Logf("%d groups, e.g. %v", len(groups), got[firstKey(got)])
			want := map[string]map[string]any{}
			for k, g := range groups {
				want[k] = tc.cols(g, slas[k])
			}
			require.Equal(t, want, got)
		})
	}

	// the time series: one point per run in the range, per branch · team
	t.Run("First response p90 per team over time", func(t *testing.T) {
		want := map[string]any{}
		for _, at := range runs {
			for _, r := range engineRows(at, kpi.DimBranch, kpi.DimTeam) {
				l := r.Labels
				if r.KPI != kpi.FirstResponse || r.Window != window || l.Branch == kpi.All || l.Team == kpi.All {
					continue
				}
				if v, ok := r.Values["p90_seconds"]; ok {
					want[fmt.Sprintf("%d|%s · %s", at.Unix(), l.Branch, l.Team)] = v
				}
			}
		}
		got := map[string]any{}
		for _, row := range panel(dashboards.UIDTeams, "First response p90 per team over time", asOf.Add(-2*time.Hour), asOf.Add(time.Minute)) {
			got[fmt.Sprintf("%d|%s", row["time"].(time.Time).Unix(), row["series"])] = row["frt_p90"]
		}
		require.Greater(t, len(want), 6)
		require.Equal(t, want, got)
	})
}

func firstKey(m map[string]map[string]any) string {
	for k := range m {
		return k
	}
	return ""
}

// scorecardFigures are a team's or agent's scorecard columns computed from
// the engine's rows of its group, as the panel's SQL combines them.
func scorecardFigures(g map[string]kpi.Row, sla []kpi.Row) map[string]any {
	v := func(k, f string) float64 { return g[k].Values[f] }
	var met, decided float64
	for _, r := range sla {
		met += r.Values["met"]
		decided += r.Values["met"] + r.Values["breached"]
	}
	return map[string]any{
		"Tickets":        v(kpi.Volume, "opened"),
		"FRT p50":        opt(g[kpi.FirstResponse], "p50_seconds"),
		"FRT p90":        opt(g[kpi.FirstResponse], "p90_seconds"),
		"Answered":       v(kpi.FirstResponse, "count"),
		"Resolution p50": opt(g[kpi.Resolution], "p50_seconds"),
		"Resolved":       v(kpi.Resolution, "count"),
		"SLA attainment": div(met, decided),
		"FCR":            div(v(kpi.FCR, "fcr"), v(kpi.FCR, "resolved")),
		"Reopened":       div(v(kpi.Reopen, "reopened"), v(kpi.Reopen, "resolved")),
		"CSAT":           div(v(kpi.CSAT, "satisfied"), v(kpi.CSAT, "responses")),
		"CSAT N":         v(kpi.CSAT, "responses"),
		"NPS":            div(100*(v(kpi.NPS, "promoters")-v(kpi.NPS, "detractors")), v(kpi.NPS, "responses")),
		"NPS N":          v(kpi.NPS, "responses"),
		"Complaints":     v(kpi.Complaints, "complaints"),
	}
}

// priorityFigures are the by-priority table's columns from the engine's rows.
func priorityFigures(g map[string]kpi.Row, _ []kpi.Row) map[string]any {
	v := func(k, f string) float64 { return g[k].Values[f] }
	return map[string]any{
		"Tickets":        v(kpi.Volume, "opened"),
		"FRT p50":        opt(g[kpi.FirstResponse], "p50_seconds"),
		"FRT p90":        opt(g[kpi.FirstResponse], "p90_seconds"),
		"Answered":       v(kpi.FirstResponse, "count"),
		"Resolution p50": opt(g[kpi.Resolution], "p50_seconds"),
		"Resolution p90": opt(g[kpi.Resolution], "p90_seconds"),
		"Resolved":       v(kpi.Resolution, "count"),
	}
}

// opt is a field the engine may leave out (a quantile without samples): nil then, as SQL's NULL.
func opt(r kpi.Row, f string) any {
	if v, ok := r.Values[f]; ok {
		return v
	}
	return nil
}

// div is SQL's a / nullIf(b, 0).
func div(a, b float64) any {
	if b == 0 {
		return nil
	}
	return a / b
}

func boardByUID(t *testing.T, uid string) *sdk.Board {
	for _, b := range dashboards.All() {
		if b.UID == uid {
			return b
		}
	}
	t.Fatalf("no dashboard %s", uid)
	return nil
}

// queryMaps runs sql and returns its rows as column name → value, NULLs as
// nil and nullable values dereferenced.
func queryMaps(t *testing.T, conn driver.Conn, sql string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := conn.Query(ctx, sql)
	require.NoError(t, err, sql)
	defer rows.Close()
	cols := rows.ColumnTypes()
	var out []map[string]any
	for rows.Next() {
		dest := make([]any, len(cols))
		for i, c := range cols {
			dest[i] = reflect.New(c.ScanType()).Interface()
		}
		require.NoError(t, rows.Scan(dest...))
		m := map[string]any{}
		for i, c := range cols {
			v := reflect.ValueOf(dest[i]).Elem()
			for v.Kind() == reflect.Pointer {
				if v.IsNil() {
					break
				}
				v = v.Elem()
			}
			if v.Kind() == reflect.Pointer {
				m[c.Name()] = nil
			} else {
				m[c.Name()] = v.Interface()
			}
		}
		out = append(out, m)
	}
	require.NoError(t, rows.Err())
	return out
}
