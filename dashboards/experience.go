package dashboards

// experienceRow is the Retention dashboard's row on retention by service
// experience (KPI retention_experience, docs/KPI-ENGINE.md): whether the
// customers who had a bad experience in the previous window come back less
// than the others, the measurement behind "most unhappy customers leave
// silently". m are the dashboard's per-branch matchers.
func experienceRow(b *builder, m []string) {
	const def = " A customer had a bad experience at a branch when, in the previous window and as known at its end, they gave a detractor answer (NPS 0–6), had a ticket that breached an SLA target, a callback promise that was broken, or an appointment that started later than the grace; everybody else active there in the previous window is in the other group. Per branch (channel \"all\")."
	bad, good := append(ms(`experience="bad"`), m...), append(ms(`experience="good"`), m...)
	fleet := ms(mFleet, mChannelAll, mWindow)

	b.row("Retention by service experience ($window)", "The retention of customers after a bad experience against everybody else's, with the gap, its 95 % interval and its test.")
	b.add(12, 8, timeseries("Retention after a bad experience and without one",
		"Rolling retention of the two groups of the selected branches: Σcxpulse_experience_customers_retained / Σcxpulse_experience_customers_previous with experience=\"bad\" and experience=\"good\" (the two add up to cxpulse_customers_previous)."+def,
		field{unit: unitRatio, max: fp(1), thresholds: thrRetention, thresholdsStyle: "dashed"},
		prom(sumRatio(metricExperienceCustomersRetained, metricExperienceCustomersPrevious, bad), "after a bad experience"),
		prom(sumRatio(metricExperienceCustomersRetained, metricExperienceCustomersPrevious, good), "without one"),
	))
	b.add(12, 8, bandTimeseries("Fleet retention gap with its 95 % interval",
		"Retention without a bad experience minus retention after one, for the whole fleet (cxpulse_experience_retention_gap, branch=\"all\"), with its 95 % interval as two lines (cxpulse_experience_retention_gap_bound: Newcombe's hybrid score interval, sound for a small group of unhappy customers). A band that excludes 0 is a real loss; the p-value is on cxpulse_experience_retention_gap_p_value."+def,
		unitRatio,
		prom(maxBy(series(metricExperienceRetentionGap, fleet...), "window"), "gap"),
		prom(maxBy(series(metricExperienceRetentionGapBound, append(ms(`bound="upper"`), fleet...)...), "window"), "upper bound"),
		prom(maxBy(series(metricExperienceRetentionGapBound, append(ms(`bound="lower"`), fleet...)...), "window"), "lower bound"),
	))
	b.add(12, 8, barGauge("Retention gap now per branch",
		"Per selected branch at the end of the time range: retention without a bad experience minus retention after one (cxpulse_experience_retention_gap). Only branches with customers in both groups have a value; a branch with few unhappy customers has a wide interval (see the fleet panel). Green below 5 points, red from 15."+def,
		field{unit: unitRatio, min: fp(-1), max: fp(1), decimals: ip(1), thresholds: thrGap, byThreshold: true},
		promNow(maxBy(series(metricExperienceRetentionGap, m...), "branch"), "{{branch}}")))
	b.add(12, 8, timeseries("Customers after a bad experience, by what went wrong",
		"Customers of the selected branches active in the previous window who had each bad experience there (cxpulse_experience_bad_customers by reason); a customer with two counts in both, so the lines may add up to more than the bad group (cxpulse_experience_customers_previous{experience=\"bad\"})."+def,
		field{unit: unitShort, thresholds: neutral()},
		prom(sum(series(metricExperienceBadCustomers, m...), "reason"), "{{reason}}"),
	))
}
