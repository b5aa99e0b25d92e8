package expose

import "github.com/cxpulse/cxpulse/metrics/kpi"

// family maps one field of one KPI to a Prometheus family. docs/METRICS.md
// lists them; a test keeps the two equal.
type family struct {
	name, help string
	kpi, field string
	// constLabel is a label whose value the field fixes: the quantile of a
	// quantile field, the outcome of a decision count.
	constLabel, constValue string
}

// families is every KPI series. Counts are plain gauges of the window.
var families = []family{
	{name: "cxpulse_nps", kpi: kpi.NPS, field: "nps", help: "Net Promoter Score, -100..100: 100*(promoters-detractors)/responses."},
	{name: "cxpulse_nps_responses", kpi: kpi.NPS, field: "responses", help: "survey.nps answers in the window."},
	{name: "cxpulse_nps_promoters", kpi: kpi.NPS, field: "promoters", help: "NPS answers scoring 9-10."},
	{name: "cxpulse_nps_passives", kpi: kpi.NPS, field: "passives", help: "NPS answers scoring 7-8."},
	{name: "cxpulse_nps_detractors", kpi: kpi.NPS, field: "detractors", help: "NPS answers scoring 0-6."},
	{name: "cxpulse_nps_margin_of_error", kpi: kpi.NPS, field: "margin_of_error", help: "95% margin of error of the NPS, in NPS points."},
	{name: "cxpulse_nps_low_confidence", kpi: kpi.NPS, field: "low_confidence", help: "1 when the NPS rests on fewer than 30 answers."},
	{name: "cxpulse_csat_ratio", kpi: kpi.CSAT, field: "csat_percent", help: "CSAT: share of answers scoring 4-5, 0..1."},
	{name: "cxpulse_csat_responses", kpi: kpi.CSAT, field: "responses", help: "survey.csat answers in the window."},
	{name: "cxpulse_csat_satisfied", kpi: kpi.CSAT, field: "satisfied", help: "CSAT answers scoring 4-5."},
	{name: "cxpulse_csat_mean_score", kpi: kpi.CSAT, field: "mean_score", help: "Mean CSAT score, 1..5."},
	{name: "cxpulse_ces_mean", kpi: kpi.CES, field: "mean_score", help: "Mean Customer Effort Score, 1..7."},
	{name: "cxpulse_ces_responses", kpi: kpi.CES, field: "responses", help: "survey.ces answers in the window."},
	{name: "cxpulse_first_response_seconds", kpi: kpi.FirstResponse, field: "p50_seconds", constLabel: "quantile", constValue: "0.5", help: "First-response time of the tickets opened in the window, business seconds: quantiles, sum and count (tickets with a first response)."},
	{name: "cxpulse_first_response_seconds", kpi: kpi.FirstResponse, field: "p90_seconds", constLabel: "quantile", constValue: "0.9"},
	{name: "cxpulse_first_response_seconds", kpi: kpi.FirstResponse, field: "p95_seconds", constLabel: "quantile", constValue: "0.95"},
	{name: "cxpulse_first_response_mean_seconds", kpi: kpi.FirstResponse, field: "mean_seconds", help: "Mean first-response time, business seconds."},
	{name: "cxpulse_first_response_tickets", kpi: kpi.FirstResponse, field: "count", help: "Tickets opened in the window that have a first response."},
	{name: "cxpulse_next_response_seconds", kpi: kpi.NextResponse, field: "p90_seconds", constLabel: "quantile", constValue: "0.9", help: "Next-response time (customer message to the next agent reply), business seconds: p90, sum and count."},
	{name: "cxpulse_next_response_mean_seconds", kpi: kpi.NextResponse, field: "mean_seconds", help: "Mean next-response time, business seconds."},
	{name: "cxpulse_resolution_seconds", kpi: kpi.Resolution, field: "p50_seconds", constLabel: "quantile", constValue: "0.5", help: "Resolution time of the tickets opened in the window, business seconds: quantiles, sum and count."},
	{name: "cxpulse_resolution_seconds", kpi: kpi.Resolution, field: "p90_seconds", constLabel: "quantile", constValue: "0.9"},
	{name: "cxpulse_resolution_mean_seconds", kpi: kpi.Resolution, field: "mean_seconds", help: "Mean resolution time, business seconds."},
	{name: "cxpulse_tickets_opened", kpi: kpi.Volume, field: "opened", help: "Tickets opened in the window."},
	{name: "cxpulse_tickets_self_service_ratio", kpi: kpi.Volume, field: "self_service_share", help: "Share of tickets opened through self-service (channel all only)."},
	{name: "cxpulse_tickets_channel_share_ratio", kpi: kpi.Volume, field: "share", help: "The channel's share of the branch's tickets."},
	{name: "cxpulse_tickets_resolved", kpi: kpi.Reopen, field: "resolved", help: "Tickets opened in the window and resolved."},
	{name: "cxpulse_tickets_reopened", kpi: kpi.Reopen, field: "reopened", help: "Resolved tickets that were reopened."},
	{name: "cxpulse_reopen_ratio", kpi: kpi.Reopen, field: "ratio", help: "Reopened / resolved tickets."},
	{name: "cxpulse_tickets_first_contact_resolved", kpi: kpi.FCR, field: "fcr", help: "Resolved tickets with exactly one agent message and no reopen."},
	{name: "cxpulse_fcr_ratio", kpi: kpi.FCR, field: "ratio", help: "First-contact resolution: first-contact resolved / resolved tickets."},
	{name: "cxpulse_complaints", kpi: kpi.Complaints, field: "complaints", help: "complaint.filed events in the window."},
	{name: "cxpulse_complaints_per_100_tickets", kpi: kpi.Complaints, field: "per_100_tickets", help: "Complaints per 100 tickets opened."},
	{name: "cxpulse_sla_met", kpi: kpi.SLA, field: "met", help: "Tickets opened in the window that met the SLA target."},
	{name: "cxpulse_sla_breached", kpi: kpi.SLA, field: "breached", help: "Tickets opened in the window that breached the SLA target (late, or still waiting past it)."},
	{name: "cxpulse_sla_pending", kpi: kpi.SLA, field: "pending", help: "Tickets opened in the window still waiting within the SLA target."},
	{name: "cxpulse_sla_attainment_ratio", kpi: kpi.SLA, field: "attainment_ratio", help: "SLA attainment: met / (met + breached)."},
	{name: "cxpulse_sla_open", kpi: kpi.SLANow, field: "open", help: "Tickets waiting now for the target's event (first response or resolution)."},
	{name: "cxpulse_sla_breaching_now", kpi: kpi.SLANow, field: "breaching", help: "Waiting tickets already past their SLA target."},
	{name: "cxpulse_sla_at_risk", kpi: kpi.SLANow, field: "at_risk", help: "Waiting tickets past the at-risk share of their target but not past it."},
	{name: "cxpulse_sla_oldest_waiting_seconds", kpi: kpi.SLANow, field: "oldest_wait_seconds", help: "Longest wait among the tickets breaching now, in the policy's time."},
	{name: "cxpulse_sla_paused", kpi: kpi.SLANow, field: "paused", help: "Waiting tickets whose target clock is stopped now: pending on the customer, under a policy that pauses (never breaching nor at risk)."},
	{name: "cxpulse_tickets_pending", kpi: kpi.Pending, field: "tickets", help: "Tickets opened in the window that were pending on the customer at some time (contract 1.1)."},
	{name: "cxpulse_tickets_pending_now", kpi: kpi.Pending, field: "pending_now", help: "Of those, pending now (unresolved)."},
	{name: "cxpulse_pending_mean_seconds", kpi: kpi.Pending, field: "mean_seconds", help: "Mean time those tickets were pending, business seconds, up to their resolution or now."},
	{name: "cxpulse_pending_p90_seconds", kpi: kpi.Pending, field: "p90_seconds", help: "90th percentile of the time those tickets were pending, business seconds."},
	{name: "cxpulse_sla_decisions", kpi: kpi.SLADecisions, field: "met", constLabel: "outcome", constValue: "met", help: "Tickets whose SLA outcome was decided in the trailing burn window: met (answered within target) or breached (at the instant the target passed)."},
	{name: "cxpulse_sla_decisions", kpi: kpi.SLADecisions, field: "breached", constLabel: "outcome", constValue: "breached"},
	{name: "cxpulse_retention_ratio", kpi: kpi.Retention, field: "retention_ratio", help: "Rolling retention: customers active in both the previous and this window / active in the previous one."},
	{name: "cxpulse_customers_previous", kpi: kpi.Retention, field: "previous", help: "Customers active in the previous window."},
	{name: "cxpulse_customers_active", kpi: kpi.Retention, field: "current", help: "Customers active in this window."},
	{name: "cxpulse_customers_retained", kpi: kpi.Retention, field: "retained", help: "Customers active in both windows."},
	{name: "cxpulse_customers_churned", kpi: kpi.Retention, field: "churned", help: "Customers active in the previous window and not in this one."},
	{name: "cxpulse_punctuality_on_time_ratio", kpi: kpi.Punctuality, field: "on_time_ratio", help: "Appointments (due in the window) started within the grace / started."},
	{name: "cxpulse_appointments_started", kpi: kpi.Punctuality, field: "started", help: "Appointments due in the window that started."},
	{name: "cxpulse_appointments_on_time", kpi: kpi.Punctuality, field: "on_time", help: "Appointments that started within the grace."},
	{name: "cxpulse_appointments_never_started", kpi: kpi.Punctuality, field: "never_started", help: "Appointments past due plus grace that never started."},
	{name: "cxpulse_punctuality_late_mean_delay_seconds", kpi: kpi.Punctuality, field: "late_mean_delay_seconds", help: "Mean delay of the appointments that started late, seconds."},
	{name: "cxpulse_punctuality_delay_p90_seconds", kpi: kpi.Punctuality, field: "p90_delay_seconds", help: "90th percentile of the start delay of started appointments, seconds."},
	{name: "cxpulse_promise_kept_ratio", kpi: kpi.PromiseKept, field: "ratio", help: "Callbacks completed by their due time / callbacks due in the window."},
	{name: "cxpulse_callbacks_promised", kpi: kpi.PromiseKept, field: "promised", help: "Callbacks due in the window."},
	{name: "cxpulse_callbacks_kept", kpi: kpi.PromiseKept, field: "kept", help: "Callbacks completed by their due time."},
	{name: "cxpulse_experience_customers_previous", kpi: kpi.Experience, field: "bad_previous", constLabel: "experience", constValue: "bad", help: "Customers active in the previous window, by whether they had a bad service experience there in it (a detractor answer, a breached SLA, a broken callback promise, a late appointment) or not."},
	{name: "cxpulse_experience_customers_previous", kpi: kpi.Experience, field: "good_previous", constLabel: "experience", constValue: "good"},
	{name: "cxpulse_experience_customers_retained", kpi: kpi.Experience, field: "bad_retained", constLabel: "experience", constValue: "bad", help: "Of those, active in this window too."},
	{name: "cxpulse_experience_customers_retained", kpi: kpi.Experience, field: "good_retained", constLabel: "experience", constValue: "good"},
	{name: "cxpulse_experience_retention_ratio", kpi: kpi.Experience, field: "bad_retention_ratio", constLabel: "experience", constValue: "bad", help: "Rolling retention of the customers with (bad) and without (good) a bad service experience in the previous window."},
	{name: "cxpulse_experience_retention_ratio", kpi: kpi.Experience, field: "good_retention_ratio", constLabel: "experience", constValue: "good"},
	{name: "cxpulse_experience_bad_customers", kpi: kpi.Experience, field: "detractor", constLabel: "reason", constValue: "detractor", help: "Customers active in the previous window with this bad experience there in it (one customer may have several)."},
	{name: "cxpulse_experience_bad_customers", kpi: kpi.Experience, field: "sla_breached", constLabel: "reason", constValue: "sla_breached"},
	{name: "cxpulse_experience_bad_customers", kpi: kpi.Experience, field: "promise_broken", constLabel: "reason", constValue: "promise_broken"},
	{name: "cxpulse_experience_bad_customers", kpi: kpi.Experience, field: "appointment_late", constLabel: "reason", constValue: "appointment_late"},
	{name: "cxpulse_experience_retention_gap", kpi: kpi.Experience, field: "gap", help: "Retention of the customers without a bad experience minus that of those with one, -1..1: what a bad experience costs."},
	{name: "cxpulse_experience_retention_gap_bound", kpi: kpi.Experience, field: "gap_lower", constLabel: "bound", constValue: "lower", help: "95% confidence interval of the retention gap (Newcombe's hybrid score interval)."},
	{name: "cxpulse_experience_retention_gap_bound", kpi: kpi.Experience, field: "gap_upper", constLabel: "bound", constValue: "upper"},
	{name: "cxpulse_experience_retention_gap_p_value", kpi: kpi.Experience, field: "p_value", help: "Two-sided p-value of the gap: pooled two-proportion z test, Fisher's exact test for small groups."},
}

// scale converts a field to the family's unit (CSAT is kept in percent in
// rows, as people read it, and exported as a 0..1 ratio).
func scale(f family, v float64) float64 {
	if f.field == "csat_percent" {
		return v / 100
	}
	return v
}
