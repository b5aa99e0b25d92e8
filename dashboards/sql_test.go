package dashboards

import (
	"io/fs"
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

func TestLoadSQL(t *testing.T) {
	sql := loadSQL("scorecard_events", scorecardTeam)
	require.NotContains(t, sql, "{{")
	require.Contains(t, sql, "ALL LEFT JOIN", "ticket_facts is included")
	require.Contains(t, sql, "ANY LEFT JOIN", "survey_facts is included")

	sql = loadSQL("scorecard_snapshots", with(scorecardTeam, "snapshot_filter", teamRows))
	require.Contains(t, sql, teamRows)

	require.Panics(t, func() { loadSQL("no_such_query", nil) })
	require.Panics(t, func() { loadSQL("snapshot_rows", nil) }, "a placeholder without a value is an error")
}
