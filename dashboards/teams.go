package dashboards

import "github.com/grafana-tools/sdk"

// Snapshot filters of the scorecards. The KPI engine crosses every grouped
// dimension with "all" and leaves the others empty (docs/KPI-ENGINE.md), so
// each (branch, team) or (branch, agent) figure is on exactly one row:
const (
	// a team's rows: a team, and every agent of it ("all") or no agent split;
	teamRows = "team NOT IN ('', 'all') AND agent IN ('', 'all')"
	// an agent's rows: an agent, within its team or with no team split.
	agentRows = "agent NOT IN ('', 'all') AND team != 'all'"
)

// scorecardColumns style the columns the scorecard queries return.
func scorecardColumns(keys ...column) []column {
	return append(keys,
		colNumber("Tickets", "Tickets", fCount),
		colNumber("FRT p50", "FRT p50", fSeconds(thrFirstResponse)),
		colNumber("FRT p90", "FRT p90", fSeconds(thrFirstResponse)),
		colNumber("Answered", "Answered", fCount),
		colNumber("Resolution p50", "Resolution p50", fSeconds(thrResolution)),
		colNumber("Resolved", "Resolved", fCount),
		colNumber("SLA attainment", "SLA attainment", fRatio(thrAttainment)),
		colNumber("FCR", "FCR", fRatio(thrFCR)),
		colNumber("Reopened", "Reopened", fRatio(thrReopen)),
		colNumber("CSAT", "CSAT", fRatio(thrCSAT)),
		colNumber("CSAT N", "CSAT answers", fCount),
		colNumber("NPS", "NPS", fNPS),
		colNumber("NPS N", "NPS answers", fCount),
		colNumber("Complaints", "Complaints", fCount),
	)
}

// Teams shows team and agent scorecards from ClickHouse, so that Prometheus
// never holds a series per agent.
func Teams() *sdk.Board {
	b := newBuilder(UIDTeams, "cxpulse · Teams & agents", append(standardVars(), clickHouseVars()...), "teams")

	const snapshots = " From the latest complete snapshot of each KPI job at or before the end of the time range (kpi_snapshots, runs in kpi_snapshot_runs), window $window, all channels, the selected branches. Rows with team or agent labels exist only when metrics.team_series or metrics.agent_series makes the KPI jobs group by team or agent: empty otherwise (the scorecards above, from the raw events, always have data)."
	const events = " Computed from the raw events (cxpulse.events) of the dashboard's time range, in the selected branches and channel, as of its end: tickets opened in the range; a ticket belongs to the team and agent of its first agent reply, else of its opening event (\"-\" when none); surveys and complaints to their own agent and team, else to the first agent who replied on their ticket. Times are calendar (wall-clock) seconds, not business hours, so they run longer than the Prometheus response times. FCR: resolved with exactly one agent reply before the resolution and never reopened. NPS below 30 answers is low-confidence."

	b.row("Scorecards from the events", "Always available: computed by ClickHouse from the stored events of the time range.")
	b.add(24, 9, table("Team scorecard (events)",
		"Per branch and team: tickets, first response p50/p90 (calendar seconds) and the answered tickets, resolution p50 and the resolved tickets, FCR and reopen shares, CSAT share of 4–5 answers, NPS, complaints."+events,
		1, false,
		scorecardColumns(colText("Branch", "Branch"), colText("Team", "Team")),
		rawSQLTable(loadSQL("scorecard_events", scorecardTeam))))
	b.add(24, 12, table("Agent scorecard (events)",
		"Per agent, with team and branch: tickets, first response p50/p90 (calendar seconds) and the answered tickets, resolution p50 and the resolved tickets, FCR and reopen shares, CSAT, NPS, complaints."+events,
		0, false,
		scorecardColumns(colText("Agent", "Agent"), colText("Team", "Team"), colText("Branch", "Branch")),
		rawSQLTable(loadSQL("scorecard_events", scorecardAgent))))
	b.add(24, 9, timeseries("First response p90 per team over time (events)",
		"p90 of the first response time (calendar seconds) of the tickets opened in each time step, per branch · team, from the raw events (cxpulse.events; same attribution as the event scorecards). Time steps follow the panel's interval. Dashed lines: amber from 80 % of the default 4 h target, red past it.",
		field{unit: unitSeconds, min: fp(0), thresholds: thrFirstResponse, thresholdsStyle: "dashed"},
		chSeries(loadSQL("team_frt_p90_events", nil))))
	b.row("Scorecards from the KPI engine", "The engine's own numbers (business hours, exact definitions), when a KPI job groups by team or agent.")
	b.add(24, 9, table("Team scorecard (KPI snapshots)",
		"Per branch and team: tickets opened, first response p50/p90 and resolution p50 in business seconds, SLA attainment (met / (met + breached), all policies and targets), first-contact resolution and reopen shares of resolved tickets, CSAT share of 4–5 answers, NPS, with the counts behind them."+snapshots,
		1, false,
		scorecardColumns(colText("Branch", "Branch"), colText("Team", "Team")),
		rawSQLTable(loadSQL("scorecard_snapshots", with(scorecardTeam, "snapshot_filter", teamRows)))))
	b.add(24, 10, table("Agent scorecard (KPI snapshots)",
		"Per agent (with the agent's team when the job also groups by team, and branch): first response p50/p90 and resolution p50 in business seconds, SLA attainment, FCR, reopen share, CSAT, NPS, with the counts behind them."+snapshots,
		0, false,
		scorecardColumns(colText("Agent", "Agent"), colText("Team", "Team"), colText("Branch", "Branch")),
		rawSQLTable(loadSQL("scorecard_snapshots", with(scorecardAgent, "snapshot_filter", agentRows)))))

	return b.done()
}

// The leading columns and grouping of the team and the agent scorecards,
// which share their SQL (sql/scorecard_*.sql).
var (
	scorecardTeam = map[string]string{
		"scorecard_columns": "branch AS `Branch`,\n    team AS `Team`,",
		"scorecard_keys":    "branch, team",
	}
	scorecardAgent = map[string]string{
		"scorecard_columns": "agent AS `Agent`,\n    team AS `Team`,\n    branch AS `Branch`,",
		"scorecard_keys":    "branch, team, agent",
	}
)

// with returns placeholders plus one more.
func with(placeholders map[string]string, key, value string) map[string]string {
	out := map[string]string{key: value}
	for k, v := range placeholders {
		out[k] = v
	}
	return out
}
