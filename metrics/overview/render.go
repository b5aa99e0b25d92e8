package overview

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"
)

// The page is one self-contained document: the style sheet is inlined,
// charts are inline SVG, and there is no script, font or image to fetch.
// It is also well-formed XML (void elements are closed, the style sheet
// has no '<' or '&'), so tests can walk it with encoding/xml.

//go:embed page.html.tmpl
var pageTemplate string

//go:embed style.css
var styleSheet string

var page = template.Must(template.New("overview").Parse(pageTemplate))

// defaultTitle is the title of a Page that has none.
const defaultTitle = "cxpulse overview"

// pageView is a Page with every number formatted and every chart laid out:
// the template only prints.
type pageView struct {
	Title    string
	AsOf     string // RFC 3339, UTC; "" when unknown
	Window   string
	Notes    []string
	Tiles    []tileView
	Rankings []rankingView
	Heatmap  heatmapView
	// Experience is shown when it has rows.
	Experience experienceView
	Links      []Link
	CSS        template.CSS
}

// Render writes p as one self-contained HTML document. Every text of p is
// escaped; link URLs with a scheme other than http, https or mailto are
// replaced by "#ZgotmplZ" (html/template's rule). Values that do not exist
// (NaN, ±Inf) are shown as a dash, never as a number. Units of Tile and
// Ranking: "%" means the values are percent already (71.2, not 0.712);
// "s" means seconds, shown as s, min or h by magnitude; any other unit is
// printed after the value. Heatmap cells and the objective are shares in
// [0, 1], as the model says. Nothing is written when rendering fails.
func Render(w io.Writer, p Page) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newPageView(p)); err != nil {
		return fmt.Errorf("render overview: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("write overview: %w", err)
	}
	return nil
}

func newPageView(p Page) pageView {
	v := pageView{
		Title:      p.Title,
		Window:     p.Window,
		Notes:      p.Notes,
		Heatmap:    newHeatmapView(p.Heatmap),
		Experience: newExperienceView(p.Experience),
		Links:      p.Links,
		// A constant of this package, not input: safe to print as CSS.
		CSS: template.CSS(styleSheet),
	}
	if v.Title == "" {
		v.Title = defaultTitle
	}
	if !p.AsOf.IsZero() {
		v.AsOf = p.AsOf.UTC().Format(time.RFC3339)
	}
	for _, t := range p.Tiles {
		v.Tiles = append(v.Tiles, newTileView(t))
	}
	for i, r := range p.Rankings {
		v.Rankings = append(v.Rankings, newRankingView(r, i))
	}
	return v
}
