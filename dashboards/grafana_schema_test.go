package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	gfdash "github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// No Grafana server can run here, so the generated dashboards are checked
// against Grafana's own published schema types, grafana-foundation-sdk (pinned
// in go.mod, imported by this test only): each dashboard is decoded with the
// schema's strict decoder (typed panel options, field config and queries of
// every panel plugin and datasource the SDK knows), encoded again, and every
// value of the input must come back: what does not is what Grafana's schema
// has no place for.

// minSchemaVersion is the oldest schemaVersion Grafana's dashboard migrator
// accepts (schemaversion.MIN_VERSION in Grafana's
// apps/dashboard/pkg/migration/schemaversion); the newest is the SDK's.
const minSchemaVersion = 13

// legacyZero are keys grafana-tools/sdk writes that the current schema no
// longer has, with the only values they may carry: Grafana's zero or
// pre-5.0 defaults, which Grafana ignores. The same key with another value
// is reported as lost.
var legacyZero = map[string]map[string]string{
	"dashboard": {
		"style": `"dark"`, "slug": `""`, "sharedCrosshair": `false`, "rows": `null`,
		"originalTitle": `""`, "hideControls": `false`,
	},
	"panel": {
		"span": `0`, "isNew": `false`, "error": `false`, "editable": `true`, "transparent": `false`,
	},
	"variable": {"allFormat": `""`, "multiFormat": `""`},
	// stat and text options the SDK leaves empty on every panel it encodes
	// (its bar gauge and stat share one options type)
	"options": {"colorMode": `""`, "graphMode": `""`, "justifyMode": `""`, "mode": `""`, "content": `""`, "textMode": `""`},
}

// knownLoss is what the current dashboards lose in today's Grafana schema,
// found by this test, left for the dashboards' owners:
// the test fails on anything lost that is not listed here, and on any entry
// here that is no longer lost, so the list can only shrink.
var knownLoss = map[string][]string{}

// knownPanelTypes outside the SDK's registry: "row" is the dashboard's own.
var knownPanelTypes = map[string]bool{"row": true}

func TestDashboardsMatchGrafanaSchema(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	provisioned := provisionedDatasources(t)
	newest := gfdash.NewDashboard().SchemaVersion
	for _, b := range All() {
		t.Run(b.UID, func(t *testing.T) {
			raw, err := Marshal(b)
			require.NoError(t, err)
			var in map[string]any
			require.NoError(t, json.Unmarshal(raw, &in))

			dropLegacy(in)
			stripped, err := json.Marshal(in)
			require.NoError(t, err)
			var d gfdash.Dashboard
			if err := d.UnmarshalJSONStrict(stripped); err != nil {
				for _, e := range strings.Split(err.Error(), "\n") {
					// missing fields are filled with the plugin's defaults
					// by Grafana; unexpected ones are found below as lost
					if e = strings.TrimSpace(e); e != "" && !strings.Contains(e, "required field is missing") &&
						!strings.Contains(e, "unexpected field") {
						t.Errorf("schema: %s", e)
					}
				}
			}
			// the lenient decoder keeps every panel (the strict one drops a
			// panel with an error): what it does not give back is lost
			var lenient gfdash.Dashboard
			require.NoError(t, json.Unmarshal(stripped, &lenient))
			out, err := json.Marshal(lenient)
			require.NoError(t, err)
			var back map[string]any
			require.NoError(t, json.Unmarshal(out, &back))
			var lost []string
			missing(in, back, "", &lost)
			requireKnownLoss(t, in, lost)

			require.GreaterOrEqual(t, int(d.SchemaVersion), minSchemaVersion, "schemaVersion Grafana migrates")
			require.LessOrEqual(t, d.SchemaVersion, newest, "schemaVersion not newer than Grafana's schema")
			checkPanelsAndDatasources(t, in, provisioned)
		})
	}
}

// dropLegacy removes the legacyZero keys that carry their allowed value;
// panels are addressed by type, as knownLoss lists them.
func dropLegacy(dash map[string]any) {
	strip := func(obj map[string]any, kind string) {
		for k, want := range legacyZero[kind] {
			if v, ok := obj[k]; ok {
				if got, _ := json.Marshal(v); string(got) == want {
					delete(obj, k)
				}
			}
		}
	}
	strip(dash, "dashboard")
	for _, p := range panels(dash) {
		strip(p, "panel")
		if opts, ok := p["options"].(map[string]any); ok {
			strip(opts, "options")
		}
	}
	if tpl, ok := dash["templating"].(map[string]any); ok {
		list, _ := tpl["list"].([]any)
		for _, v := range list {
			if m, ok := v.(map[string]any); ok {
				strip(m, "variable")
			}
		}
	}
}

func panels(dash map[string]any) []map[string]any {
	list, _ := dash["panels"].([]any)
	var out []map[string]any
	for _, p := range list {
		if m, ok := p.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// missing appends the path of every value of in that out does not hold
// equal. Panels are named type[*] so one entry covers each panel of a type.
func missing(in, out any, path string, lost *[]string) {
	switch iv := in.(type) {
	case map[string]any:
		ov, _ := out.(map[string]any)
		for k, v := range iv {
			o, ok := ov[k]
			if !ok && !empty(v) {
				*lost = append(*lost, jsonPath(path, k))
				continue
			}
			missing(v, o, jsonPath(path, k), lost)
		}
	case []any:
		ov, _ := out.([]any)
		for i, v := range iv {
			p := fmt.Sprintf("%s[%d]", path, i)
			if path == "panels" {
				p = panelType(v) + "[*]"
			}
			if i >= len(ov) {
				*lost = append(*lost, p)
				continue
			}
			missing(v, ov[i], p, lost)
		}
	default:
		a, _ := json.Marshal(in)
		b, _ := json.Marshal(out)
		if string(a) != string(b) {
			*lost = append(*lost, path+" = "+string(a)+", schema gives "+string(b))
		}
	}
}

// empty values are the ones the schema's encoder omits: nothing is lost.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func jsonPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func panelType(p any) string {
	if m, ok := p.(map[string]any); ok {
		if s, ok := m["type"].(string); ok {
			return s
		}
	}
	return "?"
}

// requireKnownLoss: lost equals the knownLoss entries that apply to this
// dashboard ("*", and those of each panel type it has).
func requireKnownLoss(t *testing.T, dash map[string]any, lost []string) {
	t.Helper()
	has := map[string]bool{"*": true}
	for _, p := range panels(dash) {
		has[panelType(p)] = true
	}
	want := map[string]bool{}
	for group, paths := range knownLoss {
		for _, p := range paths {
			typ, _, _ := strings.Cut(p, "[")
			if has[group] && (group != "*" || typ == p || has[typ]) {
				want[p] = true
			}
		}
	}
	got := map[string]bool{}
	for _, l := range lost {
		got[l] = true
	}
	var unexpected, fixed []string
	for l := range got {
		if !want[l] {
			unexpected = append(unexpected, l)
		}
	}
	for w := range want {
		if !got[w] {
			fixed = append(fixed, w)
		}
	}
	sort.Strings(unexpected)
	sort.Strings(fixed)
	require.Empty(t, unexpected, "values Grafana's dashboard schema has no place for (lost on load)")
	require.Empty(t, fixed, "no longer lost: remove from knownLoss")
}

// checkPanelsAndDatasources: every panel type is a plugin the schema knows,
// and every datasource reference names a known type with either a
// provisioned uid or a datasource variable of the same type.
func checkPanelsAndDatasources(t *testing.T, dash map[string]any, provisioned map[string]string) {
	t.Helper()
	vars := map[string]string{} // datasource variable -> plugin type
	tpl, _ := dash["templating"].(map[string]any)
	list, _ := tpl["list"].([]any)
	for _, v := range list {
		m, _ := v.(map[string]any)
		if m["type"] == "datasource" {
			name, typ := m["name"].(string), m["query"].(string)
			vars[name] = typ
			cur, _ := m["current"].(map[string]any)
			require.Equal(t, provisioned[typ], cur["value"], "variable %s opens on the provisioned %s datasource", name, typ)
		}
	}
	require.NotEmpty(t, vars, "datasource variables")
	for name, typ := range vars {
		require.Contains(t, provisioned, typ, "variable %s picks datasources of type %s: none is provisioned", name, typ)
	}
	refVar := regexp.MustCompile(`^\$\{?(\w+)\}?$`)
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch x := v.(type) {
		case map[string]any:
			if ds, ok := x["datasource"].(map[string]any); ok {
				typ, _ := ds["type"].(string)
				uid, _ := ds["uid"].(string)
				if m := refVar.FindStringSubmatch(uid); m != nil {
					require.Contains(t, vars, m[1], "%s: datasource variable %s is not defined", where, uid)
					require.Equal(t, vars[m[1]], typ, "%s: datasource %s is of type %s", where, uid, vars[m[1]])
				} else {
					require.Equal(t, provisioned[typ], uid, "%s: datasource uid %q of type %s is not provisioned", where, uid, typ)
				}
			}
			for k, c := range x {
				walk(c, where+"."+k)
			}
		case []any:
			for i, c := range x {
				walk(c, fmt.Sprintf("%s[%d]", where, i))
			}
		}
	}
	for _, p := range panels(dash) {
		typ := panelType(p)
		_, known := cog.ConfigForPanelcfgVariant(typ)
		require.True(t, known || knownPanelTypes[typ], "panel %q: type %s is not a panel plugin Grafana's schema knows", p["title"], typ)
		walk(p, fmt.Sprintf("panel %q", p["title"]))
	}
	walk(dash["templating"], "templating")
	walk(dash["annotations"], "annotations")
}

// provisionedDatasources reads deploy/grafana/provisioning/datasources: type -> uid.
func provisionedDatasources(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "deploy", "grafana", "provisioning", "datasources", "cxpulse.yaml"))
	require.NoError(t, err)
	var f struct {
		Datasources []struct{ UID, Type string }
	}
	require.NoError(t, yaml.Unmarshal(data, &f))
	out := map[string]string{}
	for _, d := range f.Datasources {
		out[d.Type] = d.UID
	}
	require.NotEmpty(t, out)
	return out
}
