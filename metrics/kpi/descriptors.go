package kpi

// The KPI table: one entry per KPI, in the order Compute runs their
// families and reports list them. Adding a KPI is adding an entry here (and
// its name constant in model.go, its computation in a family); /metrics,
// the jobs, the configuration and the dashboards' checks follow from it.
// A plain literal, so that entries port between branches by hand.
var descriptors = []Descriptor{
	{
		Name: NPS, Help: "Net Promoter Score of survey.nps answers.", Job: "satisfaction",
		Families: []*Family{surveysFamily}, Dims: surveyDims,
		Fields: []Field{
			{Name: "responses", Unit: Count, Metric: "cxpulse_nps_responses", Help: "survey.nps answers in the window."},
			{Name: "promoters", Unit: Count, Metric: "cxpulse_nps_promoters", Help: "NPS answers scoring 9-10."},
			{Name: "passives", Unit: Count, Metric: "cxpulse_nps_passives", Help: "NPS answers scoring 7-8.", NoPanel: "responses less promoters and detractors; panels show the NPS from those"},
			{Name: "detractors", Unit: Count, Metric: "cxpulse_nps_detractors", Help: "NPS answers scoring 0-6."},
			{Name: "nps", Unit: Points, Metric: "cxpulse_nps", Help: "Net Promoter Score, -100..100: 100*(promoters-detractors)/responses."},
			{Name: "margin_of_error", Unit: Points, Metric: "cxpulse_nps_margin_of_error", Help: "95% margin of error of the NPS, in NPS points."},
			{Name: "low_confidence", Unit: Flag, Metric: "cxpulse_nps_low_confidence", Help: "1 when the NPS rests on fewer than 30 answers."},
		},
		Compare: &Comparison{Title: "NPS", Unit: Points, HigherIsBetter: true, Method: CompareNPS, Screen: 1, League: true},
		Tile:    &Tile{Place: 1, Title: "NPS", Value: "nps", N: []string{"responses"}, Margin: "margin_of_error", HigherIsBetter: true},
	},
	{
		Name: CSAT, Help: "Customer satisfaction: the share of survey.csat answers scoring 4-5.", Job: "satisfaction",
		Families: []*Family{surveysFamily}, Dims: surveyDims,
		Fields: []Field{
			{Name: "responses", Unit: Count, Metric: "cxpulse_csat_responses", Help: "survey.csat answers in the window."},
			{Name: "satisfied", Unit: Count, Metric: "cxpulse_csat_satisfied", Help: "CSAT answers scoring 4-5."},
			{Name: "csat_percent", Unit: Percent, Metric: "cxpulse_csat_ratio", Help: "CSAT: share of answers scoring 4-5 (a percent in rows, a 0..1 ratio as a metric)."},
			{Name: "mean_score", Unit: Score, Metric: "cxpulse_csat_mean_score", Help: "Mean CSAT score, 1..5.", NoPanel: "panels show the CSAT ratio"},
		},
		Compare: &Comparison{Title: "CSAT (share satisfied)", Unit: Ratio, HigherIsBetter: true, Method: CompareProportion, Successes: "satisfied", Trials: []string{"responses"}, Screen: 2, League: true},
		Tile:    &Tile{Place: 2, Title: "CSAT", Value: "csat_percent", N: []string{"responses"}, HigherIsBetter: true},
	},
	{
		Name: CES, Help: "Customer effort: the mean survey.ces score.", Job: "satisfaction",
		Families: []*Family{surveysFamily}, Dims: surveyDims,
		Fields: []Field{
			{Name: "responses", Unit: Count, Metric: "cxpulse_ces_responses", Help: "survey.ces answers in the window."},
			{Name: "mean_score", Unit: Score, Metric: "cxpulse_ces_mean", Help: "Mean Customer Effort Score, 1..7."},
		},
	},
	{
		Name: FirstResponse, Help: "Time from a ticket's opening to the first agent message, business seconds.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "count", Unit: Count, Metric: "cxpulse_first_response_tickets", Help: "Tickets opened in the window that have a first response."},
			{Name: "mean_seconds", Unit: Seconds, Metric: "cxpulse_first_response_mean_seconds", Help: "Mean first-response time, business seconds.", NoPanel: meanOnly},
			{Name: "p50_seconds", Unit: Seconds, Metric: "cxpulse_first_response_seconds", Quantile: 0.5, Summary: true, Help: "First-response time of the tickets opened in the window, business seconds: quantiles, sum and count (tickets with a first response)."},
			{Name: "p90_seconds", Unit: Seconds, Metric: "cxpulse_first_response_seconds", Quantile: 0.9, Summary: true, Help: "90th percentile of the first-response time, business seconds."},
			{Name: "p95_seconds", Unit: Seconds, Metric: "cxpulse_first_response_seconds", Quantile: 0.95, Summary: true, Help: "95th percentile of the first-response time, business seconds."},
		},
		Compare: &Comparison{Title: "First-response time (median)", Unit: Seconds, Method: CompareMedians, Screen: 7},
		samples: (*run).firstResponseSamples,
		Tile:    &Tile{Place: 4, Title: "First response, median", Value: "p50_seconds", N: []string{"count"}},
	},
	{
		Name: NextResponse, Help: "Time from a customer message after the first response to the next agent reply, business seconds.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "count", Unit: Count, Metric: "cxpulse_next_response_seconds", Summary: true, Help: "Answered runs of customer messages (the samples)."},
			{Name: "mean_seconds", Unit: Seconds, Metric: "cxpulse_next_response_mean_seconds", Help: "Mean next-response time, business seconds.", NoPanel: meanOnly},
			{Name: "p90_seconds", Unit: Seconds, Metric: "cxpulse_next_response_seconds", Quantile: 0.9, Summary: true, Help: "Next-response time (customer message to the next agent reply), business seconds: p90, sum and count."},
		},
		samples: (*run).nextResponseSamples,
	},
	{
		Name: Resolution, Help: "Time from a ticket's opening to its resolution, pauses excluded when pending, business seconds.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "count", Unit: Count, Metric: "cxpulse_resolution_seconds", Summary: true, Help: "Tickets opened in the window and resolved (the samples)."},
			{Name: "mean_seconds", Unit: Seconds, Metric: "cxpulse_resolution_mean_seconds", Help: "Mean resolution time, business seconds.", NoPanel: meanOnly},
			{Name: "p50_seconds", Unit: Seconds, Metric: "cxpulse_resolution_seconds", Quantile: 0.5, Summary: true, Help: "Resolution time of the tickets opened in the window, business seconds: quantiles, sum and count."},
			{Name: "p90_seconds", Unit: Seconds, Metric: "cxpulse_resolution_seconds", Quantile: 0.9, Summary: true, Help: "90th percentile of the resolution time, business seconds."},
		},
		Compare: &Comparison{Title: "Resolution time (median)", Unit: Seconds, Method: CompareMedians},
		samples: (*run).resolutionSamples,
	},
	{
		Name: Reopen, Help: "The share of resolved tickets that were reopened.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "resolved", Unit: Count, Metric: "cxpulse_tickets_resolved", Help: "Tickets opened in the window and resolved."},
			{Name: "reopened", Unit: Count, Metric: "cxpulse_tickets_reopened", Help: "Resolved tickets that were reopened.", NoPanel: numerator},
			{Name: "ratio", Unit: Ratio, Metric: "cxpulse_reopen_ratio", Help: "Reopened / resolved tickets."},
		},
	},
	{
		Name: FCR, Help: "First-contact resolution: resolved with one agent message and never reopened.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "resolved", Unit: Count, Help: "Tickets opened in the window and resolved.", Unexported: "the same count as reopen's resolved, cxpulse_tickets_resolved"},
			{Name: "fcr", Unit: Count, Metric: "cxpulse_tickets_first_contact_resolved", Help: "Resolved tickets with exactly one agent message and no reopen.", NoPanel: numerator},
			{Name: "ratio", Unit: Ratio, Metric: "cxpulse_fcr_ratio", Help: "First-contact resolution: first-contact resolved / resolved tickets."},
		},
		Compare: &Comparison{Title: "First-contact resolution", Unit: Ratio, HigherIsBetter: true, Method: CompareProportion, Successes: "fcr", Trials: []string{"resolved"}, Screen: 4},
	},
	{
		Name: Volume, Help: "Tickets opened, and their shares by channel and self-service.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "opened", Unit: Count, Metric: "cxpulse_tickets_opened", Help: "Tickets opened in the window."},
			{Name: "share", Unit: Ratio, Metric: "cxpulse_tickets_channel_share_ratio", Help: "The channel's share of the branch's tickets.", NoPanel: "the channel-mix panel sums cxpulse_tickets_opened over the selected branches, where a per-branch share would not add up"},
			{Name: "self_service", Unit: Count, Help: "Tickets opened through self-service (channel all only).", Unexported: "cxpulse_tickets_opened{channel=\"self_service\"} is the same count"},
			{Name: "self_service_share", Unit: Ratio, Metric: "cxpulse_tickets_self_service_ratio", Help: "Share of tickets opened through self-service (channel all only)."},
		},
	},
	{
		Name: SLA, Help: "SLA attainment of the tickets opened in the window, per policy and target.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true, PerPolicy: true,
		Fields: []Field{
			{Name: "met", Unit: Count, Metric: "cxpulse_sla_met", Help: "Tickets opened in the window that met the SLA target."},
			{Name: "breached", Unit: Count, Metric: "cxpulse_sla_breached", Help: "Tickets opened in the window that breached the SLA target (late, or still waiting past it)."},
			{Name: "pending", Unit: Count, Metric: "cxpulse_sla_pending", Help: "Tickets opened in the window still waiting within the SLA target."},
			{Name: "attainment_ratio", Unit: Ratio, Metric: "cxpulse_sla_attainment_ratio", Help: "SLA attainment: met / (met + breached).", NoPanel: "panels combine cxpulse_sla_met and cxpulse_sla_breached, which add up over groups where ratios do not"},
		},
		Compare: &Comparison{Title: "SLA attainment", Unit: Ratio, HigherIsBetter: true, Method: CompareProportion, Successes: "met", Trials: []string{"met", "breached"}, Screen: 3, League: true},
		Tile:    &Tile{Place: 3, Title: "SLA attainment, first response", Value: "attainment_ratio", N: []string{"met", "breached"}, HigherIsBetter: true},
	},
	{
		Name: SLADecisions, Help: "Tickets whose SLA outcome was decided in each trailing burn window: the SLI of burn-rate alerts.", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true, PerPolicy: true,
		Fields: []Field{
			{Name: "met", Unit: Count, Metric: "cxpulse_sla_decisions", Label: "outcome", LabelValue: "met", Help: "Tickets whose SLA outcome was decided in the trailing burn window: met (answered within target) or breached (at the instant the target passed)."},
			{Name: "breached", Unit: Count, Metric: "cxpulse_sla_decisions", Label: "outcome", LabelValue: "breached", Help: "Tickets whose SLA target passed unmet in the trailing burn window."},
		},
	},
	{
		Name: Pending, Help: "The time tickets waited on the customer (contract 1.1).", Job: "tickets",
		Families: []*Family{ticketsFamily}, Dims: ticketDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "tickets", Unit: Count, Metric: "cxpulse_tickets_pending", Help: "Tickets opened in the window that were pending on the customer at some time (contract 1.1).", NoPanel: noPanelYet},
			{Name: "pending_now", Unit: Count, Metric: "cxpulse_tickets_pending_now", Help: "Of those, pending now (unresolved)."},
			{Name: "mean_seconds", Unit: Seconds, Metric: "cxpulse_pending_mean_seconds", Help: "Mean time those tickets were pending, business seconds, up to their resolution or now."},
			{Name: "p90_seconds", Unit: Seconds, Metric: "cxpulse_pending_p90_seconds", Quantile: 0.9, Help: "90th percentile of the time those tickets were pending, business seconds."},
		},
	},
	{
		Name: Complaints, Help: "Complaints per 100 tickets opened.", Job: "tickets",
		Families: []*Family{surveysFamily, ticketsFamily}, Dims: surveyDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "complaints", Unit: Count, Metric: "cxpulse_complaints", Help: "complaint.filed events in the window."},
			{Name: "tickets_opened", Unit: Count, Help: "Tickets opened in the window, the complaint rate's denominator.", Unexported: "the same count as volume's opened, cxpulse_tickets_opened"},
			{Name: "per_100_tickets", Unit: Per100, Metric: "cxpulse_complaints_per_100_tickets", Help: "Complaints per 100 tickets opened."},
		},
	},
	{
		Name: SLANow, Help: "Tickets waiting now, breaching and at risk, per policy and target.", Job: "sla_now",
		Families: []*Family{slaNowFamily}, Dims: ticketDims, ReadsTickets: true, PerPolicy: true,
		Fields: []Field{
			{Name: "open", Unit: Count, Metric: "cxpulse_sla_open", Help: "Tickets waiting now for the target's event (first response or resolution)."},
			{Name: "breaching", Unit: Count, Metric: "cxpulse_sla_breaching_now", Help: "Waiting tickets already past their SLA target."},
			{Name: "oldest_wait_seconds", Unit: Seconds, Metric: "cxpulse_sla_oldest_waiting_seconds", Help: "Longest wait among the tickets breaching now, in the policy's time."},
			{Name: "at_risk", Unit: Count, Metric: "cxpulse_sla_at_risk", Help: "Waiting tickets past the at-risk share of their target but not past it."},
			{Name: "paused", Unit: Count, Metric: "cxpulse_sla_paused", Help: "Waiting tickets whose target clock is stopped now: pending on the customer, under a policy that pauses (never breaching nor at risk)."},
		},
	},
	{
		Name: Retention, Help: "Rolling customer retention: active in the previous window and in this one.", Job: "retention",
		Families: []*Family{retentionFamily}, Dims: branchDims,
		Fields: []Field{
			{Name: "previous", Unit: Count, Metric: "cxpulse_customers_previous", Help: "Customers active in the previous window."},
			{Name: "current", Unit: Count, Metric: "cxpulse_customers_active", Help: "Customers active in this window."},
			{Name: "retained", Unit: Count, Metric: "cxpulse_customers_retained", Help: "Customers active in both windows."},
			{Name: "churned", Unit: Count, Metric: "cxpulse_customers_churned", Help: "Customers active in the previous window and not in this one."},
			{Name: "retention_ratio", Unit: Ratio, Metric: "cxpulse_retention_ratio", Help: "Rolling retention: customers active in both the previous and this window / active in the previous one."},
		},
		Tile: &Tile{Place: 5, Title: "Retention", Value: "retention_ratio", N: []string{"previous"}, HigherIsBetter: true},
	},
	{
		Name: Experience, Help: "Rolling retention of the customers who had a bad service experience in the previous window against the others, with the gap, its interval and its test.", Job: "retention",
		Families: []*Family{retentionFamily}, Dims: branchDims, ReadsTickets: true,
		Fields: []Field{
			{Name: "bad_previous", Unit: Count, Metric: "cxpulse_experience_customers_previous", Label: "experience", LabelValue: "bad", Help: "Customers active in the previous window, by whether they had a bad service experience there in it (a detractor answer, a breached SLA, a broken callback promise, a late appointment) or not."},
			{Name: "bad_retained", Unit: Count, Metric: "cxpulse_experience_customers_retained", Label: "experience", LabelValue: "bad", Help: "Of those, active in this window too."},
			{Name: "bad_retention_ratio", Unit: Ratio, Metric: "cxpulse_experience_retention_ratio", Label: "experience", LabelValue: "bad", Help: "Rolling retention of the customers with (bad) and without (good) a bad service experience in the previous window.", NoPanel: experienceRatio},
			{Name: "good_previous", Unit: Count, Metric: "cxpulse_experience_customers_previous", Label: "experience", LabelValue: "good", Help: "Customers active in the previous window without a bad service experience there in it."},
			{Name: "good_retained", Unit: Count, Metric: "cxpulse_experience_customers_retained", Label: "experience", LabelValue: "good", Help: "Of the customers without a bad experience, those active in this window too."},
			{Name: "good_retention_ratio", Unit: Ratio, Metric: "cxpulse_experience_retention_ratio", Label: "experience", LabelValue: "good", Help: "Rolling retention of the customers without a bad service experience in the previous window.", NoPanel: experienceRatio},
			{Name: "detractor", Unit: Count, Metric: "cxpulse_experience_bad_customers", Label: "reason", LabelValue: "detractor", Help: "Customers active in the previous window with this bad experience there in it (one customer may have several)."},
			{Name: "sla_breached", Unit: Count, Metric: "cxpulse_experience_bad_customers", Label: "reason", LabelValue: "sla_breached", Help: "Customers active in the previous window with a ticket there that breached an SLA target, as known at its end."},
			{Name: "promise_broken", Unit: Count, Metric: "cxpulse_experience_bad_customers", Label: "reason", LabelValue: "promise_broken", Help: "Customers active in the previous window with a callback promise there that was broken."},
			{Name: "appointment_late", Unit: Count, Metric: "cxpulse_experience_bad_customers", Label: "reason", LabelValue: "appointment_late", Help: "Customers active in the previous window with an appointment there that started later than the grace."},
			{Name: "gap", Unit: Ratio, Metric: "cxpulse_experience_retention_gap", Help: "Retention of the customers without a bad experience minus that of those with one, -1..1: what a bad experience costs."},
			{Name: "gap_lower", Unit: Ratio, Metric: "cxpulse_experience_retention_gap_bound", Label: "bound", LabelValue: "lower", Help: "95% confidence interval of the retention gap (Newcombe's hybrid score interval)."},
			{Name: "gap_upper", Unit: Ratio, Metric: "cxpulse_experience_retention_gap_bound", Label: "bound", LabelValue: "upper", Help: "Upper bound of the retention gap's 95% confidence interval."},
			{Name: "p_value", Unit: Ratio, Metric: "cxpulse_experience_retention_gap_p_value", Help: "Two-sided p-value of the gap: pooled two-proportion z test, Fisher's exact test for small groups.", NoPanel: "the fleet panel shows the gap's interval, which says the same; its description names the metric"},
		},
	},
	{
		Name: Cohort, Help: "The monthly cohort triangle: customers first seen in a month, active k months later.", Job: "retention",
		Families: []*Family{cohortsFamily}, Dims: branchDims,
		Fields: []Field{
			{Name: "size", Unit: Count, Help: "Customers first seen in the cohort month.", Unexported: cohortUnexported},
			{Name: "active", Unit: Count, Help: "Of those, active k months later.", Unexported: cohortUnexported},
			{Name: "ratio", Unit: Ratio, Help: "Active / size.", Unexported: cohortUnexported},
		},
	},
	{
		Name: Punctuality, Help: "Appointments started within the grace of their due time.", Job: "satisfaction",
		Families: []*Family{promisesFamily}, Dims: branchDims,
		Fields: []Field{
			{Name: "started", Unit: Count, Metric: "cxpulse_appointments_started", Help: "Appointments due in the window that started."},
			{Name: "on_time", Unit: Count, Metric: "cxpulse_appointments_on_time", Help: "Appointments that started within the grace.", NoPanel: numerator},
			{Name: "on_time_ratio", Unit: Ratio, Metric: "cxpulse_punctuality_on_time_ratio", Help: "Appointments (due in the window) started within the grace / started."},
			{Name: "late_mean_delay_seconds", Unit: Seconds, Metric: "cxpulse_punctuality_late_mean_delay_seconds", Help: "Mean delay of the appointments that started late, seconds."},
			{Name: "p90_delay_seconds", Unit: Seconds, Metric: "cxpulse_punctuality_delay_p90_seconds", Quantile: 0.9, Help: "90th percentile of the start delay of started appointments, seconds."},
			{Name: "never_started", Unit: Count, Metric: "cxpulse_appointments_never_started", Help: "Appointments past due plus grace that never started.", NoPanel: noPanelYet},
		},
		Compare: &Comparison{Title: "Appointments on time", Unit: Ratio, HigherIsBetter: true, Method: CompareProportion, Successes: "on_time", Trials: []string{"started"}, Screen: 5, League: true},
		Tile:    &Tile{Place: 6, Title: "Appointments on time", Value: "on_time_ratio", N: []string{"started"}, HigherIsBetter: true},
	},
	{
		Name: PromiseKept, Help: "Callbacks completed by their due time.", Job: "satisfaction",
		Families: []*Family{promisesFamily}, Dims: branchDims,
		Fields: []Field{
			{Name: "promised", Unit: Count, Metric: "cxpulse_callbacks_promised", Help: "Callbacks due in the window."},
			{Name: "kept", Unit: Count, Metric: "cxpulse_callbacks_kept", Help: "Callbacks completed by their due time.", NoPanel: numerator},
			{Name: "ratio", Unit: Ratio, Metric: "cxpulse_promise_kept_ratio", Help: "Callbacks completed by their due time / callbacks due in the window."},
		},
		Compare: &Comparison{Title: "Callbacks kept", Unit: Ratio, HigherIsBetter: true, Method: CompareProportion, Successes: "kept", Trials: []string{"promised"}, Screen: 6, League: true},
		Tile:    &Tile{Place: 7, Title: "Callbacks kept", Value: "ratio", N: []string{"promised"}, HigherIsBetter: true},
	},
}

// The engine's passes (families), each named by the KPIs it computes.
var (
	surveysFamily = &Family{Name: "surveys", Queries: []string{"surveys"}, compute: (*Engine).surveys}
	ticketsFamily = &Family{Name: "tickets", Queries: []string{"tickets"}, compute: (*Engine).tickets}
	slaNowFamily  = &Family{Name: "sla_now", Queries: []string{"tickets"}, compute: (*Engine).slaNow}
	// retention by service experience reads the tickets (their facts and
	// customers), the detractor answers and the refs of the previous windows
	retentionFamily = &Family{Name: "retention", Queries: []string{"retention", "experience_detractors", "experience_tickets", "tickets", "refs", "experience_activity"}, compute: (*Engine).retention}
	cohortsFamily   = &Family{Name: "cohorts", Queries: []string{"cohorts", "branches"}, compute: (*Engine).cohorts}
	promisesFamily  = &Family{Name: "promises", Queries: []string{"refs"}, compute: (*Engine).promises}
)

// Why fields have no metric or no panel, where several share the reason.
const (
	cohortUnexported = "the cohort triangle grows by a month each month; dashboards read it from the retention job's snapshots"
	numerator        = "the numerator of a ratio the panels show"
	meanOnly         = "panels show the quantiles; the mean is for the API and alert rules"
	noPanelYet       = "no panel shows it yet"
	experienceRatio  = "the panel divides the summed retained by the summed previous of each group, which add up over branches where ratios do not"
)
