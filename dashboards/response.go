package dashboards

import (
	"fmt"

	"github.com/grafana-tools/sdk"

	"github.com/cxpulse/cxpulse/metrics/expose"
)

// burnWindows are the long windows of the multiwindow burn-rate alerts
// (each paired with a short one: 1h/5m, 6h/30m, 1d/2h, 3d/6h), as exported
// on cxpulse_sla_decisions.
var burnWindows = []string{"1h", "6h", "1d", "3d"}

// burnRate is the error-budget burn rate of an SLA target over a decision
// window: the share of decided tickets that breached, divided by the share
// the objective allows (1 − cxpulse_sla_objective_ratio). The same
// expression as the burn-rate alert rules.
func burnRate(matchers []string, target, window string, by ...string) string {
	m := append(append([]string{}, matchers...), fmt.Sprintf(`target="%s"`, target), fmt.Sprintf(`window="%s"`, window))
	breached := sum(series(metricSLADecisions, append(m, `outcome="breached"`)...), by...)
	all := sum(series(metricSLADecisions, m...), by...)
	return "(" + ratio(breached, all) + ") / on (policy) group_left () (1 - max by (policy) (" + expose.MetricSLAObjective + "))"
}

// Response covers response times and SLAs: percentiles by channel, SLA
// attainment per policy, tickets breaching now, tickets pending on the
// customer and the error-budget burn.
func Response() *sdk.Board {
	b := newBuilder(UIDResponse, "cxpulse · Response times & SLA", append(standardVars(), clickHouseVars()...), "sla")
	m := ms(mBranches, mChannel, mWindow)
	fleetChannels := ms(mFleet, mChannels, mWindow)
	frtField := field{unit: unitSeconds, min: fp(0), thresholds: thrFirstResponse, thresholdsStyle: "dashed"}
	resField := field{unit: unitSeconds, min: fp(0), thresholds: thrResolution, thresholdsStyle: "dashed"}
	const business = " Business seconds: only the branch's opening hours count (docs/KPIS.md). Quantiles cannot be combined across groups, so fleet panels read the fleet's own series (branch=\"all\")."
	const priorityNote = " Priority is not exported to Prometheus (it would multiply the series); the ClickHouse table below splits by priority."

	b.row("Response times ($window)", "Quantiles of the tickets opened in the rolling window, as the KPI engine computed them.")
	b.add(12, 8, timeseries("First response time, fleet: p50, p90, p95",
		"Time from a ticket's opening to the first agent reply, over the tickets opened in the window that got one, for the whole fleet and the selected channel (cxpulse_first_response_seconds{branch=\"all\"}, quantile 0.5, 0.9, 0.95). Not filtered by Branch."+business+priorityNote+" Dashed lines: amber from 80 % of the default policy's 4 h target, red past it.",
		frtField, prom(maxBy(series(metricFirstResponseSeconds, mFleet, mChannel, mWindow), "quantile"), "p{{quantile}}")))
	b.add(12, 8, timeseries("First response time p90 by channel, fleet",
		"p90 of the first response time per channel for the whole fleet (cxpulse_first_response_seconds{branch=\"all\", quantile=\"0.9\"}). Not filtered by Branch or Channel."+business,
		frtField, prom(maxBy(series(metricFirstResponseSeconds, append(fleetChannels, `quantile="0.9"`)...), "channel"), "{{channel}}")))
	b.add(12, 8, timeseries("First response time p90 per branch",
		"p90 of the first response time of each selected branch in the selected channel (cxpulse_first_response_seconds{quantile=\"0.9\"})."+business,
		frtField, prom(maxBy(series(metricFirstResponseSeconds, append(m, `quantile="0.9"`)...), "branch"), "{{branch}}")))
	b.add(12, 8, timeseries("Resolution time p90 by channel, fleet",
		"p90 of the time from opening to the first ticket.resolved, over the resolved tickets opened in the window, per channel, whole fleet (cxpulse_resolution_seconds{branch=\"all\", quantile=\"0.9\"}). Not filtered by Branch or Channel."+business+" Dashed lines: amber from 80 % of the default policy's 72 h target, red past it.",
		resField, prom(maxBy(series(metricResolutionSeconds, append(fleetChannels, `quantile="0.9"`)...), "channel"), "{{channel}}")))
	b.add(12, 8, timeseries("Resolution time per branch: p50 and p90",
		"Median and p90 resolution time of each selected branch in the selected channel (cxpulse_resolution_seconds)."+business,
		resField, prom(maxBy(series(metricResolutionSeconds, m...), "branch", "quantile"), "{{branch}} p{{quantile}}")))
	b.add(12, 8, timeseries("Next response time p90 by channel, fleet",
		"p90 of the next response time: after the first reply, from the first message of a run of customer messages to the agent's answer (cxpulse_next_response_seconds{branch=\"all\", quantile=\"0.9\"}), per channel, whole fleet."+business,
		field{unit: unitSeconds, min: fp(0), thresholds: neutral()},
		prom(maxBy(series(metricNextResponseSeconds, append(fleetChannels, `quantile="0.9"`)...), "channel"), "{{channel}}")))
	b.add(24, 7, table("Response times by priority",
		"Per selected branch and priority, and for the whole fleet (all (fleet)): first response p50/p90 and resolution p50/p90 of the tickets opened in the window $window, in business seconds (only the branch's opening hours count, as in the panels above), with the answered and resolved tickets behind them. Priority is not exported to Prometheus, so these are the KPI engine's own numbers from the scorecards job's snapshot (kpi.jobs.scorecards, every 5 minutes; kpi_snapshots), the latest at or before the end of the time range, all channels: the channel variable does not apply.",
		0, false,
		[]column{
			colText("Branch", "Branch"),
			colText("Priority", "Priority"),
			colNumber("Tickets", "Tickets", fCount),
			colNumber("FRT p50", "FRT p50", fSeconds(thrFirstResponse)),
			colNumber("FRT p90", "FRT p90", fSeconds(thrFirstResponse)),
			colNumber("Answered", "Answered", fCount),
			colNumber("Resolution p50", "Resolution p50", fSeconds(thrResolution)),
			colNumber("Resolution p90", "Resolution p90", fSeconds(thrResolution)),
			colNumber("Resolved", "Resolved", fCount),
		},
		rawSQLTable(loadSQL("response_by_priority", map[string]string{"snapshot_filter": priorityRows}))))

	b.row("SLA attainment ($window)", "met / (met + breached) of the tickets opened in the window; pending tickets (no event yet, target not passed) are left out.")
	attField := field{unit: unitRatio, max: fp(1), thresholds: thrAttainment, thresholdsStyle: "dashed"}
	b.add(12, 8, timeseries("SLA attainment per policy and target",
		"Attainment of each SLA policy and target (first_response, resolution) over the selected branches and channel: Σcxpulse_sla_met / Σ(met + breached). Dashed lines: 95 % (the default objective) and 90 %.",
		attField, prom(attainment(m, "policy", "target"), "{{policy}} · {{target}}")))
	b.add(6, 8, barGauge("SLA attainment now",
		"Attainment per policy and target at the end of the time range: Σcxpulse_sla_met / Σ(cxpulse_sla_met + cxpulse_sla_breached) over the selected branches and channel. Amber below 95 %, red below 90 %.",
		fRatio(thrAttainment), promNow(attainment(m, "policy", "target"), "{{policy}} · {{target}}")))
	b.add(6, 8, timeseries("Met, breached and pending tickets",
		"Tickets opened in the window per outcome, all policies and targets, selected branches and channel: met (event within target), breached (late, or still waiting past the target), pending (waiting within the target). From cxpulse_sla_met, _breached and _pending.",
		field{unit: unitShort, thresholds: neutral(), stacked: true, fillOpacity: 60, drawStyle: "bars"},
		prom(sum(series(metricSLAMet, m...)), "met"),
		prom(sum(series(metricSLABreached, m...)), "breached"),
		prom(sum(series(metricSLAPending, m...)), "pending"),
	))

	now := ms(mBranches, mChannel) // breaching-now series carry the lookback as window
	b.row("Breaching now", "Tickets waiting for their first response or resolution right now, opened within the lookback (kpi.breaching_lookback, default 30d; the window label of these series). The Window variable does not apply.")
	b.add(12, 8, timeseries("Tickets breaching now and at risk",
		"Per policy and target, tickets with no first response (resolution) yet that are past their target now (breaching, cxpulse_sla_breaching_now) or past 80 % of it (at risk, cxpulse_sla_at_risk: the ones a team lead can still save), and all the tickets waiting for that event (open, cxpulse_sla_open), in the selected branches and channel.",
		field{unit: unitShort, thresholds: neutral()},
		prom(sum(series(metricSLABreachingNow, now...), "policy", "target"), "breaching {{policy}} · {{target}}"),
		prom(sum(series(metricSLAAtRisk, now...), "policy", "target"), "at risk {{policy}} · {{target}}"),
		prom(sum(series(metricSLAOpen, now...), "policy", "target"), "open {{policy}} · {{target}}"),
	))
	b.add(6, 8, timeseries("Oldest wait among breaching tickets",
		"The longest wait, in the policy's time (business or calendar), among the tickets breaching now, per policy and target (cxpulse_sla_oldest_waiting_seconds, the maximum over the selected branches). No value when nothing breaches.",
		field{unit: unitSeconds, min: fp(0), thresholds: neutral()},
		prom(maxBy(series(metricSLAOldestWaitingSeconds, now...), "policy", "target"), "{{policy}} · {{target}}")))
	b.add(6, 8, barGauge("Breaching now per branch",
		"Tickets breaching their SLA now per selected branch, all policies and targets (Σcxpulse_sla_breaching_now), at the end of the time range. Amber from 1, red from 10.",
		field{unit: unitShort, decimals: ip(0), min: fp(0), thresholds: lowerIsBetter(1, 10)},
		promNow(sum(series(metricSLABreachingNow, now...), "branch"), "{{branch}}")))
	pendingRow(b, m, now)

	b.row("Error-budget burn rate", "How fast each policy spends its error budget (1 − objective), over the alert rules' windows.")
	const burnDesc = "Error-budget burn rate of the %s target per policy, over the decision windows 1h, 6h, 1d and 3d: (breached / decided tickets in the window, from cxpulse_sla_decisions{outcome}) / (1 − cxpulse_sla_objective_ratio), the expression of the burn-rate alerts. 1 spends exactly the budget; the alerts page at 14.4 over 1h (and 5m) and 6 over 6h (and 30m), and open a ticket at 3 over 1d (and 2h) and 1 over 3d (and 6h). Decisions happen only while a business-hours branch is open, so a closed branch burns nothing. Selected branches and channel."
	for _, target := range []string{"first_response", "resolution"} {
		var ts []sdk.Target
		for _, w := range burnWindows {
			ts = append(ts, prom(burnRate(ms(mBranches, mChannel), target, w, "policy"), "{{policy}} "+w))
		}
		b.add(12, 8, timeseries("Burn rate: "+target,
			fmt.Sprintf(burnDesc, target),
			field{unit: unitNone, min: fp(0), thresholds: thrBurn, thresholdsStyle: "dashed"},
			ts...))
	}
	b.add(24, 8, barGauge("Burn rate over 1h per branch",
		"First-response burn rate over the last hour per selected branch and policy, at the end of the time range: (breached / decided in cxpulse_sla_decisions{window=\"1h\"}) / (1 − cxpulse_sla_objective_ratio), by branch: which branch is burning the budget. Amber from 1, red from 6, dark red from 14.4.",
		field{unit: unitNone, decimals: ip(2), min: fp(0), thresholds: thrBurn},
		promNow(burnRate(ms(mBranches, mChannel), "first_response", "1h", "branch", "policy"), "{{branch}} · {{policy}}")))
	return b.done()
}
