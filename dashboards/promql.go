package dashboards

import (
	"fmt"
	"strings"
)

// Label matchers bound to the template variables. $branch never holds the
// fleet row "all" (the variable's regex leaves it out), so sums over
// branches=~"$branch" never count a ticket twice, and with All selected they
// equal the fleet's own series (counts add up over branches, docs/KPI-ENGINE.md).
const (
	mBranches   = `branch=~"$branch"`
	mChannel    = `channel="$channel"`
	mChannelAll = `channel="all"` // retention, punctuality and promise kept are per branch only
	mChannels   = `channel!="all"`
	mWindow     = `window="$window"`
	mFleet      = `branch="all"`
)

// series is a selector: metric{m1, m2, …}.
func series(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(matchers, ", ") + "}"
}

// sum aggregates expr, by the given labels when there are any.
func sum(expr string, by ...string) string {
	if len(by) == 0 {
		return "sum(" + expr + ")"
	}
	return "sum by (" + strings.Join(by, ", ") + ") (" + expr + ")"
}

// maxBy picks the single series of a group (dropping region, instance, job).
func maxBy(expr string, by ...string) string {
	return "max by (" + strings.Join(by, ", ") + ") (" + expr + ")"
}

// ratio is num / den, left out where den is 0 (a ratio with no denominator
// has no value, never a fake 0: docs/KPIS.md).
func ratio(num, den string) string {
	return num + " / (" + den + " > 0)"
}

// sumRatio is Σnum / Σden of two metrics over the same selector: the way
// ratios of several groups combine (METRICS.md: summed, never averaged).
func sumRatio(num, den string, matchers []string, by ...string) string {
	return ratio(sum(series(num, matchers...), by...), sum(series(den, matchers...), by...))
}

// attainment is met / (met + breached) of the SLA series over matchers.
func attainment(matchers []string, by ...string) string {
	met := sum(series(metricSLAMet, matchers...), by...)
	breached := sum(series(metricSLABreached, matchers...), by...)
	return ratio(met, "("+met+" + "+breached+")")
}

// decided is met + breached: the sample size of an attainment.
func decided(matchers []string, by ...string) string {
	return sum(series(metricSLAMet, matchers...), by...) + " + " + sum(series(metricSLABreached, matchers...), by...)
}

// nps is 100·(P − D)/N over matchers.
func nps(matchers []string, by ...string) string {
	p := sum(series(metricNPSPromoters, matchers...), by...)
	d := sum(series(metricNPSDetractors, matchers...), by...)
	n := sum(series(metricNPSResponses, matchers...), by...)
	return "100 * (" + p + " - " + d + ") / (" + n + " > 0)"
}

// npsMargin is the 95 % margin of error of nps in points, from the same sums:
// 196·sqrt((p + d − (p − d)²)/N) with p = P/N, d = D/N (docs/KPIS.md).
func npsMargin(matchers []string, by ...string) string {
	p := sum(series(metricNPSPromoters, matchers...), by...)
	d := sum(series(metricNPSDetractors, matchers...), by...)
	n := "(" + sum(series(metricNPSResponses, matchers...), by...) + " > 0)"
	share := func(x string) string { return "(" + x + ") / " + n }
	return fmt.Sprintf("196 * sqrt((%s + %s - (%s - %s) ^ 2) / %s)", share(p), share(d), share(p), share(d), n)
}

// cesMean is the mean CES score over matchers: Σ(mean·N)/ΣN.
func cesMean(matchers []string, by ...string) string {
	m := strings.Join(matchers, ", ")
	weighted := sum(metricCESMean+"{"+m+"} * "+metricCESResponses+"{"+m+"}", by...)
	return ratio(weighted, sum(series(metricCESResponses, matchers...), by...))
}

// kpiJob is a KPI job series: they name their job in the label kpi_job
// (docs/METRICS.md), clear of Prometheus's own job label.
func kpiJob(expr string) string { return expr }

// quantile of a histogram's rate, by the given labels.
func histogramQuantile(q, bucket string, by ...string) string {
	return fmt.Sprintf("histogram_quantile(%s, %s)", q, sum("rate("+bucket+"[$__rate_interval])", append([]string{"le"}, by...)...))
}

// ms lists matchers, for readability at call sites.
func ms(m ...string) []string { return m }
