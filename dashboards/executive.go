package dashboards

import "github.com/grafana-tools/sdk"

// Executive is the management overview: the headline KPIs of the selected
// branches (the fleet with All) with their trends, NPS with its margin of
// error, and the best and worst branches.
func Executive() *sdk.Board {
	b := newBuilder(UIDExecutive, "cxpulse · Executive overview", standardVars(), "executive")
	m := ms(mBranches, mChannel, mWindow)
	perBranch := ms(mBranches, mChannelAll, mWindow)

	const selected = " Selected branches: the fleet when Branch is All (sums over branches equal the fleet's own numbers)."

	b.row("Headline KPIs over the last $window", "The selected branches and channel, over the rolling window chosen in Window.")
	b.add(4, 7, gauge("NPS",
		"Net Promoter Score, −100…100: 100·(promoters − detractors)/answers of survey.nps in the window (promoters score 9–10, detractors 0–6)."+
			selected+" Computed from the summed counts cxpulse_nps_promoters, _detractors and _responses. Red below 0, amber from 0, green from 30.",
		fNPS, rawPromNow(nps(m), "NPS", false)))
	b.add(4, 7, gauge("CSAT",
		"Customer satisfaction: the share of survey.csat answers scoring 4–5 of 5, Σcxpulse_csat_satisfied / Σcxpulse_csat_responses."+
			selected+" Red below 70 %, green from 80 %.",
		fRatio(thrCSAT), rawPromNow(sumRatio(metricCSATSatisfied, metricCSATResponses, m), "CSAT", false)))
	b.add(4, 7, gauge("CES",
		"Customer effort score: mean survey.ces answer, 1–7, where 7 means the issue was easy to get handled. The answer-weighted mean of cxpulse_ces_mean (Σ mean·N / ΣN)."+
			selected+" Red below 4.5, green from 5.5.",
		fCES, rawPromNow(cesMean(m), "CES", false)))
	b.add(4, 7, gauge("Retention",
		"Rolling retention: customers active both in the previous window and in this one, over those active in the previous window (Σcxpulse_customers_retained / Σcxpulse_customers_previous). Per branch only, so the Channel variable does not apply."+
			selected+" Red below 50 %, green from 70 %.",
		fRatio(thrRetention), rawPromNow(sumRatio(metricCustomersRetained, metricCustomersPrevious, perBranch), "Retention", false)))
	b.add(4, 7, gauge("SLA attainment",
		"Share of SLA targets met: met / (met + breached) over every policy and both targets (first response, resolution) of the tickets opened in the window; tickets still within their target (pending) are left out. From cxpulse_sla_met and cxpulse_sla_breached."+
			selected+" Amber below the default objective of 95 %, red below 90 %.",
		fRatio(thrAttainment), rawPromNow(attainment(m), "SLA attainment", false)))
	b.add(4, 7, barGauge("Sample sizes",
		"How many answers and tickets stand behind the headline numbers, over the window, summed over the selected branches: NPS, CSAT and CES are survey answers (cxpulse_nps_responses, cxpulse_csat_responses, cxpulse_ces_responses), SLA the decided targets (cxpulse_sla_met + cxpulse_sla_breached), Retention the previously active customers (cxpulse_customers_previous, the retention denominator). A bar is red below 30: an NPS on fewer than 30 answers is flagged low-confidence and moves by many points from one answer.",
		field{unit: unitShort, decimals: ip(0), thresholds: thrSampleSize},
		promNow(sum(series(metricNPSResponses, m...)), "NPS"),
		promNow(sum(series(metricCSATResponses, m...)), "CSAT"),
		promNow(sum(series(metricCESResponses, m...)), "CES"),
		promNow(decided(m), "SLA"),
		promNow(sum(series(metricCustomersPrevious, perBranch...)), "Retention"),
	))

	b.row("Trends", "Each point is the KPI over the rolling window ending at that instant, as the KPI jobs computed it: a 30d window moves slowly by design.")
	b.add(12, 9, bandTimeseries("NPS with its 95 % margin of error",
		"NPS of the selected branches with its 95 % margin of error as a band: nps ± 196·sqrt((p + d − (p − d)²)/N), p and d the promoter and detractor shares of the N answers (docs/KPIS.md). Equal to cxpulse_nps ± cxpulse_nps_margin_of_error of the fleet (branch=\"all\") when Branch is All; computed from the summed counts so that it stays right for any selection of branches. A change smaller than the band is noise.",
		unitNone,
		prom(nps(m), "NPS"),
		prom(nps(m)+" + "+npsMargin(m), "NPS + margin"),
		prom(nps(m)+" - "+npsMargin(m), "NPS - margin"),
	))
	b.add(12, 9, timeseries("CSAT, retention and SLA attainment",
		"The ratios of the headline gauges over time, computed the same way (Σ numerators / Σ denominators of the selected branches). The dashed lines are the SLA objective's 90 % and 95 % marks.",
		field{unit: unitRatio, max: fp(1), thresholds: thrAttainment, thresholdsStyle: "dashed"},
		prom(sumRatio(metricCSATSatisfied, metricCSATResponses, m), "CSAT"),
		prom(sumRatio(metricCustomersRetained, metricCustomersPrevious, perBranch), "retention"),
		prom(attainment(m), "SLA attainment"),
	))
	b.add(12, 8, timeseries("CES over time",
		"Mean customer effort score (1–7, 7 = easiest) of the selected branches over time: Σ(cxpulse_ces_mean·cxpulse_ces_responses)/Σcxpulse_ces_responses. The dashed lines are the amber (4.5) and green (5.5) marks.",
		field{unit: unitNone, thresholds: thrCES, thresholdsStyle: "dashed"},
		prom(cesMean(m), "CES"),
	))
	b.add(12, 8, timeseries("Tickets opened and complaints",
		"Volume behind the KPIs: tickets opened in the window (cxpulse_tickets_opened) and complaint.filed events in the window (cxpulse_complaints), summed over the selected branches.",
		field{unit: unitShort, thresholds: neutral()},
		prom(sum(series(metricTicketsOpened, m...)), "tickets opened"),
		prom(sum(series(metricComplaints, m...)), "complaints"),
	))

	b.row("Best and worst branches", "Ranked at the end of the time range. Only branches with enough data are ranked, so that a branch with three answers cannot top the list.")
	npsGuard := " and on (branch) (" + series(metricNPSLowConfidence, m...) + " == 0)"
	b.add(6, 8, barGauge("Top 5 branches by NPS",
		"The five selected branches with the highest NPS (cxpulse_nps) in the window, among those with at least 30 answers (cxpulse_nps_low_confidence == 0).",
		fNPS, promNow("sort_desc(topk(5, "+series(metricNPS, m...)+npsGuard+"))", "{{branch}}")))
	b.add(6, 8, barGauge("Bottom 5 branches by NPS",
		"The five selected branches with the lowest NPS (cxpulse_nps) in the window, among those with at least 30 answers (cxpulse_nps_low_confidence == 0).",
		fNPS, promNow("sort(bottomk(5, "+series(metricNPS, m...)+npsGuard+"))", "{{branch}}")))
	attGuard := " and on (branch) (" + decided(m, "branch") + " >= 30)"
	b.add(6, 8, barGauge("Top 5 branches by SLA attainment",
		"The five selected branches with the highest SLA attainment (met / (met + breached), all policies and targets) in the window, among those with at least 30 decided tickets.",
		fRatio(thrAttainment), promNow("sort_desc(topk(5, "+attainment(m, "branch")+attGuard+"))", "{{branch}}")))
	b.add(6, 8, barGauge("Bottom 5 branches by SLA attainment",
		"The five selected branches with the lowest SLA attainment (met / (met + breached), all policies and targets) in the window, among those with at least 30 decided tickets.",
		fRatio(thrAttainment), promNow("sort(bottomk(5, "+attainment(m, "branch")+attGuard+"))", "{{branch}}")))
	return b.done()
}
