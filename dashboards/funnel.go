package dashboards

import (
	"github.com/grafana-tools/sdk"

	"github.com/cxpulse/cxpulse/metrics/expose"
)

// funnelPlot is a Grafana XY chart, v2 of Grafana 11.3+ (not modelled by the SDK) of the compare
// job's funnel for one KPI: each selected branch's value (points) against
// its number of answers on a log axis, with the 95 % and 99.8 % control
// limits the branches are judged by (dashed lines through the branches'
// sizes). Six instant queries, one row per branch each, are merged on the
// branch label, renamed and sorted by answers so the limit lines run left to
// right.
func funnelPlot(title, description, kpi string, y field) *sdk.Panel {
	m := ms(`kpi="`+kpi+`"`, `window="30d"`, mBranches)
	q := func(metric string, extra ...string) rawTarget {
		return rawPromNow(maxBy(series(metric, append(append([]string{}, m...), extra...)...), "branch"), "", true)
	}
	limit := func(level, bound string) rawTarget {
		return q(expose.MetricCompareLimit, `level="`+level+`"`, `bound="`+bound+`"`)
	}
	targets := []rawTarget{q(expose.MetricCompareAnswers), q(expose.MetricCompareValue),
		limit("0.95", "lower"), limit("0.95", "upper"), limit("0.998", "lower"), limit("0.998", "upper")}
	names := []string{"answers", "value", "95 % lower", "95 % upper", "99.8 % lower", "99.8 % upper"}
	rename := map[string]interface{}{"Time": "", "branch": "branch"}
	for i, n := range names {
		rename["Value #"+refID(i)] = n
	}
	byName := func(name string, props ...map[string]interface{}) map[string]interface{} {
		return map[string]interface{}{"matcher": byNameMatcher(name), "properties": props}
	}
	prop := func(id string, v interface{}) map[string]interface{} {
		return map[string]interface{}{"id": id, "value": v}
	}
	grey := prop("color", map[string]interface{}{"mode": "fixed", "fixedColor": "#8e8e8e"})
	dashed := func(dash []int) []map[string]interface{} {
		return []map[string]interface{}{prop("custom.show", "lines"), prop("custom.lineStyle", map[string]interface{}{"fill": "dash", "dash": dash}), grey}
	}
	overrides := []interface{}{
		byName("answers", prop("unit", unitShort), prop("decimals", 0),
			prop("custom.scaleDistribution", map[string]interface{}{"type": "log", "log": 10})),
		byName("value", prop("custom.show", "points"), prop("custom.pointSize", map[string]interface{}{"fixed": 8})),
	}
	for _, n := range names[2:4] {
		overrides = append(overrides, byName(n, dashed([]int{10, 6})...))
	}
	for _, n := range names[4:] {
		overrides = append(overrides, byName(n, dashed([]int{2, 4})...))
	}
	fc := newCustomFieldConfig(y, map[string]interface{}{
		"show": "points", "pointSize": map[string]interface{}{"fixed": 6}, "lineWidth": 1,
		"axisPlacement": "auto", "scaleDistribution": map[string]interface{}{"type": "linear"},
	})
	fc.Overrides = overrides
	return custom("xychart", title, description, promDS, sdk.CustomPanel{
		"targets": numberedRaw(targets),
		"transformations": []interface{}{
			map[string]interface{}{"id": "merge", "options": map[string]interface{}{}},
			map[string]interface{}{"id": "organize", "options": map[string]interface{}{
				"excludeByName": map[string]interface{}{"Time": true}, "renameByName": rename}},
			map[string]interface{}{"id": "sortBy", "options": map[string]interface{}{
				"fields": map[string]interface{}{}, "sort": []interface{}{map[string]interface{}{"field": "answers"}}}},
		},
		"fieldConfig": fc,
		// XY chart v2 (Grafana 11.3+): automatic mapping, x the answers
		// column, y every other number column (the value and the limits).
		// pluginVersion marks the options as v2: without one, Grafana
		// migrates them as the v1 dims/seriesMapping options on load.
		"pluginVersion": xyChartVersion,
		"options": map[string]interface{}{
			"mapping": "auto",
			"series": []interface{}{map[string]interface{}{
				"x": map[string]interface{}{"matcher": byNameMatcher("answers")},
				"y": map[string]interface{}{"matcher": map[string]interface{}{"id": "byType", "options": "number"}},
			}},
			"legend":  map[string]interface{}{"displayMode": "list", "placement": "bottom", "showLegend": true},
			"tooltip": map[string]interface{}{"mode": "single", "sort": "none"},
		},
	})
}

// xyChartVersion is the first Grafana release whose XY chart (v2) reads
// the funnel plots' options: older ones have the v1 XY chart (dims,
// seriesMapping), which Grafana's current schema no longer describes.
const xyChartVersion = "11.3.0"

func byNameMatcher(name string) map[string]interface{} {
	return map[string]interface{}{"id": "byName", "options": name}
}

// funnelDescription is the common part of the funnel plots' descriptions.
const funnelDescription = " against its number of answers (x, log scale) over 30 days, from the compare job (cxpulse_compare_value, cxpulse_compare_answers), with the funnel's 95 % (dashed) and 99.8 % (dotted) control limits for each branch's size (cxpulse_compare_limit): standard ± z·√(σ²/n + τ²), the standard being the typical branch (cxpulse_compare_standard, a weighted median the outliers do not drag) and τ the between-branch SD estimated from winsorised z-scores (Spiegelhalter 2005). A branch outside the limits differs by more than noise and the usual spread; cxpulse_branch_flagged says which ones are flagged under FDR control. Small branches have wide limits: far from the line is not yet different."
