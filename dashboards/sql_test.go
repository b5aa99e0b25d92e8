package dashboards

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every file in sql/ is used: by a panel, or included by another file.
func TestEverySQLFileIsUsed(t *testing.T) {
	var all []string
	for _, b := range All() {
		targets := Targets(b)
		for _, tg := range targets {
			all = append(all, tg.SQL)
		}
	}
	used := strings.Join(all, "\n")
	files, err := fs.Glob(sqlFiles, "sql/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := sqlFiles.ReadFile(f)
		require.NoError(t, err)
		// a file's first non-comment line appears in some panel's SQL
		var first string
		for _, line := range strings.Split(string(raw), "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
				first = l
				break
			}
		}
		require.NotEmpty(t, first, f)
		require.Contains(t, used, first, "%s is used by no panel", f)
	}
}

// engineTables are the tables SQL panels may read: what the KPI jobs wrote.
var engineTables = map[string]bool{"kpi_snapshots": true, "kpi_snapshot_runs": true}

var (
	qualifiedTableRE = regexp.MustCompile(`\$\{database\}\s*\.\s*` + "`?" + `(\w+)`)
	// FROM or JOIN followed by anything but a subquery or ${database}.table
	bareTableRE = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([^\s(]+)`)
	commentRE   = regexp.MustCompile(`--[^\n]*`)
	arrayJoinRE = regexp.MustCompile(`(?i)\bARRAY\s+JOIN\b`) // joins arrays, not a table
)

// One flow, one number: a SQL panel reads only what the KPI engine produced
// (kpi_snapshots), never the raw events (or the engine's internal
// ticket_facts), which a panel would turn into a second derivation of a KPI
// in other units (calendar instead of business seconds) than the engine's.
func TestSQLPanelsReadOnlyTheEnginesOutput(t *testing.T) {
	checked := 0
	for _, b := range All() {
		for _, tg := range Targets(b) {
			if tg.SQL == "" {
				continue
			}
			checked++
			where := tg.Dashboard + " / " + tg.Panel
			sql := arrayJoinRE.ReplaceAllString(commentRE.ReplaceAllString(tg.SQL, ""), "ARRAY_JOIN")
			for _, m := range qualifiedTableRE.FindAllStringSubmatch(sql, -1) {
				require.True(t, engineTables[m[1]], "%s reads ${database}.%s; panels read only %v", where, m[1], engineTables)
			}
			for _, m := range bareTableRE.FindAllStringSubmatch(sql, -1) {
				require.True(t, strings.HasPrefix(m[1], "${database}"), "%s reads %s, not a table of ${database}", where, m[1])
			}
		}
	}
	require.Greater(t, checked, 3)
}

func TestPanelTableCheckCatchesTheEvents(t *testing.T) {
	for _, sql := range []string{"SELECT 1 FROM ${database}.events", "SELECT 1 FROM ${database}.`events`", "SELECT 1 FROM ${database}.ticket_facts"} {
		m := qualifiedTableRE.FindStringSubmatch(sql)
		require.NotNil(t, m, sql)
		require.False(t, engineTables[m[1]], sql)
	}
	m := bareTableRE.FindStringSubmatch("SELECT 1 FROM cxpulse.events")
	require.Equal(t, "cxpulse.events", m[1])
}

func TestLoadSQL(t *testing.T) {
	sql := loadSQL("scorecard_snapshots", with(scorecardTeam, "snapshot_filter", teamRows))
	require.NotContains(t, sql, "{{")
	require.Contains(t, sql, teamRows)
	require.Contains(t, sql, "job = 'scorecards'", "snapshot_rows is included")

	require.Panics(t, func() { loadSQL("no_such_query", nil) })
	require.Panics(t, func() { loadSQL("snapshot_rows", nil) }, "a placeholder without a value is an error")
}
