package dashboards

import (
	"fmt"

	"github.com/grafana-tools/sdk"
)

// Retention follows customers: rolling retention and churn per branch from
// Prometheus, and the monthly cohort triangle from ClickHouse (cohorts are
// not exported: 13 × 13 series per branch).
func Retention() *sdk.Board {
	b := newBuilder(UIDRetention, "cxpulse · Retention & cohorts", append(standardVars(), clickHouseVars()...), "retention")
	m := ms(mBranches, mChannelAll, mWindow)
	const perBranch = " Retention is per branch: a customer is active at a branch when any event with their customer_id occurred there; the Channel variable does not apply."

	b.row("Rolling retention ($window)", "Customers active in the previous window (A) and in this one (B): retention |A∩B|/|A|, churned |A∖B|.")
	b.add(6, 8, gauge("Retention, selected branches",
		"Customers active both in the previous window and in the last one, over those active in the previous window: Σcxpulse_customers_retained / Σcxpulse_customers_previous over the selected branches (the fleet's retention with All: it adds up over customer-branch pairs)."+perBranch+" Red below 50 %, green from 70 %.",
		fRatio(thrRetention), rawPromNow(sumRatio(metricCustomersRetained, metricCustomersPrevious, m), "retention", false)))
	b.add(18, 8, timeseries("Retention per branch",
		"Rolling retention of each selected branch over time (cxpulse_retention_ratio): each point compares the window ending there with the window before it."+perBranch+" Dashed lines at the amber (50 %) and green (70 %) marks.",
		field{unit: unitRatio, max: fp(1), thresholds: thrRetention, thresholdsStyle: "dashed"},
		prom(maxBy(series(metricRetentionRatio, m...), "branch"), "{{branch}}")))
	b.add(12, 8, timeseries("Churned customers per branch",
		"Customers active in the previous window and not in the last one, per selected branch (cxpulse_customers_churned). Most dissatisfied customers leave without complaining: this is where they show."+perBranch,
		field{unit: unitShort, thresholds: neutral()},
		prom(sum(series(metricCustomersChurned, m...), "branch"), "{{branch}}")))
	b.add(12, 8, timeseries("Active, retained and churned customers",
		"Summed over the selected branches: customers active in the previous window (cxpulse_customers_previous), in the last one (cxpulse_customers_active), in both (retained) and only in the previous one (churned)."+perBranch,
		field{unit: unitShort, thresholds: neutral()},
		prom(sum(series(metricCustomersPrevious, m...)), "previously active"),
		prom(sum(series(metricCustomersActive, m...)), "active"),
		prom(sum(series(metricCustomersRetained, m...)), "retained"),
		prom(sum(series(metricCustomersChurned, m...)), "churned"),
	))
	b.add(24, 8, barGauge("Retention now per branch",
		"Rolling retention per selected branch at the end of the time range (cxpulse_retention_ratio); the Branch comparison dashboard lists the previously active customers each is over. Red below 50 %, green from 70 %.",
		fRatio(thrRetention), promNow(maxBy(series(metricRetentionRatio, m...), "branch"), "{{branch}}")))

	experienceRow(b, m)

	b.row("Monthly cohorts (ClickHouse)", "From the latest cohort snapshot of the retention job at or before the end of the time range.")
	cols := []column{colText("Cohort", "Cohort"), colNumber("Customers", "Customers", fCount)}
	for k := 0; k <= 12; k++ {
		cols = append(cols, colNumber(fmt.Sprintf("M%d", k), fmt.Sprintf("+%d", k), field{unit: unitRatio, decimals: ip(0), thresholds: thrCohort}))
	}
	b.add(24, 12, table("Cohort retention triangle",
		"One row per cohort: the customers whose first activity at a branch fell in that month (in the branch calendar's time zone), for the 13 months up to the end of the time range. Column +k is the share of the cohort active at that branch k months later (+0 is 100 % by definition); empty until the month has begun. Summed over the selected branches: Σactive/Σsize of kpi_snapshots rows kpi='cohort' (window 'cohort'), the latest complete snapshot at or before the end of the range. Cells: red below 20 %, amber below 40 %, green from 40 % (long-run monthly activity; adjust in dashboards/fields.go).",
		0, true, cols, rawSQLTable(loadSQL("cohort_triangle", nil))))
	return b.done()
}
