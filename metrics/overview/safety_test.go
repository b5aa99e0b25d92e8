package overview

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Tests that the page is safe and sound whatever it is given: markup in
// names stays text, nothing is fetched, SVGs parse, and no value that does
// not exist is drawn as a number.

// TestRenderEscapes: a branch, channel, KPI or note named like markup is
// shown as text everywhere and never becomes a tag or a script.
func TestRenderEscapes(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	const evilAttr = `"><img src=x onerror=alert(2)>`
	p := samplePage()
	p.Title = evil
	p.Notes = append(p.Notes, evil)
	p.Tiles[0].Name = evil
	p.Rankings[0].Rows[1].Branch = evil
	p.Rankings[0].Rows[2].Branch = evilAttr
	p.Rankings[0].Title = evil
	p.Rankings[0].APIURL = "javascript:alert(3)"
	p.Heatmap.Rows[0].Branch = evil
	p.Heatmap.Channels[0] = evil
	p.Links = append(p.Links, Link{Title: evil, URL: "javascript:alert(4)"})

	page := render(t, p)
	s := string(page)
	require.NotContains(t, s, "<script", "no script element, escaped or not")
	require.NotContains(t, s, "<img")
	require.NotContains(t, s, "javascript:")
	require.Contains(t, s, "&lt;script&gt;alert(1)&lt;/script&gt;")

	// Parsed back, the names are exactly the text given.
	doc := parsePage(t, page)
	require.Empty(t, doc.byName("script"))
	require.Empty(t, doc.byName("img"))
	require.Equal(t, evil, doc.byName("title")[0].text())
	rows := doc.byClass("rank-row")
	require.Equal(t, evil, rows[1].Attr["data-branch"])
	require.Equal(t, evilAttr, rows[2].Attr["data-branch"])
	require.Equal(t, evil, rows[1].byClass("name")[0].text())
	require.Equal(t, evil, doc.byClass("heat-row")[0].Attr["data-branch"])
	require.Equal(t, evil, doc.byClass("tile")[0].Attr["data-kpi"])
	for _, a := range doc.byName("a") {
		require.NotContains(t, a.Attr["href"], "alert", "unsafe URLs are neutralised")
	}
}

func TestRenderIsSelfContained(t *testing.T) {
	s := string(render(t, samplePage()))
	for _, bad := range []string{"<script", "<link", " src=", "@import", "url(", "@font-face", "http://", "https://"} {
		require.NotContains(t, s, bad)
	}
	require.True(t, strings.HasPrefix(s, "<!DOCTYPE html>\n"))
	require.Contains(t, s, `<meta name="viewport" content="width=device-width, initial-scale=1" />`)
	require.Equal(t, 1, strings.Count(s, "<style>"), "one inline style sheet")
}

var svgBlock = regexp.MustCompile(`(?s)<svg[ >].*?</svg>`)

// TestRenderSVGsParse parses every <svg> block on its own (and the whole
// page, in parsePage) with encoding/xml.
func TestRenderSVGsParse(t *testing.T) {
	for name, p := range map[string]Page{"sample": samplePage(), "big": bigPage(60), "nasty": nastyPage()} {
		page := render(t, p)
		blocks := svgBlock.FindAll(page, -1)
		require.NotEmpty(t, blocks, name)
		for _, b := range blocks {
			_, err := parseXML(b)
			require.NoError(t, err, "%s: %s", name, b)
			root, _ := parseXML(b)
			svg := root.Children[0]
			require.Equal(t, "svg", svg.Name)
			require.Regexp(t, `^0 0 \d+ \d+$`, svg.Attr["viewBox"], "scales to its width")
		}
		parsePage(t, page)
	}
}

// nastyPage has every value that does not exist where a number is drawn.
func nastyPage() Page {
	nan, inf := math.NaN(), math.Inf(1)
	p := samplePage()
	p.Tiles = []Tile{
		{Name: "NPS", Has: true, Value: 10, HasInterval: true, Low: nan, High: inf, N: nan,
			Trend: []Point{{asOf, nan}, {asOf, inf}, {asOf.Add(1), 3}, {asOf.Add(2), 3}}, HigherIsBetter: true},
		{Name: "CSAT", Unit: "%", Has: true, Value: inf},
		{Name: "Resolution", Unit: "s", Has: true, Value: 90, HasInterval: true, Low: -inf, High: inf, N: 12.5,
			Trend: []Point{{Value: 80}, {Value: 90}}},
	}
	p.Rankings = []Ranking{{
		KPI: "csat", Unit: "%", Standard: nan, Level: nan, FDR: -1,
		Rows: []RankRow{
			{Branch: "a", N: nan, Value: nan, Low: nan, High: nan, Shrunk: nan, Flag: "sideways", QValue: nan},
			{Branch: "b", N: 0, Value: 0.5, Low: -inf, High: 0.6, Shrunk: inf, Flag: "below", Worse: true, QValue: inf},
			{Branch: "c", N: 3, Value: 2, Low: 1.5, High: 2.5, Shrunk: 1.8},
		},
	}, {
		KPI: "same", Standard: 7, Rows: []RankRow{{Branch: "only", N: 1, Value: 7, Low: 7, High: 7, Shrunk: 7}},
	}}
	p.Heatmap = Heatmap{
		Channels:  []string{"email", "chat"},
		Objective: nan,
		Rows: []HeatRow{
			{Branch: "a", Cells: []Cell{{Has: true, Value: nan, N: nan}}},
			{Branch: "b", Cells: []Cell{{Has: true, Value: inf, N: 1}, {Has: true, Value: 0.5, N: 2}, {Has: true, Value: 1, N: 1}}},
		},
	}
	return p
}

// TestRenderNumbersAreSensible: no NaN, no Inf, no "-0", no 17-digit floats
// in what a person reads, whatever the input.
func TestRenderNumbersAreSensible(t *testing.T) {
	for name, p := range map[string]Page{"sample": samplePage(), "big": bigPage(200), "nasty": nastyPage()} {
		t.Run(name, func(t *testing.T) {
			page := render(t, p)
			requireSensibleNumbers(t, page)
			doc := parsePage(t, page)
			for _, row := range doc.byClass("rank-row") {
				require.Contains(t, []string{"above", "below", ""}, row.Attr["data-flag"])
			}
		})
	}
	// The nasty ranking: no estimate is said in words; an unknown flag is
	// no flag.
	doc := parsePage(t, render(t, nastyPage()))
	rows := doc.byClass("rank-row")
	require.Contains(t, rows[0].ownText(), "no estimate")
	require.Equal(t, "", rows[0].Attr["data-flag"])
	require.Equal(t, "below", rows[1].Attr["data-flag"])
	require.True(t, hasClass(rows[1].byClass("ci")[0], "open"), "an unbounded interval runs to the edge, dashed")
}

var (
	longFloat = regexp.MustCompile(`\d\.\d{5,}`)
	badNumber = regexp.MustCompile(`(?i)nan|[+-]?inf(inity)?\b|(^|[^\d.])-0(\.0+)?($|[^\d.])|\de[+-]?\d`)
)

func requireSensibleNumbers(t *testing.T, page []byte) {
	t.Helper()
	doc := parsePage(t, page)
	// Text people read, and every attribute value, except the style sheet.
	var texts []string
	for _, n := range doc.all(func(*node) bool { return true }) {
		if n.Name != "style" {
			for _, c := range n.Children {
				texts = append(texts, c.Text)
			}
		}
		for k, v := range n.Attr {
			if k != "class" && k != "data-branch" && k != "data-kpi" {
				texts = append(texts, v)
			}
		}
	}
	for _, s := range texts {
		require.NotRegexp(t, badNumber, s)
		require.NotRegexp(t, longFloat, s)
		require.NotContains(t, s, "%!", "fmt verb error")
	}
}
