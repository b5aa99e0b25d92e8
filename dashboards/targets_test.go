package dashboards

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTargets(t *testing.T) {
	seen := map[string]int{}
	for _, b := range All() {
		targets := Targets(b)
		require.NotEmpty(t, targets, b.UID)
		for _, tg := range targets {
			require.Equal(t, b.UID, tg.Dashboard)
			require.NotEmpty(t, tg.Panel)
			require.NotZero(t, tg.PanelID)
			require.Regexp(t, `^[A-Z]$`, tg.RefID)
			switch tg.Datasource {
			case DatasourcePrometheus:
				require.NotEmpty(t, tg.Expr, "%s / %s", tg.Dashboard, tg.Panel)
				require.Empty(t, tg.SQL)
			case DatasourceClickHouse:
				require.NotEmpty(t, tg.SQL, "%s / %s", tg.Dashboard, tg.Panel)
				require.Empty(t, tg.Expr)
			default:
				t.Fatalf("%s / %s: datasource %q", tg.Dashboard, tg.Panel, tg.Datasource)
			}
			seen[tg.Datasource]++
		}
	}
	require.Greater(t, seen[DatasourcePrometheus], 50)
	require.Greater(t, seen[DatasourceClickHouse], 4)
}

func TestExpandVariables(t *testing.T) {
	vals := map[string]string{"branch": "praha-1", "channel": "chat", "window": "30d", "database": "dash_x", "__rate_interval": "1m"}
	for _, tc := range []struct{ in, want string }{
		{`cxpulse_nps{branch=~"$branch", channel="$channel", window="${window}"}`, `cxpulse_nps{branch=~"praha-1", channel="chat", window="30d"}`},
		{`rate(x[$__rate_interval])`, `rate(x[1m])`},
		{`FROM ${database}.events WHERE branch IN (${branch:singlequote})`, `FROM dash_x.events WHERE branch IN ('praha-1')`},
		{`[[channel]] [[branch:doublequote]]`, `chat "praha-1"`},
		// unknown variables, label_replace back-references and macros stay
		{`label_replace(x, "a", "$1", "b", "(.*)") $unknown $__timeFilter(t)`, `label_replace(x, "a", "$1", "b", "(.*)") $unknown $__timeFilter(t)`},
	} {
		require.Equal(t, tc.want, ExpandVariables(tc.in, vals), tc.in)
	}
}

func TestExpandVariablesMulti(t *testing.T) {
	vals := map[string][]string{"branch": {"praha-1", "o'neil.2"}}
	for _, tc := range []struct{ in, want string }{
		{`{branch=~"$branch"}`, `{branch=~"(praha-1|o'neil\\.2)"}`},
		{`IN (${branch:singlequote})`, `IN ('praha-1','o\'neil.2')`},
		{`${branch:regex}`, `(praha-1|o'neil\.2)`},
		{`${branch:pipe}`, `praha-1|o'neil.2`},
		{`${branch:csv}`, `praha-1,o'neil.2`},
	} {
		require.Equal(t, tc.want, ExpandVariablesMulti(tc.in, vals), tc.in)
	}
}

func TestExpandMacros(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	got, err := ExpandMacros("WHERE $__timeFilter(occurred_at) AND as_of <= $__toTime AND x >= $__fromTime - INTERVAL 30 DAY GROUP BY intDiv(t, $__interval_s)", from, to, 90*time.Second)
	require.NoError(t, err)
	require.Equal(t, "WHERE occurred_at >= toDateTime(1790812800) AND occurred_at <= toDateTime(1790899200) AND as_of <= toDateTime(1790899200) AND x >= toDateTime(1790812800) - INTERVAL 30 DAY GROUP BY intDiv(t, 90)", got)

	got, err = ExpandMacros("$__interval_s", from, to, 10*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, "1", got, "at least one second, as the plugin")

	_, err = ExpandMacros("SELECT $__timeInterval(t)", from, to, time.Minute)
	require.ErrorContains(t, err, "$__timeInterval(t)")
}

// Every SQL target expands completely and avoids what ClickHouse 18.16 lacks
// (docs/CLICKHOUSE.md): CTEs, window functions, toStartOfInterval,
// DateTime64, several JOINs in one SELECT, CASE without ELSE.
func TestSQLTargetsSuitClickHouse1816(t *testing.T) {
	vals := map[string][]string{
		"branch": {"praha-1", "brno-1"}, "channel": {"all"}, "window": {"30d"}, "database": {"cxpulse"},
	}
	banned := map[string]*regexp.Regexp{
		"CTE":                regexp.MustCompile(`(?i)\bWITH\s+\w+\s+AS\s*\(`),
		"window function":    regexp.MustCompile(`(?i)\bOVER\s*\(`),
		"toStartOfInterval":  regexp.MustCompile(`(?i)toStartOfInterval|date_trunc|toStartOfWeek`),
		"DateTime64":         regexp.MustCompile(`(?i)DateTime64|now64`),
		"Map/JSON functions": regexp.MustCompile(`(?i)JSONExtract|\bMap\(`),
		"-OrNull combinator": regexp.MustCompile(`OrNull\(`),
		"WITH FILL":          regexp.MustCompile(`(?i)WITH\s+FILL|WITH\s+TIES`),
	}
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, b := range All() {
		targets := Targets(b)
		for _, tg := range targets {
			if tg.Datasource != DatasourceClickHouse {
				continue
			}
			where := tg.Dashboard + " / " + tg.Panel
			sql, err := ExpandMacros(tg.SQL, from, from.Add(30*24*time.Hour), time.Hour)
			require.NoError(t, err, where)
			sql = ExpandVariablesMulti(sql, vals)
			require.NotContains(t, sql, "$", where)
			require.NotContains(t, sql, "{{", where)
			for what, re := range banned {
				require.False(t, re.MatchString(sql), "%s: %s", where, what)
			}
			require.NoError(t, oneJoinPerSelect(sql), where)
			if strings.Contains(strings.ToUpper(sql), "CASE") {
				require.Contains(t, strings.ToUpper(sql), "ELSE", where)
			}
		}
	}
}

// oneJoinPerSelect fails when two JOINs sit in the same parenthesised scope
// (one SELECT): 18.16 allows one JOIN per SELECT; nested subqueries may have
// one each.
func oneJoinPerSelect(sql string) error {
	joinRE := regexp.MustCompile(`(?i)\bJOIN\b`)
	// scope id per byte: the index of the innermost open parenthesis
	var stack []int
	scopeOf := make([]int, len(sql))
	for i, c := range sql {
		switch c {
		case '(':
			stack = append(stack, i)
		case ')':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
		if len(stack) > 0 {
			scopeOf[i] = stack[len(stack)-1]
		} else {
			scopeOf[i] = -1
		}
	}
	seen := map[int]bool{}
	for _, loc := range joinRE.FindAllStringIndex(sql, -1) {
		s := scopeOf[loc[0]]
		if seen[s] {
			return fmt.Errorf("two JOINs in one SELECT near %q", sql[max0(loc[0]-60):loc[1]])
		}
		seen[s] = true
	}
	return nil
}

func max0(i int) int {
	if i < 0 {
		return 0
	}
	return i
}

func TestOneJoinPerSelect(t *testing.T) {
	require.NoError(t, oneJoinPerSelect("SELECT a FROM (SELECT x FROM t ALL LEFT JOIN u USING k) ANY LEFT JOIN v USING k"))
	require.Error(t, oneJoinPerSelect("SELECT a FROM t JOIN u USING k JOIN v USING k"))
}
