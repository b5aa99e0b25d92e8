package dashboards

import "github.com/grafana-tools/sdk"

// Branches compares every selected branch on every KPI, side by side with
// the sample sizes that say whether a difference is real.
func Branches() *sdk.Board {
	b := newBuilder(UIDBranches, "cxpulse · Branch comparison", standardVars(), "branches")
	m := ms(mBranches, mChannel, mWindow)
	perBranch := ms(mBranches, mChannelAll, mWindow)
	by := func(metric string, matchers []string, extra ...string) string {
		return maxBy(series(metric, append(append([]string{}, matchers...), extra...)...), "branch")
	}
	count := func(metric string, matchers []string) string { return sum(series(metric, matchers...), "branch") }

	b.row("Every branch, every KPI ($window)", "One row per branch at the end of the time range; each value comes with the count it is computed from.")
	// One instant query per column, merged on the branch label by the
	// table; column "Value #X" is query X of its table.
	queries := []struct {
		expr string
		col  column
	}{
		{by(metricNPS, m), colNumber("", "NPS", fNPS)},
		{by(metricNPSMarginOfError, m), colNumber("", "NPS ±", field{unit: unitNone, decimals: ip(1)})},
		{count(metricNPSResponses, m), colNumber("", "NPS answers", fCount)},
		{by(metricCSATRatio, m), colNumber("", "CSAT", fRatio(thrCSAT))},
		{count(metricCSATResponses, m), colNumber("", "CSAT answers", fCount)},
		{by(metricCESMean, m), colNumber("", "CES", fCES)},
		{count(metricCESResponses, m), colNumber("", "CES answers", fCount)},
		{by(metricFirstResponseSeconds, m, `quantile="0.9"`), colNumber("", "FRT p90", fSeconds(thrFirstResponse))},
		{count(metricFirstResponseTickets, m), colNumber("", "FRT tickets", fCount)},
		{attainment(m, "branch"), colNumber("", "SLA attainment", fRatio(thrAttainment))},
		{decided(m, "branch"), colNumber("", "SLA decided", fCount)},
		{by(metricFCRRatio, m), colNumber("", "FCR", fRatio(thrFCR))},
		{by(metricReopenRatio, m), colNumber("", "Reopened", fRatio(thrReopen))},
		{count(metricTicketsResolved, m), colNumber("", "Resolved", fCount)},
		{by(metricRetentionRatio, perBranch), colNumber("", "Retention", fRatio(thrRetention))},
		{count(metricCustomersPrevious, perBranch), colNumber("", "Customers before", fCount)},
		{by(metricPunctualityOnTimeRatio, perBranch), colNumber("", "On time", fRatio(thrPunctuality))},
		{count(metricAppointmentsStarted, perBranch), colNumber("", "Appointments", fCount)},
		{by(metricPromiseKeptRatio, perBranch), colNumber("", "Promise kept", fRatio(thrPromiseKept))},
		{count(metricCallbacksPromised, perBranch), colNumber("", "Callbacks", fCount)},
		{by(metricComplaintsPer100Tickets, m), colNumber("", "Complaints /100", field{unit: unitNone, decimals: ip(2), thresholds: thrComplaints})},
		{count(metricTicketsOpened, m), colNumber("", "Tickets", fCount)},
	}
	// Two tables of eleven KPI columns each: every header is legible and
	// each table fits a 1280 px screen without scrolling sideways.
	sideBySide := func(title, description string, qs []struct {
		expr string
		col  column
	}) {
		cols := []column{colHidden("Time"), colText("branch", "Branch")}
		var targets []rawTarget
		for i, q := range qs {
			q.col.field = "Value #" + refID(i)
			cols = append(cols, q.col)
			targets = append(targets, rawPromNow(q.expr, "", true))
		}
		b.add(24, 12, table(title, description, 1, false, cols, targets...))
	}
	const colours = " Colours: green good, amber warning, red bad (thresholds in dashboards/fields.go)."
	sideBySide("Branches side by side",
		"Every selected branch on the customer and response KPIs over the window, at the end of the time range, with the counts behind each value: NPS (cxpulse_nps) with its 95 % margin of error in points and answers; CSAT share of 4–5 answers; CES mean 1–7; first-response time p90 in business seconds and the tickets it is over; SLA attainment met/(met + breached) over all policies and targets and the decided tickets. A difference smaller than the NPS margin is noise."+colours,
		queries[:11])
	sideBySide("Branches side by side: resolution, retention, appointments",
		"Every selected branch on the resolution and relationship KPIs over the window, at the end of the time range, with the counts behind each value: first-contact resolution and reopen shares of resolved tickets (cxpulse_fcr_ratio, cxpulse_reopen_ratio); rolling retention and the previously active customers; appointments started on time (within kpi.punctuality_grace); callbacks done by their due time; complaints per 100 tickets opened. Retention, punctuality and promise kept are per branch (channel \"all\" whatever the Channel variable)."+colours,
		queries[11:])

	b.row("Funnel plots: branches against the standard (30 days)", "Each branch's value against its number of answers, with the control limits that tell a real difference from noise and from the usual spread between branches.")
	b.add(12, 10, funnelPlot("Funnel plot: NPS", "Each selected branch's NPS in points (−100…100)"+funnelDescription, "nps",
		field{unit: unitNone, decimals: ip(0), thresholds: neutral()}))
	b.add(12, 10, funnelPlot("Funnel plot: CSAT", "Each selected branch's CSAT share (answers 4–5 of 5)"+funnelDescription, "csat",
		field{unit: unitRatio, decimals: ip(1), thresholds: neutral()}))
	b.add(12, 10, funnelPlot("Funnel plot: SLA attainment", "Each selected branch's SLA attainment met/(met + breached) for the first policy's first-response target"+funnelDescription, "sla",
		field{unit: unitRatio, decimals: ip(1), thresholds: neutral()}))
	b.add(12, 10, funnelPlot("Funnel plot: first-response median", "Each selected branch's median first-response time in business seconds (x: tickets)"+funnelDescription, "first_response",
		field{unit: unitSeconds, thresholds: neutral()}))

	b.row("SLA attainment by channel", "Where the SLA slips: every branch crossed with every channel.")
	b.add(24, 14, statusHistory("SLA attainment heatmap: branch × channel",
		"SLA attainment (met / (met + breached), all policies and targets, rolling window $window) for each selected branch and channel over time: one row per branch · channel, one cell per time step, green from 95 % (the default objective), amber from 90 %, red below. Shows every channel whatever the Channel variable. An empty cell has no decided ticket.",
		fRatio(thrAttainment), 60,
		rawProm(attainment(ms(mBranches, mChannels, mWindow), "branch", "channel"), "{{branch}} · {{channel}}")))

	b.row("Volume and channel mix ($window)", "Where customers come from: tickets per branch and the share of each channel.")
	b.add(8, 8, barGauge("Tickets opened per branch",
		"Tickets opened in the window per selected branch in the selected channel (cxpulse_tickets_opened): the volume every other number rests on.",
		field{unit: unitShort, decimals: ip(0), min: fp(0), thresholds: neutral()},
		promNow(count(metricTicketsOpened, m), "{{branch}}")))
	b.add(8, 8, timeseries("Channel mix, selected branches",
		"Share of each channel in the tickets opened in the window, over the selected branches: Σcxpulse_tickets_opened of the channel / Σ of all channels (cxpulse_tickets_channel_share_ratio is the same share per branch). Stacked to 100 %.",
		field{unit: unitRatio, min: fp(0), max: fp(1), decimals: ip(1), thresholds: neutral(), stacked: true, fillOpacity: 40},
		prom(sum(series(metricTicketsOpened, mBranches, mChannels, mWindow), "channel")+
			" / on () group_left () ("+sum(series(metricTicketsOpened, mBranches, mChannelAll, mWindow))+" > 0)", "{{channel}}")))
	b.add(8, 8, barGauge("Self-service share per branch",
		"Share of each selected branch's tickets opened through self-service in the window (cxpulse_tickets_self_service_ratio, channel \"all\"): customers who helped themselves.",
		field{unit: unitRatio, min: fp(0), max: fp(1), decimals: ip(1), thresholds: neutral()},
		promNow(by(metricTicketsSelfServiceRatio, perBranch), "{{branch}}")))

	b.row("Punctuality, promises and complaints", "Per branch: appointments started on time, callbacks done as promised, complaints per 100 tickets.")
	b.add(8, 9, barGauge("Appointments started on time",
		"Share of appointments, due in the window, that started within the grace (kpi.punctuality_grace, default 5 min) of their scheduled time, per branch (cxpulse_punctuality_on_time_ratio). Red below 80 %, green from 90 %.",
		fRatio(thrPunctuality), promNow(by(metricPunctualityOnTimeRatio, perBranch), "{{branch}}")))
	b.add(8, 9, barGauge("Callback promises kept",
		"Share of callbacks promised for the window that were completed by their due time, per branch (cxpulse_promise_kept_ratio). Red below 80 %, green from 90 %.",
		fRatio(thrPromiseKept), promNow(by(metricPromiseKeptRatio, perBranch), "{{branch}}")))
	b.add(8, 9, barGauge("Complaints per 100 tickets",
		"complaint.filed events per 100 tickets opened in the window, per branch (cxpulse_complaints_per_100_tickets). Green below 1, red from 2. Most unhappy customers never complain: read it with retention.",
		field{unit: unitNone, decimals: ip(2), min: fp(0), thresholds: thrComplaints},
		promNow(by(metricComplaintsPer100Tickets, m), "{{branch}}")))
	b.add(12, 8, timeseries("Late appointments: mean delay",
		"Mean delay of the appointments that started late (after the grace), per branch, in seconds (cxpulse_punctuality_late_mean_delay_seconds), and the p90 delay of all the started ones (cxpulse_punctuality_delay_p90_seconds), by due time in the window. A negative delay is an early start.",
		field{unit: unitSeconds, thresholds: neutral()},
		prom(by(metricPunctualityLateMeanDelaySeconds, perBranch), "{{branch}} mean late"),
		prom(by(metricPunctualityDelayP90Seconds, perBranch), "{{branch}} p90"),
	))
	b.add(12, 8, timeseries("Complaint rate",
		"Complaints per 100 tickets opened over the rolling window, per branch (cxpulse_complaints_per_100_tickets). The dashed lines are the amber (1) and red (2) marks.",
		field{unit: unitNone, thresholds: thrComplaints, thresholdsStyle: "dashed"},
		prom(by(metricComplaintsPer100Tickets, m), "{{branch}}"),
	))
	b.add(12, 8, timeseries("Punctuality over time",
		"Punctuality per branch over time (cxpulse_punctuality_on_time_ratio); dashed lines at the amber (80 %) and green (90 %) marks.",
		field{unit: unitRatio, max: fp(1), thresholds: thrPunctuality, thresholdsStyle: "dashed"},
		prom(by(metricPunctualityOnTimeRatio, perBranch), "{{branch}}"),
	))
	b.add(12, 8, timeseries("Promises kept over time",
		"Promise-kept share per branch over time (cxpulse_promise_kept_ratio); dashed lines at the amber (80 %) and green (90 %) marks.",
		field{unit: unitRatio, max: fp(1), thresholds: thrPromiseKept, thresholdsStyle: "dashed"},
		prom(by(metricPromiseKeptRatio, perBranch), "{{branch}}"),
	))
	return b.done()
}
