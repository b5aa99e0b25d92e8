package dashboards

// pendingRow adds the tickets pending on the customer (event contract 1.1:
// ticket.pending, ticket.resumed) to the SLA dashboard: how long they wait
// on the customer, how many wait now, and the SLA clocks that stand still
// meanwhile. m selects branches, channel and window; now branches and
// channel (the breaching-now series carry the lookback as window).
func pendingRow(b *builder, m, now []string) {
	b.row("Pending on the customer ($window)", "Tickets whose agent waits on the customer (ticket.pending until ticket.resumed or a customer message). Pending time is left out of resolution times and of the resolution SLA clocks of policies with pause_when_pending (the default), docs/KPI-ENGINE.md.")
	b.add(12, 8, timeseries("Time pending on the customer per branch: mean and p90",
		"Per selected branch, over the tickets opened in the window that were pending at some time: the mean and the p90 of the business time they spent pending, up to their resolution or now (cxpulse_pending_mean_seconds, cxpulse_pending_p90_seconds), in the selected channel. Business seconds: only the branch's opening hours count.",
		field{unit: unitSeconds, min: fp(0), thresholds: neutral()},
		prom(maxBy(series(metricPendingMeanSeconds, m...), "branch"), "{{branch}} mean"),
		prom(maxBy(series(metricPendingP90Seconds, m...), "branch"), "{{branch}} p90")))
	b.add(6, 8, barGauge("Tickets pending now per branch",
		"Tickets opened in the window that wait on the customer now, not resolved (Σcxpulse_tickets_pending_now), per selected branch in the selected channel, at the end of the time range. Their resolution clocks stand still while they wait.",
		field{unit: unitShort, decimals: ip(0), min: fp(0), thresholds: neutral()},
		promNow(sum(series(metricTicketsPendingNow, m...), "branch"), "{{branch}}")))
	b.add(6, 8, timeseries("Paused SLA clocks",
		"Per policy and target, the open tickets pending on the customer now whose clock stands still (cxpulse_sla_paused: policies with pause_when_pending for resolution, pause_first_response for first response), selected branches and channel. They count as open but are neither breaching nor at risk until they resume.",
		field{unit: unitShort, min: fp(0), thresholds: neutral()},
		prom(sum(series(metricSLAPaused, now...), "policy", "target"), "{{policy}} · {{target}}")))
}
