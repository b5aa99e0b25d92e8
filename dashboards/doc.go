// Package dashboards owns cxpulse's Grafana dashboards as code: one Go file
// per dashboard (executive.go, branches.go, response.go, teams.go,
// retention.go, pipeline.go), built with github.com/grafana-tools/sdk, and
// the JSON generated from them (Generate), pushed to a Grafana server (Push)
// and committed under deploy/grafana/dashboards.
//
// The dashboards know metric names (docs/METRICS.md) and the ClickHouse
// tables (sql/migrations), not how the numbers are computed. Panels read
// Prometheus for every KPI that is exported and ClickHouse (through the
// grafana-clickhouse-datasource plugin, v4) for what is not: cohorts, team
// and agent scorecards, response times by priority. The ClickHouse panels
// read kpi_snapshots, what the KPI jobs wrote, never the raw events: a
// panel that derived a KPI on its own would show a second number for it.
//
// # What the JSON targets
//
// Grafana 9.0–11.x (the funnel plots' XY chart v2 options: 11.3+):
// schemaVersion 36 (Grafana 9.0), so that newer servers apply their own
// upgrades on load; nothing in it is outside Grafana's current schema
// (grafana_schema_test.go); datasource references are
// {type, uid} objects bound to template variables; Prometheus and ClickHouse
// datasources are chosen by datasource variables, never by a fixed uid.
//
// The SDK (grafana-tools/sdk, 2022) models the stat, table and timeseries
// panels only partly: when Grafana's JSON of such a panel is read back into
// sdk.Board, fields the SDK has no place for (fieldConfig.overrides, table
// transformations, stat fieldConfig) are dropped. To keep every dashboard
// but its tables exactly round-trippable through sdk.Board (a test checks
// it), panels use:
//
//   - the SDK's typed timeseries and bar gauge panels, only with the
//     fields the SDK models (so the NPS margin-of-error band is drawn as two
//     lines: a fill between them needs a field override);
//   - sdk.CustomPanel (kept verbatim by the SDK) for panel types the SDK does
//     not model: gauge, status-history and XY chart;
//   - Grafana's React table, written as an sdk.CustomPanel, for tables: the
//     only table with column widths (custom.width overrides), which long
//     headers need (table-old's headers overlapped in Grafana 9.3). The SDK
//     reads a "table" back into its own table type and drops the
//     fieldConfig, so tables are the one panel outside the round trip;
//     layout_test.go checks their widths, units and fit instead.
//
// # ClickHouse SQL
//
// SQL targets live in sql/*.sql (embedded) and run on ClickHouse 18.16 and
// current releases: no CTEs, no window functions, one JOIN per SELECT.
// {{name}} includes sql/name.sql. They use only these plugin macros:
//
//	$__timeFilter(col)  col >= toDateTime(from) AND col <= toDateTime(to)
//	$__fromTime         toDateTime(from)
//	$__toTime           toDateTime(to)
//	$__interval_s       the panel interval in whole seconds (at least 1)
//
// and the template variables ${database} (a constant, "cxpulse"),
// ${branch:singlequote}, ${channel:singlequote} and ${window:singlequote}.
// ExpandMacros and ExpandVariables reproduce both, for tests that run the
// targets against real servers.
package dashboards
