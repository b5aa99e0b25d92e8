package dashboards

import (
	"github.com/grafana-tools/sdk"
)

// Queries of the SDK's typed panels (sdk.Target). The ClickHouse plugin wants
// a numeric "format", which sdk.Target cannot hold (its Format is a string),
// so typed panels carry only time-series SQL, for which the plugin's default
// format is right.

// prom is a Prometheus range query.
func prom(expr, legend string) sdk.Target {
	return sdk.Target{Datasource: promDS, Expr: expr, LegendFormat: legend}
}

// promNow is a Prometheus instant query: the value at the end of the range.
func promNow(expr, legend string) sdk.Target {
	return sdk.Target{Datasource: promDS, Expr: expr, LegendFormat: legend, Instant: true}
}

// chSeries is a ClickHouse time-series query (a DateTime column named time,
// string columns naming the series, numeric columns the values).
func chSeries(sql string) sdk.Target {
	return sdk.Target{Datasource: chDS, RawSql: sql}
}

// rawTarget is a query of the panels the SDK does not model, written as
// Grafana 9–11 and the plugins expect it.
type rawTarget struct {
	RefID        string      `json:"refId"`
	Datasource   dsRef       `json:"datasource"`
	Expr         string      `json:"expr,omitempty"`
	LegendFormat string      `json:"legendFormat,omitempty"`
	Instant      bool        `json:"instant,omitempty"`
	Range        *bool       `json:"range,omitempty"`
	EditorMode   string      `json:"editorMode,omitempty"`
	RawSQL       string      `json:"rawSql,omitempty"`
	EditorType   string      `json:"editorType,omitempty"`
	QueryType    string      `json:"queryType,omitempty"`
	Format       interface{} `json:"format,omitempty"`
}

var (
	yes = true
	no  = false
)

// rawPromNow is a Prometheus instant query for a custom panel; asTable asks
// for Grafana's table format (one row per series, labels as columns, the
// value in "Value #<refId>").
func rawPromNow(expr, legend string, asTable bool) rawTarget {
	t := rawTarget{Datasource: promDS, Expr: expr, LegendFormat: legend, Instant: true, Range: &no, EditorMode: "code"}
	if asTable {
		t.Format = "table"
	}
	return t
}

// rawProm is a Prometheus range query for a custom panel.
func rawProm(expr, legend string) rawTarget {
	return rawTarget{Datasource: promDS, Expr: expr, LegendFormat: legend, Range: &yes, EditorMode: "code"}
}

// chFormatTable is grafana-clickhouse-datasource's "table" format (v4).
const chFormatTable = 1

// rawSQLTable is a ClickHouse query returning a table, for a custom panel.
func rawSQLTable(sql string) rawTarget {
	return rawTarget{Datasource: chDS, RawSQL: sql, EditorType: "sql", QueryType: "table", Format: chFormatTable}
}

func refID(i int) string { return string(rune('A' + i)) }

// timeseries is the SDK's typed timeseries panel.
func timeseries(title, description string, f field, targets ...sdk.Target) *sdk.Panel {
	p := &sdk.Panel{
		CommonPanel: common("timeseries", title, description, datasourceOf(targets)),
		TimeseriesPanel: &sdk.TimeseriesPanel{
			Targets: numbered(targets),
			Options: sdk.TimeseriesOptions{
				Legend:  sdk.TimeseriesLegendOptions{Calcs: []string{}, DisplayMode: "list", Placement: "bottom"},
				Tooltip: sdk.TimeseriesTooltipOptions{Mode: "multi"},
			},
			FieldConfig: typedFieldConfig(f),
		},
	}
	p.OfType = sdk.TimeseriesType
	return p
}

// barGauge is the SDK's typed bar gauge: one bar per series, horizontal,
// coloured by the thresholds.
func barGauge(title, description string, f field, targets ...sdk.Target) *sdk.Panel {
	f.byThreshold = true
	opts := sdk.Options{Orientation: "horizontal", DisplayMode: "gradient"}
	opts.ReduceOptions.Calcs = []string{"lastNotNull"}
	p := &sdk.Panel{
		CommonPanel: common("bargauge", title, description, datasourceOf(targets)),
		BarGaugePanel: &sdk.BarGaugePanel{
			Targets:     numbered(targets),
			Options:     opts,
			FieldConfig: typedFieldConfig(f),
		},
	}
	p.OfType = sdk.BarGaugeType
	return p
}

// bandTimeseries is the SDK's typed timeseries panel drawing a value with
// the upper and lower bounds of its band as lines, each with its last value
// in the legend. (The Angular graph panel it replaces filled between the
// bounds; a timeseries fill-between needs a fieldConfig override, which the
// SDK's typed panel cannot hold.)
func bandTimeseries(title, description, unit string, value, upper, lower sdk.Target) *sdk.Panel {
	p := timeseries(title, description, field{unit: unit, thresholds: neutral()}, value, upper, lower)
	p.TimeseriesPanel.Options.Legend.Calcs = []string{"lastNotNull"}
	return p
}

// custom wraps a panel type the SDK does not model; keys are written as is.
func custom(typ, title, description string, ds dsRef, keys sdk.CustomPanel) *sdk.Panel {
	p := &sdk.Panel{CommonPanel: common(typ, title, description, ds), CustomPanel: &keys}
	p.OfType = sdk.CustomType
	return p
}

// gauge is a Grafana gauge (not modelled by the SDK) of instant queries.
func gauge(title, description string, f field, targets ...rawTarget) *sdk.Panel {
	f.byThreshold = true
	return custom("gauge", title, description, targets[0].Datasource, sdk.CustomPanel{
		"targets":     numberedRaw(targets),
		"fieldConfig": newCustomFieldConfig(f, nil),
		"options": map[string]interface{}{
			"orientation":          "auto",
			"reduceOptions":        map[string]interface{}{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"showThresholdLabels":  false,
			"showThresholdMarkers": true,
			"text":                 map[string]interface{}{},
		},
	})
}

// statusHistory is a Grafana status history (not modelled by the SDK): one
// row per series, one cell per time bucket, coloured by the thresholds: a
// heatmap of series × time.
func statusHistory(title, description string, f field, maxDataPoints int, targets ...rawTarget) *sdk.Panel {
	f.byThreshold = true
	return custom("status-history", title, description, targets[0].Datasource, sdk.CustomPanel{
		"targets":       numberedRaw(targets),
		"maxDataPoints": maxDataPoints,
		"fieldConfig":   newCustomFieldConfig(f, map[string]interface{}{"fillOpacity": 80, "lineWidth": 1}),
		"options": map[string]interface{}{
			"colWidth":  0.95,
			"rowHeight": 0.9,
			"showValue": "auto",
			"legend":    map[string]interface{}{"displayMode": "list", "placement": "bottom", "showLegend": true},
			"tooltip":   map[string]interface{}{"mode": "single"},
		},
	})
}

// column is one column of a table panel: the field it shows (a name the
// query returns, "Value #X" for Prometheus query X), its header and how it
// shows numbers.
type column struct {
	field  string
	header string
	hidden bool
	number bool
	f      field
}

func colText(name, header string) column { return column{field: name, header: header} }

func colHidden(name string) column { return column{field: name, hidden: true} }

// colNumber shows a number with f's unit and decimals (0 when f has none)
// and, when f has thresholds beyond its base, colours the cell by them.
func colNumber(name, header string, f field) column {
	if f.decimals == nil {
		f.decimals = ip(0)
	}
	return column{field: name, header: header, number: true, f: f}
}

// Column widths, in pixels. A header is written in Grafana's 14 px table
// font, about 8 px a character at most, between 8 px of padding each side;
// number columns get that width, so that no header is cut or overlaps its
// neighbour whatever the screen, and text columns (names) share the rest.
const (
	headerCharPx    = 8
	headerPaddingPx = 16
	minColumnPx     = 64
)

// headerWidth is the width a column needs to show header in full.
func headerWidth(header string) int {
	return max(len([]rune(header))*headerCharPx+headerPaddingPx, minColumnPx)
}

// override is one column's fieldConfig override.
type override struct {
	Matcher    matcher    `json:"matcher"`
	Properties []property `json:"properties"`
}

type matcher struct {
	ID      string `json:"id"`
	Options string `json:"options"`
}

type property struct {
	ID    string      `json:"id"`
	Value interface{} `json:"value"`
}

func (c column) override() override {
	props := []property{{"displayName", c.header}}
	if c.number {
		props = append(props, property{"unit", c.f.unit}, property{"decimals", *c.f.decimals},
			property{"custom.width", headerWidth(c.header)})
		if len(c.f.thresholds.Steps) == 3 {
			props = append(props, property{"custom.displayMode", "color-background"},
				property{"color", sdk.FieldConfigColor{Mode: "thresholds"}}, property{"thresholds", c.f.thresholds})
		}
	}
	return override{Matcher: matcher{ID: "byName", Options: c.field}, Properties: props}
}

// table is Grafana's table panel (React, Grafana >= 7): the queries' frames
// are merged on their common fields (for instant Prometheus queries: one
// row per label set, query X's value in "Value #X"), hidden columns are left
// out by an organize transformation, and each column's header, unit,
// decimals, width and cell colours are field overrides. sortCol indexes
// columns.
func table(title, description string, sortCol int, desc bool, columns []column, targets ...rawTarget) *sdk.Panel {
	transformations := []interface{}{}
	if len(targets) > 1 {
		transformations = append(transformations, map[string]interface{}{"id": "merge", "options": map[string]interface{}{}})
	}
	excluded := map[string]bool{}
	overrides := []override{}
	for _, c := range columns {
		if c.hidden {
			excluded[c.field] = true
			continue
		}
		overrides = append(overrides, c.override())
	}
	if len(excluded) > 0 {
		transformations = append(transformations, map[string]interface{}{"id": "organize", "options": map[string]interface{}{
			"excludeByName": excluded, "indexByName": map[string]interface{}{}, "renameByName": map[string]interface{}{},
		}})
	}
	return custom("table", title, description, targets[0].Datasource, sdk.CustomPanel{
		"targets":         numberedRaw(targets),
		"transformations": transformations,
		"fieldConfig": map[string]interface{}{
			"defaults": map[string]interface{}{
				"custom":     map[string]interface{}{"align": "auto", "displayMode": "auto", "inspect": false},
				"mappings":   []interface{}{},
				"color":      sdk.FieldConfigColor{Mode: "fixed"},
				"thresholds": thresholds("text"),
			},
			"overrides": overrides,
		},
		"options": map[string]interface{}{
			"showHeader": true,
			"footer":     map[string]interface{}{"show": false, "reducer": []string{"sum"}},
			"sortBy":     []map[string]interface{}{{"displayName": columns[sortCol].header, "desc": desc}},
		},
	})
}

func numbered(ts []sdk.Target) []sdk.Target {
	out := make([]sdk.Target, len(ts))
	for i, t := range ts {
		t.RefID = refID(i)
		out[i] = t
	}
	return out
}

func numberedRaw(ts []rawTarget) []rawTarget {
	out := make([]rawTarget, len(ts))
	for i, t := range ts {
		t.RefID = refID(i)
		out[i] = t
	}
	return out
}

// datasourceOf is the panel's datasource: the one its queries use.
func datasourceOf(ts []sdk.Target) interface{} {
	if len(ts) == 0 {
		return promDS
	}
	return ts[0].Datasource
}
