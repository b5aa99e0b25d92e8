package dashboards

import "github.com/grafana-tools/sdk"

// Snapshot filters of the scorecards. The scorecards job groups by [branch,
// team], [branch, agent] and [branch, priority]; the engine crosses each
// grouped dimension with "all" and leaves the others empty
// (docs/KPI-ENGINE.md), so each figure is on exactly one row:
const (
	// a team's rows, in the selected branches;
	teamRows = "branch IN (${branch:singlequote}) AND team NOT IN ('', 'all') AND agent = '' AND priority = ''"
	// an agent's rows, in the selected branches;
	agentRows = "branch IN (${branch:singlequote}) AND agent NOT IN ('', 'all') AND team = '' AND priority = ''"
	// a priority's rows, in the selected branches and for the fleet.
	priorityRows = "(branch IN (${branch:singlequote}) OR branch = 'all') AND priority NOT IN ('', 'all') AND team = '' AND agent = ''"
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

// scorecardsSource says where every scorecard figure comes from.
const scorecardsSource = " The KPI engine's own numbers, not a second derivation: the scorecards job's snapshot (kpi.jobs.scorecards, every 5 minutes; kpi_snapshots, complete runs in kpi_snapshot_runs), the latest at or before the end of the time range, window $window, all channels, the selected branches. Times are business seconds: only the branch's opening hours count (docs/KPIS.md), as in the Prometheus panels. A ticket counts for the team and agent of its first agent reply, else of its opening event; a survey or complaint for its own. NPS below 30 answers is low-confidence."

// Teams shows team and agent scorecards from the scorecards job's
// snapshots, so that Prometheus never holds a series per agent.
func Teams() *sdk.Board {
	b := newBuilder(UIDTeams, "cxpulse · Teams & agents", append(standardVars(), clickHouseVars()...), "teams")

	b.row("Scorecards", "Computed by the KPI engine (business hours, exact definitions) into the scorecards job's snapshots.")
	b.add(24, 9, table("Team scorecard",
		"Per branch and team: tickets opened, first response p50/p90 and resolution p50 in business seconds with the answered and resolved tickets behind them, SLA attainment (met / (met + breached), all policies and targets), first-contact resolution and reopen shares of resolved tickets, CSAT share of 4–5 answers, NPS, complaints."+scorecardsSource,
		1, false,
		scorecardColumns(colText("Branch", "Branch"), colText("Team", "Team")),
		rawSQLTable(loadSQL("scorecard_snapshots", with(scorecardTeam, "snapshot_filter", teamRows)))))
	b.add(24, 12, table("Agent scorecard",
		"Per agent and branch: tickets, first response p50/p90 and resolution p50 in business seconds, SLA attainment, FCR, reopen share, CSAT, NPS, complaints, with the counts behind them."+scorecardsSource,
		0, false,
		scorecardColumns(colText("Agent", "Agent"), colText("Branch", "Branch")),
		rawSQLTable(loadSQL("scorecard_snapshots", with(scorecardAgent, "snapshot_filter", agentRows)))))
	b.add(24, 9, timeseries("First response p90 per team over time",
		"p90 of the first response time in business seconds per branch · team, over the window $window, at every run of the scorecards job in the time range (kpi_snapshots of job scorecards, one point per run, every 5 minutes by default): the numbers of the team scorecard, over time. Dashed lines: amber from 80 % of the default 4 h target, red past it.",
		field{unit: unitSeconds, min: fp(0), thresholds: thrFirstResponse, thresholdsStyle: "dashed"},
		chSeries(loadSQL("team_frt_p90_snapshots", nil))))

	return b.done()
}

// The leading columns and grouping of the team and the agent scorecards,
// which share their SQL (sql/scorecard_snapshots.sql).
var (
	scorecardTeam = map[string]string{
		"scorecard_columns": "branch AS `Branch`,\n    team AS `Team`,",
		"scorecard_keys":    "branch, team",
	}
	scorecardAgent = map[string]string{
		"scorecard_columns": "agent AS `Agent`,\n    branch AS `Branch`,",
		"scorecard_keys":    "branch, agent",
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
