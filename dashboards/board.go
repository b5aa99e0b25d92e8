package dashboards

import (
	"github.com/grafana-tools/sdk"
)

// The dashboards' stable identities. A uid never changes: links, bookmarks
// and Push find a dashboard by it.
const (
	UIDExecutive = "cxpulse-executive"
	UIDBranches  = "cxpulse-branches"
	UIDResponse  = "cxpulse-response"
	UIDTeams     = "cxpulse-teams"
	UIDRetention = "cxpulse-retention"
	UIDPipeline  = "cxpulse-pipeline"
)

// Tag is on every cxpulse dashboard; the dashboards link to each other by it.
const Tag = "cxpulse"

// schemaVersion 36 is Grafana 9.0's: newer servers upgrade it on load.
const schemaVersion = 36

const gridWidth = 24

// builder lays panels out left to right in rows of the 24-column grid and
// numbers them in the order they are added, so that ids are stable.
type builder struct {
	board *sdk.Board
	x, y  int
	rowH  int // height of the tallest panel on the current line
	// rowNote is the description of the row just started: rows have no
	// description in Grafana's schema, so it opens the description of the
	// row's first panel.
	rowNote string
}

func newBuilder(uid, title string, vars []sdk.TemplateVar, tags ...string) *builder {
	b := &sdk.Board{
		UID:      uid,
		Title:    title,
		Tags:     append([]string{Tag}, tags...),
		Style:    "dark",
		Timezone: "browser",
		Editable: true,
		Panels:   []*sdk.Panel{},
		Templating: sdk.Templating{
			List: vars,
		},
		Refresh:       &sdk.BoolString{Value: "1m"},
		SchemaVersion: schemaVersion,
		Links: []sdk.Link{{
			Title:       "cxpulse",
			Type:        "dashboards",
			Tags:        []string{Tag},
			AsDropdown:  &yes,
			IncludeVars: true,
			KeepTime:    &yes,
		}},
		Time: sdk.Time{From: "now-7d", To: "now"},
		Timepicker: sdk.Timepicker{
			RefreshIntervals: []string{"30s", "1m", "5m", "15m", "1h"},
		},
		GraphTooltip: 1, // shared crosshair
	}
	b.Annotations.List = []sdk.Annotation{}
	return &builder{board: b}
}

// row starts a new full-width row titled title; description, which
// Grafana's schema has no place for on a row, opens the description of the
// row's first panel.
func (b *builder) row(title, description string) {
	b.newline()
	p := &sdk.Panel{
		CommonPanel: common("row", title, "", nil),
		RowPanel:    &sdk.RowPanel{Panels: []sdk.Panel{}},
	}
	p.Description = nil
	p.OfType = sdk.RowType
	b.place(p, gridWidth, 1)
	b.newline()
	b.rowNote = description
}

// add places p w columns wide and h rows high after the previous panel,
// wrapping to a new line when the current one is full.
func (b *builder) add(w, h int, p *sdk.Panel) {
	if b.rowNote != "" {
		d := b.rowNote
		if p.Description != nil && *p.Description != "" {
			d += " " + *p.Description
		}
		p.Description = &d
		b.rowNote = ""
	}
	if b.x+w > gridWidth {
		b.newline()
	}
	b.place(p, w, h)
}

func (b *builder) place(p *sdk.Panel, w, h int) {
	x, y := b.x, b.y
	p.GridPos.X, p.GridPos.Y, p.GridPos.W, p.GridPos.H = &x, &y, &w, &h
	p.ID = uint(len(b.board.Panels) + 1)
	b.board.Panels = append(b.board.Panels, p)
	b.x += w
	if h > b.rowH {
		b.rowH = h
	}
}

func (b *builder) newline() {
	if b.x == 0 {
		return
	}
	b.y += b.rowH
	b.x, b.rowH = 0, 0
}

func (b *builder) done() *sdk.Board { return b.board }

// common is what every panel has: type, title, description and the panel's
// datasource (nil for rows).
func common(typ, title, description string, ds interface{}) sdk.CommonPanel {
	d := description
	return sdk.CommonPanel{
		Type:        typ,
		Title:       title,
		Description: &d,
		Datasource:  ds,
		Editable:    true,
	}
}
