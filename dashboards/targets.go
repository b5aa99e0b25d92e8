package dashboards

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/grafana-tools/sdk"
)

// Datasource kinds of a Target.
const (
	DatasourcePrometheus = "prometheus"
	DatasourceClickHouse = "clickhouse"
)

// Target is one query of one panel, as Grafana will send it (before
// template variables and macros are expanded).
type Target struct {
	Dashboard  string // the board's uid
	Panel      string // the panel's title
	PanelID    uint
	RefID      string
	Datasource string // DatasourcePrometheus or DatasourceClickHouse
	Expr       string // PromQL, when Datasource is prometheus
	SQL        string // ClickHouse SQL with plugin macros, when clickhouse
	Instant    bool   // a Prometheus instant query (else a range query)
}

// Targets lists every query of board's panels (nested panels of collapsed
// rows included), in panel order. It reads the board's JSON, so it sees the
// SDK's typed panels and custom panels alike. A query of another kind of
// datasource has that datasource's plugin id as Datasource (the tests allow
// none).
func Targets(board *sdk.Board) []Target {
	raw, err := json.Marshal(board)
	if err != nil {
		panic(fmt.Sprintf("targets of %s: %v", board.UID, err)) // the SDK's types always marshal
	}
	var doc struct {
		Panels []jsonPanel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(fmt.Sprintf("targets of %s: %v", board.UID, err))
	}
	var out []Target
	var walk func([]jsonPanel)
	walk = func(ps []jsonPanel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				ds := t.Datasource
				if ds.Type == "" && p.Datasource != nil {
					ds = *p.Datasource
				}
				tg := Target{Dashboard: board.UID, Panel: p.Title, PanelID: p.ID, RefID: t.RefID, Instant: t.Instant}
				switch ds.Type {
				case PrometheusType:
					tg.Datasource, tg.Expr = DatasourcePrometheus, t.Expr
				case ClickHouseType:
					tg.Datasource, tg.SQL = DatasourceClickHouse, t.RawSQL
				default:
					tg.Datasource = ds.Type
				}
				out = append(out, tg)
			}
			walk(p.Panels)
		}
	}
	walk(doc.Panels)
	return out
}

type jsonPanel struct {
	ID         uint        `json:"id"`
	Title      string      `json:"title"`
	Datasource *dsRef      `json:"datasource"`
	Targets    []rawTarget `json:"targets"`
	Panels     []jsonPanel `json:"panels"`
}

// varRE matches Grafana's variable syntaxes: $name, ${name}, ${name:format},
// [[name]] and [[name:format]].
var varRE = regexp.MustCompile(`\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]`)

// ExpandVariables replaces Grafana template variables in expr with values,
// one value per variable. Variables missing from values are left as they
// are (so are "$1" back-references of label_replace). See
// ExpandVariablesMulti for the formats.
func ExpandVariables(expr string, values map[string]string) string {
	multi := make(map[string][]string, len(values))
	for k, v := range values {
		multi[k] = []string{v}
	}
	return ExpandVariablesMulti(expr, multi)
}

// ExpandVariablesMulti replaces Grafana template variables with one or more
// values each (a multi-value variable such as branch with several branches,
// or All: pass every value). Formats, as Grafana applies them:
//
//	$v, ${v}          one value as is; several as the Prometheus datasource
//	                  writes them: (a|b) with regex characters escaped
//	${v:singlequote}  'a','b' (ClickHouse IN lists)
//	${v:doublequote}  "a","b"
//	${v:regex}        (a|b), regex-escaped
//	${v:pipe}         a|b
//	${v:csv}, ${v:raw} a,b
func ExpandVariablesMulti(expr string, values map[string][]string) string {
	return varRE.ReplaceAllStringFunc(expr, func(m string) string {
		g := varRE.FindStringSubmatch(m)
		name, format := g[1], ""
		switch {
		case g[2] != "":
			name, format = g[2], g[3]
		case g[4] != "":
			name, format = g[4], g[5]
		}
		vs, ok := values[name]
		if !ok {
			return m
		}
		return formatValues(vs, format)
	})
}

func formatValues(vs []string, format string) string {
	quote := func(q string, escape func(string) string) string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = q + escape(v) + q
		}
		return strings.Join(out, ",")
	}
	switch format {
	case "singlequote":
		return quote("'", func(s string) string { return strings.ReplaceAll(s, "'", `\'`) })
	case "doublequote":
		return quote(`"`, func(s string) string { return strings.ReplaceAll(s, `"`, `\"`) })
	case "regex":
		if len(vs) == 1 {
			return regexp.QuoteMeta(vs[0])
		}
		return "(" + join(vs, regexp.QuoteMeta, "|") + ")"
	case "pipe":
		return strings.Join(vs, "|")
	case "csv", "raw":
		return strings.Join(vs, ",")
	default:
		if len(vs) == 1 {
			return vs[0]
		}
		return "(" + join(vs, promRegexEscape, "|") + ")"
	}
}

func join(vs []string, f func(string) string, sep string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	return strings.Join(out, sep)
}

// promRegexEscape escapes regex characters for a regex inside a PromQL
// string literal (two backslashes: one for the string, one for the regex),
// as Grafana's Prometheus datasource does for multi-value variables.
func promRegexEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\^$*+?.()|{}[]`, r) {
			b.WriteString(`\\`)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// macroRE matches the ClickHouse plugin macros: $__name or $__name(args).
var macroRE = regexp.MustCompile(`\$__(\w+)(?:\(([^)]*)\))?`)

// ExpandMacros expands the grafana-clickhouse-datasource (v4) macros the SQL
// targets use, exactly as the plugin writes them, for a query over
// [from, to] with the given panel interval:
//
//	$__timeFilter(col)  col >= toDateTime(<from>) AND col <= toDateTime(<to>)
//	$__fromTime         toDateTime(<from>)
//	$__toTime           toDateTime(<to>)
//	$__interval_s       the interval in whole seconds, at least 1
//
// Any other $__macro is an error, so that a new macro cannot slip into a
// panel without being checked against ClickHouse 18.16.
func ExpandMacros(sql string, from, to time.Time, interval time.Duration) (string, error) {
	var bad []string
	out := macroRE.ReplaceAllStringFunc(sql, func(m string) string {
		g := macroRE.FindStringSubmatch(m)
		name, args := g[1], g[2]
		hasArgs := strings.Contains(m, "(")
		switch {
		case name == "timeFilter" && hasArgs && strings.TrimSpace(args) != "":
			col := strings.TrimSpace(args)
			return fmt.Sprintf("%s >= toDateTime(%d) AND %s <= toDateTime(%d)", col, from.Unix(), col, to.Unix())
		case name == "fromTime" && !hasArgs:
			return fmt.Sprintf("toDateTime(%d)", from.Unix())
		case name == "toTime" && !hasArgs:
			return fmt.Sprintf("toDateTime(%d)", to.Unix())
		case name == "interval_s" && !hasArgs:
			return fmt.Sprintf("%d", int(math.Max(interval.Seconds(), 1)))
		}
		bad = append(bad, m)
		return m
	})
	if len(bad) > 0 {
		return "", fmt.Errorf("unsupported ClickHouse macros: %s", strings.Join(bad, ", "))
	}
	return out, nil
}
