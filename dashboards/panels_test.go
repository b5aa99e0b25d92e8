package dashboards

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/grafana-tools/sdk"
	"github.com/stretchr/testify/require"
)

// genericPanels returns every panel of b (nested ones too) as decoded JSON.
func genericPanels(t *testing.T, b *sdk.Board) []map[string]interface{} {
	t.Helper()
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	var doc struct {
		Panels []map[string]interface{} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	var out []map[string]interface{}
	var walk func([]map[string]interface{})
	walk = func(ps []map[string]interface{}) {
		for _, p := range ps {
			out = append(out, p)
			if nested, ok := p["panels"].([]interface{}); ok {
				var ns []map[string]interface{}
				for _, n := range nested {
					ns = append(ns, n.(map[string]interface{}))
				}
				walk(ns)
			}
		}
	}
	walk(doc.Panels)
	return out
}

func TestEveryPanelHasTitleAndDescription(t *testing.T) {
	for _, b := range All() {
		titles := map[string]bool{}
		for _, p := range genericPanels(t, b) {
			title, _ := p["title"].(string)
			desc, _ := p["description"].(string)
			require.NotEmpty(t, title, "%s: panel %v has no title", b.UID, p["id"])
			if p["type"] == "row" {
				// Grafana's schema has no row description: the row's text
				// opens its first panel's description (builder.row)
				require.Empty(t, desc, "%s: row %q has a description", b.UID, title)
				continue
			}
			require.NotEmpty(t, strings.TrimSpace(desc), "%s: panel %q has no description", b.UID, title)
			require.False(t, titles[title], "%s: two panels titled %q", b.UID, title)
			titles[title] = true
			// a description says how the number is computed: it names a
			// metric, a table or a formula
			require.Regexp(t, `cxpulse_|cxpulse\.events|kpi_snapshots|/|×|−`, desc, "%s: panel %q", b.UID, title)
		}
	}
}

// Datasources are always chosen through the datasource variables, never by a
// uid of one Grafana.
func TestDatasourcesAreVariables(t *testing.T) {
	for _, b := range All() {
		for _, p := range genericPanels(t, b) {
			check := func(what string, v interface{}) {
				if v == nil {
					return
				}
				ref, ok := v.(map[string]interface{})
				require.True(t, ok, "%s: %s of panel %q is %v, not a {type, uid} reference", b.UID, what, p["title"], v)
				switch ref["type"] {
				case PrometheusType:
					require.Equal(t, "${datasource}", ref["uid"], "%s: %s of panel %q", b.UID, what, p["title"])
				case ClickHouseType:
					require.Equal(t, "${clickhouse}", ref["uid"], "%s: %s of panel %q", b.UID, what, p["title"])
				default:
					t.Errorf("%s: %s of panel %q: datasource type %v", b.UID, what, p["title"], ref["type"])
				}
			}
			check("datasource", p["datasource"])
			targets, _ := p["targets"].([]interface{})
			for _, tg := range targets {
				check("a query's datasource", tg.(map[string]interface{})["datasource"])
			}
		}
	}
}

func TestTemplateVariables(t *testing.T) {
	for _, b := range All() {
		t.Run(b.UID, func(t *testing.T) {
			vars := map[string]sdk.TemplateVar{}
			for _, v := range b.Templating.List {
				vars[v.Name] = v
			}
			require.Equal(t, "datasource", vars["datasource"].Type)
			require.Equal(t, PrometheusType, vars["datasource"].Query)

			branch := vars["branch"]
			require.Equal(t, "query", branch.Type)
			require.Equal(t, "label_values(cxpulse_tickets_opened, branch)", branch.Query)
			require.True(t, branch.Multi)
			require.True(t, branch.IncludeAll)
			require.Empty(t, branch.AllValue, "All must expand to the listed branches (an IN list for ClickHouse), not a regex")

			for _, name := range []string{"channel", "window"} {
				v := vars[name]
				require.Equal(t, "query", v.Type, name)
				require.Equal(t, "label_values(cxpulse_tickets_opened, "+name+")", v.Query, name)
				require.False(t, v.Multi, name)
			}

			targets := Targets(b)
			usesClickHouse := false
			for _, tg := range targets {
				usesClickHouse = usesClickHouse || tg.Datasource == DatasourceClickHouse
			}
			ch, hasCH := vars["clickhouse"]
			require.Equal(t, usesClickHouse, hasCH, "a ClickHouse datasource variable exactly where SQL panels are")
			if hasCH {
				require.Equal(t, "datasource", ch.Type)
				require.Equal(t, ClickHouseType, ch.Query)
				require.Equal(t, "constant", vars["database"].Type)
			}
		})
	}
}

// Thresholds of the SLA attainment follow the objectives: amber below 95 %,
// red below 90 %.
func TestAttainmentThresholds(t *testing.T) {
	steps := thrAttainment.Steps
	require.Len(t, steps, 3)
	require.Equal(t, colorBad, steps[0].Color)
	require.Equal(t, colorWarn, steps[1].Color)
	require.Equal(t, 0.90, *steps[1].Value)
	require.Equal(t, colorGood, steps[2].Color)
	require.Equal(t, 0.95, *steps[2].Value)
}
