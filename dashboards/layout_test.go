package dashboards

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// What a panel gets of the screen in Grafana 9–11, in pixels: the browser
// width less the side menu (57 px) and the dashboard's padding (2 × 16 px),
// shared by the 24 grid columns, less the panel's own padding (2 × 8 px).
func panelPx(gridW float64, screen int) float64 {
	return float64(screen-57-32)*gridW/gridWidth - 16
}

// screens are the widths every panel must be legible at.
var screens = []int{1280, 1600}

func num(v interface{}) (float64, bool) { f, ok := v.(float64); return f, ok }

func obj(v interface{}) map[string]interface{} { m, _ := v.(map[string]interface{}); return m }

// Every panel that draws numbers says their unit: "4.88" on every tick of
// a CES axis and "2 K" twice on a count axis came from panels without one
// fitting the range, or with decimals the axis could not honour.
func TestEveryNumberPanelHasAUnit(t *testing.T) {
	for _, b := range All() {
		for _, p := range genericPanels(t, b) {
			title := fmt.Sprintf("%s: %v panel %q", b.UID, p["type"], p["title"])
			defaults := obj(obj(p["fieldConfig"])["defaults"])
			switch p["type"] {
			case "stat", "gauge", "bargauge", "timeseries", "status-history":
				require.NotEmpty(t, defaults["unit"], "%s has no unit", title)
			case "table":
				for _, o := range obj(p["fieldConfig"])["overrides"].([]interface{}) {
					props := map[string]interface{}{}
					for _, pr := range obj(o)["properties"].([]interface{}) {
						props[obj(pr)["id"].(string)] = obj(pr)["value"]
					}
					if _, isNumber := props["decimals"]; isNumber {
						require.NotEmpty(t, props["unit"], "%s: column %v has decimals but no unit", title, props["displayName"])
					}
				}
			}
		}
	}
}

// A graph that fixes its decimals must fix its axis range too: otherwise
// a narrow range repeats one label on every tick (CES 4.875…4.885 at two
// decimals: "4.88" five times; 1.5 K…2.5 K tickets at none: "2 K" twice).
func TestGraphsFixDecimalsOnlyWithTheirRange(t *testing.T) {
	for _, b := range All() {
		for _, p := range genericPanels(t, b) {
			if p["type"] != "timeseries" {
				continue
			}
			d := obj(obj(p["fieldConfig"])["defaults"])
			if _, fixed := d["decimals"]; !fixed {
				continue
			}
			_, hasMin := num(d["min"])
			_, hasMax := num(d["max"])
			if !(hasMin && hasMax) {
				t.Errorf("%s: timeseries %q sets decimals without both min and max", b.UID, p["title"])
			}
		}
	}
}

// Tables: a column whose header does not fit its share of the table at
// 1280 px has a width at which it does, so that headers never overlap
// ("CSAT answersCES") or get cut.
func TestLongTableHeadersHaveWidths(t *testing.T) {
	tables := 0
	for _, b := range All() {
		for _, p := range genericPanels(t, b) {
			if p["type"] != "table" {
				continue
			}
			tables++
			w, _ := num(obj(p["gridPos"])["w"])
			overrides := obj(p["fieldConfig"])["overrides"].([]interface{})
			for _, screen := range screens {
				share := panelPx(w, screen) / float64(len(overrides))
				fixed := 0.0
				for _, o := range overrides {
					header, width := "", 0.0
					for _, pr := range obj(o)["properties"].([]interface{}) {
						switch obj(pr)["id"] {
						case "displayName":
							header = obj(pr)["value"].(string)
						case "custom.width":
							width, _ = num(obj(pr)["value"])
						}
					}
					need := float64(len([]rune(header))*headerCharPx + headerPaddingPx)
					fixed += width
					if need > share {
						require.GreaterOrEqual(t, width, need, "%s: table %q at %d px: column %q gets %.0f px, its header needs %.0f: give it a width",
							b.UID, p["title"], screen, header, share, need)
					}
				}
				t.Logf("%s: table %q at %d px: %.0f px of fixed columns in %.0f px", b.UID, p["title"], screen, fixed, panelPx(w, screen))
			}
		}
	}
	require.Positive(t, tables)
}

// The branch tables fit a 1280 px screen without scrolling sideways: the
// fixed columns leave at least 120 px for the branch names.
func TestBranchTablesFitTheScreen(t *testing.T) {
	for _, p := range genericPanels(t, Branches()) {
		if p["type"] != "table" {
			continue
		}
		w, _ := num(obj(p["gridPos"])["w"])
		fixed := 0.0
		for _, o := range obj(p["fieldConfig"])["overrides"].([]interface{}) {
			for _, pr := range obj(o)["properties"].([]interface{}) {
				if obj(pr)["id"] == "custom.width" {
					v, _ := num(obj(pr)["value"])
					fixed += v
				}
			}
		}
		require.LessOrEqual(t, fixed+120, panelPx(w, 1280), "table %q", p["title"])
	}
}

// A bar gauge's literal bar names fit beside their bars: Grafana gives the
// name of a horizontal bar at most about 40 % of the panel's width, in a
// font of up to 14 px (about 8 px a character).
func TestBarNamesFit(t *testing.T) {
	templated := regexp.MustCompile(`\{\{`)
	for _, b := range All() {
		for _, p := range genericPanels(t, b) {
			if p["type"] != "bargauge" {
				continue
			}
			w, _ := num(obj(p["gridPos"])["w"])
			for _, tg := range p["targets"].([]interface{}) {
				legend, _ := obj(tg)["legendFormat"].(string)
				if legend == "" || templated.MatchString(legend) {
					continue
				}
				need := float64(len([]rune(legend)) * headerCharPx)
				require.LessOrEqual(t, need, 0.4*panelPx(w, 1280), "%s: bar gauge %q: name %q is cut at 1280 px", b.UID, p["title"], legend)
			}
		}
	}
}
