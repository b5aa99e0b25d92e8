package dashboards

import "github.com/grafana-tools/sdk"

// Grafana units used by the panels.
const (
	unitRatio   = "percentunit" // a 0–1 ratio shown as a percentage
	unitPercent = "percent"     // already 0–100
	unitSeconds = "s"
	unitShort   = "short"
	unitNone    = "none"
)

// Colours of thresholds: green is good, amber a warning, red a breach.
const (
	colorGood    = "green"
	colorWarn    = "orange" // amber
	colorBad     = "red"
	colorPage    = "dark-red"
	colorNeutral = "blue"
)

// field says how a panel shows its numbers: unit, range, decimals and the
// thresholds that colour them.
type field struct {
	unit       string
	decimals   *int
	min, max   *float64
	thresholds sdk.Thresholds
	// byThreshold colours values by their threshold (gauges, bar gauges);
	// otherwise series get the classic palette.
	byThreshold bool
	// timeseries only
	thresholdsStyle string // off, line, dashed, area, line+area, dashed+area
	fillOpacity     int
	drawStyle       string // line or bars
	stacked         bool
}

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }

func thresholds(base string, steps ...sdk.ThresholdStep) sdk.Thresholds {
	return sdk.Thresholds{Mode: "absolute", Steps: append([]sdk.ThresholdStep{{Color: base}}, steps...)}
}

func at(v float64, color string) sdk.ThresholdStep {
	return sdk.ThresholdStep{Color: color, Value: fp(v)}
}

// higherIsBetter: red below amber, amber below green.
func higherIsBetter(amber, green float64) sdk.Thresholds {
	return thresholds(colorBad, at(amber, colorWarn), at(green, colorGood))
}

// lowerIsBetter: green below amber, amber below red.
func lowerIsBetter(amber, red float64) sdk.Thresholds {
	return thresholds(colorGood, at(amber, colorWarn), at(red, colorBad))
}

func neutral() sdk.Thresholds { return thresholds(colorNeutral) }

// The thresholds of each KPI. SLA attainment follows the default SLA
// objective (sla_policies[].objective, default 0.95; cxpulse_sla_objective_ratio):
// amber below the objective, red below 0.90. The others are starting points
// for a customer-service standard; change them here.
var (
	thrAttainment  = higherIsBetter(0.90, 0.95)
	thrNPS         = higherIsBetter(0, 30)                   // NPS points
	thrCSAT        = higherIsBetter(0.70, 0.80)              // share satisfied (4–5 of 5)
	thrCES         = higherIsBetter(4.5, 5.5)                // mean of 1–7, 7 = easiest
	thrRetention   = higherIsBetter(0.50, 0.70)              // share of last window's customers still active
	thrPunctuality = higherIsBetter(0.80, 0.90)              // appointments started within the grace
	thrPromiseKept = higherIsBetter(0.80, 0.90)              // callbacks done by their due time
	thrFCR         = higherIsBetter(0.30, 0.50)              // first-contact resolution
	thrReopen      = lowerIsBetter(0.10, 0.20)               // reopened / resolved
	thrComplaints  = lowerIsBetter(1, 2)                     // complaints per 100 tickets
	thrCohort      = higherIsBetter(0.20, 0.40)              // share of a cohort active k months later
	thrGap         = lowerIsBetter(0.05, 0.15)               // retention lost after a bad experience
	thrSampleSize  = thresholds(colorBad, at(30, colorGood)) // NPS below N = 30 is low-confidence
	// The default policy's targets (first_response 4h, resolution 72h):
	// amber from 80 % of the target (kpi.at_risk_fraction), red past it.
	thrFirstResponse = lowerIsBetter(0.8*4*3600, 4*3600)
	thrResolution    = lowerIsBetter(0.8*72*3600, 72*3600)
	// Error-budget burn rate: 1 spends the budget exactly over the SLO
	// period; the multiwindow alerts fire at 3 and 1 (tickets: 1d and 3d
	// windows), 6 and 14.4 (pages: 6h and 1h windows).
	thrBurn = thresholds(colorGood, at(1, colorWarn), at(6, colorBad), at(14.4, colorPage))
)

// Field settings used across dashboards.
var (
	fRatio = func(t sdk.Thresholds) field {
		return field{unit: unitRatio, min: fp(0), max: fp(1), decimals: ip(1), thresholds: t, byThreshold: true}
	}
	fNPS     = field{unit: unitNone, min: fp(-100), max: fp(100), decimals: ip(0), thresholds: thrNPS, byThreshold: true}
	fCES     = field{unit: unitNone, min: fp(1), max: fp(7), decimals: ip(2), thresholds: thrCES, byThreshold: true}
	fCount   = field{unit: unitShort, decimals: ip(0), thresholds: neutral()}
	fSeconds = func(t sdk.Thresholds) field {
		return field{unit: unitSeconds, min: fp(0), thresholds: t}
	}
)

// typedFieldConfig is a field as the SDK's typed panels hold it.
func typedFieldConfig(f field) sdk.FieldConfig {
	d := sdk.FieldConfigDefaults{
		Unit:       f.unit,
		Decimals:   f.decimals,
		Min:        f.min,
		Max:        f.max,
		Thresholds: f.thresholds,
		Color:      sdk.FieldConfigColor{Mode: "palette-classic"},
	}
	if f.byThreshold {
		d.Color = sdk.FieldConfigColor{Mode: "thresholds"}
	}
	c := &d.Custom
	c.AxisPlacement = "auto"
	c.DrawStyle = "line"
	if f.drawStyle != "" {
		c.DrawStyle = f.drawStyle
	}
	c.FillOpacity = f.fillOpacity
	c.GradientMode = "none"
	c.LineInterpolation = "linear"
	c.LineWidth = 1
	c.PointSize = 4
	c.ShowPoints = "never"
	c.SpanNulls = false
	c.LineStyle.Fill = "solid"
	c.ScaleDistribution.Type = "linear"
	c.Stacking.Group = "A"
	c.Stacking.Mode = "none"
	if f.stacked {
		c.Stacking.Mode = "normal"
	}
	c.ThresholdsStyle.Mode = "off"
	if f.thresholdsStyle != "" {
		c.ThresholdsStyle.Mode = f.thresholdsStyle
	}
	return sdk.FieldConfig{Defaults: d}
}

// customFieldConfig is a field as the panels the SDK does not model hold it.
type customFieldConfig struct {
	Defaults  customDefaults `json:"defaults"`
	Overrides []interface{}  `json:"overrides"`
}

type customDefaults struct {
	Unit       string                 `json:"unit"`
	Decimals   *int                   `json:"decimals,omitempty"`
	Min        *float64               `json:"min,omitempty"`
	Max        *float64               `json:"max,omitempty"`
	Color      sdk.FieldConfigColor   `json:"color"`
	Thresholds sdk.Thresholds         `json:"thresholds"`
	Mappings   []interface{}          `json:"mappings"`
	Custom     map[string]interface{} `json:"custom,omitempty"`
}

func newCustomFieldConfig(f field, custom map[string]interface{}) customFieldConfig {
	color := sdk.FieldConfigColor{Mode: "palette-classic"}
	if f.byThreshold {
		color = sdk.FieldConfigColor{Mode: "thresholds"}
	}
	return customFieldConfig{
		Defaults: customDefaults{
			Unit: f.unit, Decimals: f.decimals, Min: f.min, Max: f.max,
			Color: color, Thresholds: f.thresholds, Mappings: []interface{}{}, Custom: custom,
		},
		Overrides: []interface{}{},
	}
}
