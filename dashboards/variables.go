package dashboards

import "github.com/grafana-tools/sdk"

// Datasource plugin ids, as Grafana names them in datasource references.
const (
	PrometheusType = "prometheus"
	ClickHouseType = "grafana-clickhouse-datasource"
)

// Template variable names shared by every dashboard.
const (
	varDatasource = "datasource" // the Prometheus datasource
	varClickHouse = "clickhouse" // the ClickHouse datasource, where SQL panels are
	varDatabase   = "database"   // cxpulse's ClickHouse database, a constant
	varBranch     = "branch"
	varChannel    = "channel"
	varWindow     = "window"
)

// Defaults of the variables: what a dashboard opens with.
const (
	defaultChannel  = "all"
	defaultWindow   = "30d"
	defaultDatabase = "cxpulse"
	// Provisioned datasources (deploy/grafana/provisioning/datasources);
	// any other datasource of the right type can be picked instead.
	provisionedPrometheus = "cxpulse-prometheus"
	provisionedClickHouse = "cxpulse-clickhouse"
)

// dsRef is a Grafana 8.3+ datasource reference.
type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

var (
	promDS = dsRef{Type: PrometheusType, UID: "${" + varDatasource + "}"}
	chDS   = dsRef{Type: ClickHouseType, UID: "${" + varClickHouse + "}"}
)

// The label variables are read from this series, which every branch and
// channel with tickets has (docs/METRICS.md).
var variableSeries = metricTicketsOpened

func refreshOn(v int64) sdk.BoolInt { return sdk.BoolInt{Flag: true, Value: &v} }

const (
	// refreshNever is written for constants: Grafana's schema wants a number
	// (0, 1, 2); the SDK's zero value would be false.
	refreshNever       = 0
	refreshOnLoad      = 1
	refreshOnTimeRange = 2
)

func current(text string, value interface{}) sdk.Current {
	return sdk.Current{Text: &sdk.StringSliceString{Value: []string{text}, Valid: true}, Value: value}
}

func datasourceVar(name, label, plugin, provisioned, text string) sdk.TemplateVar {
	return sdk.TemplateVar{
		Name:    name,
		Label:   label,
		Type:    "datasource",
		Query:   plugin,
		Refresh: refreshOn(refreshOnLoad),
		Options: []sdk.Option{},
		Current: current(text, provisioned),
	}
}

// labelVar is a Prometheus query variable over the values of a label.
func labelVar(name, label string, multi bool, cur sdk.Current, regex string, sort int) sdk.TemplateVar {
	return sdk.TemplateVar{
		Name:       name,
		Label:      label,
		Type:       "query",
		Datasource: promDS,
		Query:      "label_values(" + variableSeries + ", " + name + ")",
		Regex:      regex,
		Refresh:    refreshOn(refreshOnTimeRange),
		Multi:      multi,
		IncludeAll: multi,
		Options:    []sdk.Option{},
		Current:    cur,
		Sort:       sort,
	}
}

// standardVars are the variables of every dashboard: the Prometheus
// datasource, branch (several, All by default, without the fleet's "all"),
// channel (one, "all" by default: KPIs of several channels cannot be summed
// with their "all" group) and window.
func standardVars() []sdk.TemplateVar {
	return []sdk.TemplateVar{
		datasourceVar(varDatasource, "Prometheus", PrometheusType, provisionedPrometheus, "Prometheus"),
		// JavaScript regex (Grafana filters the options in the browser):
		// every branch but the fleet row "all".
		labelVar(varBranch, "Branch", true, sdk.Current{
			Text:  &sdk.StringSliceString{Value: []string{"All"}, Valid: true},
			Value: []string{"$__all"},
		}, "/^(?!all$).+$/", 1),
		labelVar(varChannel, "Channel", false, current(defaultChannel, defaultChannel), "", 1),
		labelVar(varWindow, "Window", false, current(defaultWindow, defaultWindow), "", 0),
	}
}

// clickHouseVars are added to dashboards with SQL panels.
func clickHouseVars() []sdk.TemplateVar {
	return []sdk.TemplateVar{
		datasourceVar(varClickHouse, "ClickHouse", ClickHouseType, provisionedClickHouse, "ClickHouse"),
		{
			Name:    varDatabase,
			Label:   "ClickHouse database",
			Type:    "constant",
			Query:   defaultDatabase,
			Hide:    sdk.TemplatingHideVariable,
			Refresh: refreshOn(refreshNever),
			Options: []sdk.Option{},
			Current: current(defaultDatabase, defaultDatabase),
		},
	}
}
