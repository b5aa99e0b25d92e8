package overview

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate testdata/overview.golden.html and testdata/overview.png")

const goldenPage = "testdata/overview.golden.html"

func render(t *testing.T, p Page) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, p))
	return buf.Bytes()
}

// TestRenderGolden compares the sample page with the committed one, so that
// a change of the page shows in review: run go test ./metrics/overview
// -update and look at the diff (and at testdata/overview.png).
func TestRenderGolden(t *testing.T) {
	got := render(t, samplePage())
	if *update {
		require.NoError(t, os.WriteFile(goldenPage, got, 0o644))
	}
	want, err := os.ReadFile(goldenPage)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "the page changed: run go test ./metrics/overview -update and review the diff")
}

func TestRenderShowsEveryBranchWithItsFlag(t *testing.T) {
	p := samplePage()
	doc := parsePage(t, render(t, p))

	rankings := doc.byClass("ranking")
	require.Len(t, rankings, len(p.Rankings))
	for i, r := range p.Rankings {
		sec := rankings[i]
		require.Equal(t, r.KPI, sec.Attr["data-kpi"])
		require.Equal(t, r.Title, sec.byName("h2")[0].text())
		rows := sec.byClass("rank-row")
		require.Len(t, rows, len(r.Rows), r.KPI)
		for j, want := range r.Rows {
			row := rows[j] // best first, as given
			require.Equal(t, want.Branch, row.Attr["data-branch"])
			require.Equal(t, want.Flag, row.Attr["data-flag"], want.Branch)
			text := row.ownText()
			require.Contains(t, text, want.Branch)
			require.Contains(t, text, strings.ReplaceAll(count(want.N), nbsp, " "), "N at the left")
			switch {
			case want.Flag == "":
				require.False(t, hasClass(row, "worse") || hasClass(row, "better"), want.Branch)
				require.NotContains(t, text, "▲")
				require.NotContains(t, text, "▼")
			case want.Worse:
				require.True(t, hasClass(row, "worse"), "%s is drawn red", want.Branch)
			default:
				require.True(t, hasClass(row, "better"), "%s is drawn green", want.Branch)
			}
			switch want.Flag {
			case "above":
				require.Contains(t, text, "▲ above", "not by colour only")
			case "below":
				require.Contains(t, text, "▼ below", "not by colour only")
			}
			require.Len(t, row.byName("title"), 1, "tooltip")
			require.Len(t, row.byClass("est"), 1, "dot at Value")
			require.Len(t, row.byClass("shrunk"), 1, "hollow marker at Shrunk")
			require.Len(t, row.byClass("ci"), 1, "interval line")
		}
		// Drawn twice, wide for a laptop and narrow for a phone; only the
		// wide rows carry the data attributes.
		for _, class := range []string{"wide", "narrow"} {
			svgs := sec.byClass(class)
			require.Len(t, svgs, 1, class)
			require.Len(t, svgs[0].byClass("fleet"), 1, "dashed fleet line")
			require.GreaterOrEqual(t, len(svgs[0].byClass("tick")), 2*3, "a few ticks, top and bottom")
		}
		narrow := sec.byClass("narrow")[0].byClass("row")
		require.Len(t, narrow, len(r.Rows))
		for j, want := range r.Rows {
			require.Equal(t, want.Branch+" · n = "+strings.ReplaceAll(count(want.N), nbsp, " "), narrow[j].byClass("name")[0].text())
			require.NotContains(t, narrow[j].Attr, "data-branch")
		}
		caption := sec.byClass("caption")[0].text()
		for _, s := range []string{"95 % confidence interval", "shrunk toward the standard", "false discovery rate held at 5 %"} {
			require.Contains(t, caption, s)
		}
		links := sec.all(func(n *node) bool { return n.Name == "a" && n.Attr["href"] == r.APIURL })
		require.Len(t, links, 1, "link to the comparison's JSON")
	}

	heat := doc.byClass("heat-row")
	require.Len(t, heat, len(p.Heatmap.Rows))
	for i, row := range p.Heatmap.Rows {
		require.Equal(t, row.Branch, heat[i].Attr["data-branch"])
		require.Len(t, heat[i].byName("td"), len(p.Heatmap.Channels))
	}

	var linked []string
	for _, a := range doc.byClass("links")[0].byName("a") {
		linked = append(linked, a.Attr["href"])
	}
	require.Equal(t, []string{"/api/v1/kpis?window=30d", "/api/v1/compare", "/metrics"}, linked)
}

func TestRenderHeader(t *testing.T) {
	doc := parsePage(t, render(t, samplePage()))
	require.Equal(t, "cxpulse · Fleet overview", doc.byName("title")[0].text())
	meta := doc.byClass("meta")[0]
	require.Equal(t, "As of 2026-11-23T06:00:00Z · window 30d", meta.text())
	require.Equal(t, "2026-11-23T06:00:00Z", meta.byName("time")[0].Attr["datetime"])
	require.Equal(t, "Demo data: 8 branches, 30 days of generated tickets and surveys.", doc.byClass("notes")[0].text())

	// The instant is shown in UTC whatever zone it comes in.
	p := samplePage()
	p.AsOf = asOf.In(mustZone(t, "Europe/Warsaw"))
	require.Contains(t, string(render(t, p)), `datetime="2026-11-23T06:00:00Z"`)
}

func TestRenderTiles(t *testing.T) {
	doc := parsePage(t, render(t, samplePage()))
	got := map[string]string{}
	for _, tile := range doc.byClass("tile") {
		got[tile.Attr["data-kpi"]] = tile.ownText()
	}
	// Name, value with unit and interval, sample size, the trend in words.
	require.Equal(t, map[string]string{
		"NPS":                             "NPS 22.6 ± 5.5 n = 1 284 ▲ +7.4 since 2026-09-28",
		"CSAT":                            "CSAT 71.2 % ± 2.5 n = 1 102 ▲ +1.2 pts since 2026-10-12",
		"SLA attainment (first response)": "SLA attainment (first response) 93.1 % ± 0.7 n = 5 412 ▼ -3.1 pts since 2026-10-12",
		"First response, p90":             "First response, p90 91 min n = 5 412 ▲ +21 min since 2026-10-19",
		"Callbacks kept":                  "Callbacks kept no data yet",
		"Retention, 90 days":              "Retention, 90 days 84.6 % n = 3 920",
	}, got)

	sparks := doc.byClass("spark")
	require.Len(t, sparks, 4)
	// Colour by direction and HigherIsBetter: NPS and CSAT up (good), SLA
	// attainment down (bad), response time up (bad).
	for i, want := range []string{"good", "good", "bad", "bad"} {
		require.True(t, hasClass(sparks[i], want), "sparkline %d is %s", i, want)
		require.Len(t, sparks[i].byName("polyline"), 1)
		require.Len(t, sparks[i].byName("circle"), 1, "last point marked")
	}
	// The last point is at the right end of the line.
	pts := strings.Fields(sparks[0].byName("polyline")[0].Attr["points"])
	last := strings.Split(pts[len(pts)-1], ",")
	require.Equal(t, last[0], sparks[0].byName("circle")[0].Attr["cx"])
	require.Equal(t, last[1], sparks[0].byName("circle")[0].Attr["cy"])
}

func TestRenderNoDataTilesNeverShowZero(t *testing.T) {
	p := Page{Tiles: []Tile{
		{Name: "NPS"},
		{Name: "CSAT", Unit: "%", Has: true, Value: math.NaN(), N: 0},
		{Name: "CES", Has: false, Value: 0, HasInterval: true, Low: 0, High: 0},
	}}
	doc := parsePage(t, render(t, p))
	tiles := doc.byClass("tile")
	require.Len(t, tiles, 3)
	for _, tile := range tiles {
		require.True(t, hasClass(tile, "nodata"))
		require.Equal(t, tile.Attr["data-kpi"]+" no data yet", tile.ownText())
		require.Empty(t, tile.byClass("num"), "no number at all")
	}
}

func TestRenderEmptyPage(t *testing.T) {
	for name, p := range map[string]Page{
		"zero page": {},
		"empty slices": {
			Tiles: []Tile{}, Rankings: []Ranking{}, Links: []Link{}, Notes: []string{},
			Heatmap: Heatmap{Channels: []string{}, Rows: []HeatRow{}},
		},
		"sections without rows": {
			Rankings: []Ranking{{KPI: "nps", Title: "NPS, 30 days", APIURL: "/api/v1/compare?kpi=nps"}},
			Heatmap:  Heatmap{Title: "SLA attainment", Channels: []string{"email", "chat"}, Objective: 0.95},
		},
		"heatmap rows without channels": {
			Heatmap: Heatmap{Rows: []HeatRow{{Branch: "Praha", Cells: []Cell{{Has: true, Value: 1, N: 3}}}}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			page := render(t, p)
			doc := parsePage(t, page)
			require.Equal(t, defaultTitle, doc.byName("title")[0].text(), "a title even without one")
			require.Empty(t, doc.byClass("rank-row"))
			require.Empty(t, doc.byClass("heat-row"))
			text := doc.byName("body")[0].text()
			require.Contains(t, text, "No fleet KPIs yet.")
			require.Contains(t, text, "No SLA data yet.")
			if len(p.Rankings) == 0 {
				require.Contains(t, text, "No branch comparisons yet.")
			} else {
				require.Contains(t, text, "No branch has data for this comparison yet.")
			}
			require.Contains(t, text, "As of an unknown instant", "never 0001-01-01")
			requireSensibleNumbers(t, page)
		})
	}
}

// TestRenderBigFleet: 200 branches, each a row of its own, the chart as tall
// as it needs.
func TestRenderBigFleet(t *testing.T) {
	p := bigPage(200)
	page := render(t, p)
	doc := parsePage(t, page)
	rows := doc.byClass("rank-row")
	require.Len(t, rows, 200)
	require.Len(t, doc.byClass("heat-row"), 200)
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Attr["data-branch"]] = true
	}
	require.Len(t, seen, 200, "every branch once")

	svg := doc.byClass("wide")[0]
	var x, y, w, h float64
	_, err := fmt.Sscan(svg.Attr["viewBox"], &x, &y, &w, &h)
	require.NoError(t, err)
	require.GreaterOrEqual(t, h, float64(200*wideLayout.RowH), "the chart grows with the fleet")

	// Every row is inside the chart, one below the other.
	prev := -1.0
	for _, r := range rows {
		cy, err := strconv.ParseFloat(r.byClass("name")[0].Attr["y"], 64)
		require.NoError(t, err)
		require.Greater(t, cy, prev)
		require.Less(t, cy, h)
		prev = cy
	}
	requireSensibleNumbers(t, page)
}

func TestRenderHeatmapColours(t *testing.T) {
	p := Page{Heatmap: Heatmap{
		Channels:  []string{"email", "chat", "phone", "web", "social", "sms"},
		Objective: 0.95,
		Rows: []HeatRow{{Branch: "Brno", Cells: []Cell{
			{Has: true, Value: 0.95, N: 20},        // exactly the objective: met
			{Has: true, Value: 0.9499999999, N: 7}, // float noise: met
			{Has: true, Value: 0.92, N: 50},        // within 5 points: amber
			{Has: true, Value: 0.90, N: 10},        // exactly 5 points below: amber
			{Has: true, Value: 0.899, N: 1000},     // red
			{},                                     // no tickets
		}}},
	}}
	doc := parsePage(t, render(t, p))
	cells := doc.byClass("heat-row")[0].byName("td")
	var classes, texts []string
	for _, c := range cells {
		classes = append(classes, c.Attr["class"])
		texts = append(texts, c.text())
	}
	require.Equal(t, []string{"ok", "ok", "warn", "warn", "bad", "none"}, classes)
	require.Equal(t, []string{"95.0 %", "95.0 %", "92.0 %", "90.0 %", "89.9 %", "–"}, texts)
	require.Equal(t, "Brno · social: 89.9 % met, n = 1 000, below the objective of 95 %",
		strings.ReplaceAll(cells[4].Attr["title"], nbsp, " "), "value and N in the tooltip")
	require.Equal(t, "Brno · sms: no tickets", cells[5].Attr["title"])

	legend := doc.byClass("legend")[0].text()
	require.Contains(t, legend, "at or above the objective (95 %)")
	require.Contains(t, legend, "(90 % to 95 %)")
}

func TestRenderWriteError(t *testing.T) {
	err := Render(failingWriter{}, samplePage())
	require.ErrorIs(t, err, errWrite)
}

var errWrite = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
