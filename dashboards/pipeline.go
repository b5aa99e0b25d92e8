package dashboards

import (
	"github.com/grafana-tools/sdk"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/expose"
	"github.com/cxpulse/cxpulse/metrics/schedule"
)

// Pipeline is the health of the pipeline itself: ingest (Kafka → ClickHouse)
// and the KPI jobs (ClickHouse → snapshots → /metrics).
func Pipeline() *sdk.Board {
	b := newBuilder(UIDPipeline, "cxpulse · Pipeline health", standardVars(), "pipeline")
	const perSecond = " Per second, averaged over Grafana's rate interval ($__rate_interval) and summed over every cxpulse process."
	const jobLabel = " The KPI job's name is its kpi_job label."

	b.row("Ingest", "Kafka → validation → ClickHouse (cxpulse_ingest_*). The Branch, Channel and Window variables do not apply to this dashboard; they are kept for the links between dashboards.")
	b.add(12, 8, timeseries("Events inserted by type",
		"Valid events written to ClickHouse per second, by event type: rate of cxpulse_ingest_events_inserted_total. Redeliveries count again (KPIs deduplicate by event_id)."+perSecond,
		field{unit: unitShort, thresholds: neutral(), stacked: true, fillOpacity: 30},
		prom(sum("rate("+ingest.MetricEventsInserted+"[$__rate_interval])", "type"), "{{type}}")))
	b.add(12, 8, timeseries("Consumed, inserted and rejected",
		"Kafka messages fetched (cxpulse_ingest_messages_consumed_total), valid events inserted (cxpulse_ingest_events_inserted_total) and messages dead-lettered (cxpulse_ingest_events_rejected_total). Consumed ≈ inserted + rejected; a gap that persists means batches in hand or retries."+perSecond,
		field{unit: unitShort, thresholds: neutral()},
		prom(sum("rate("+ingest.MetricMessagesConsumed+"[$__rate_interval])"), "consumed"),
		prom(sum("rate("+ingest.MetricEventsInserted+"[$__rate_interval])"), "inserted"),
		prom(sum("rate("+ingest.MetricEventsRejected+"[$__rate_interval])"), "rejected"),
	))
	b.add(12, 8, timeseries("Rejected by reason",
		"Messages that broke the event contract and went to the dead-letter topic, per second, by reason (not_json, too_large, missing_field, invalid_field, score_out_of_range, unknown_type, in_future): rate of cxpulse_ingest_events_rejected_total. Read them with their headers from cx.events.dlq and fix the producer."+perSecond,
		field{unit: unitShort, thresholds: neutral(), stacked: true, fillOpacity: 30},
		prom(sum("rate("+ingest.MetricEventsRejected+"[$__rate_interval])", "reason"), "{{reason}}")))
	b.add(12, 8, timeseries("Consumer lag",
		"Messages in the events topic not yet committed by the consumer group, per partition (cxpulse_ingest_consumer_lag, asked from the brokers every kafka.lag_interval; the maximum over the processes that report it). Grows while ClickHouse is down and drains after. Amber from 50,000 (one full batch), red from 500,000.",
		field{unit: unitShort, min: fp(0), thresholds: lowerIsBetter(50000, 500000), thresholdsStyle: "dashed"},
		prom(maxBy(ingest.MetricConsumerLag, "topic", "partition"), "{{topic}}/{{partition}}"),
		prom(sum(maxBy(ingest.MetricConsumerLag, "topic", "partition")), "total"),
	))
	b.add(8, 8, timeseries("Insert latency",
		"Duration of successful ClickHouse insert batches, p50, p90 and p99: histogram_quantile over the rate of cxpulse_ingest_insert_duration_seconds_bucket, all processes. Amber from 2 s, red from 10 s (the insert timeout is ingest.insert_timeout, 60 s).",
		field{unit: unitSeconds, min: fp(0), thresholds: lowerIsBetter(2, 10), thresholdsStyle: "dashed"},
		prom(histogramQuantile("0.5", ingest.MetricInsertDuration+"_bucket"), "p50"),
		prom(histogramQuantile("0.9", ingest.MetricInsertDuration+"_bucket"), "p90"),
		prom(histogramQuantile("0.99", ingest.MetricInsertDuration+"_bucket"), "p99"),
	))
	b.add(8, 8, timeseries("Rows per insert batch",
		"Rows per ClickHouse insert, p50 and p90 (histogram_quantile over cxpulse_ingest_batch_rows_bucket). Batches close at ingest.batch_rows (50,000), ingest.batch_bytes or one ingest.batch_interval after their first message: small batches mean a quiet stream.",
		field{unit: unitShort, min: fp(0), thresholds: neutral()},
		prom(histogramQuantile("0.5", ingest.MetricBatchRows+"_bucket"), "p50"),
		prom(histogramQuantile("0.9", ingest.MetricBatchRows+"_bucket"), "p90"),
	))
	b.add(8, 8, timeseries("Insert and commit failures",
		"Failed ClickHouse insert attempts (each retried with backoff; cxpulse_ingest_insert_failures_total) and failed offset commits (redelivered, harmless; cxpulse_ingest_commit_failures_total)."+perSecond,
		field{unit: unitShort, min: fp(0), thresholds: lowerIsBetter(0.01, 1)},
		prom(sum("rate("+ingest.MetricInsertFailures+"[$__rate_interval])"), "insert failures"),
		prom(sum("rate("+ingest.MetricCommitFailures+"[$__rate_interval])"), "commit failures"),
	))
	b.add(24, 5, barGauge("Seconds since the last insert",
		"time() − cxpulse_ingest_last_insert_timestamp_seconds, per process (instance): how long since each ingest process last stored a batch. Amber from 60 s, red from 300 s; a quiet topic also ages it.",
		field{unit: unitSeconds, decimals: ip(0), min: fp(0), thresholds: lowerIsBetter(60, 300)},
		promNow("time() - max by (instance) ("+ingest.MetricLastInsert+")", "{{instance}}")))

	b.row("KPI jobs", "The scheduled KPI jobs (sla_now, tickets, satisfaction, retention) that write snapshots and feed /metrics (cxpulse_kpi_*).")
	b.add(12, 8, timeseries("KPI job duration",
		"p50 and p90 duration of KPI job runs, whatever their result, per job: histogram_quantile over the rate of cxpulse_kpi_job_duration_seconds_bucket. A run that outlasts its schedule skips ticks."+jobLabel,
		field{unit: unitSeconds, min: fp(0), thresholds: neutral()},
		prom("histogram_quantile(0.5, "+sum(kpiJob("rate("+schedule.MetricJobDuration+"_bucket[$__rate_interval])"), "le", "kpi_job")+")", "{{kpi_job}} p50"),
		prom("histogram_quantile(0.9, "+sum(kpiJob("rate("+schedule.MetricJobDuration+"_bucket[$__rate_interval])"), "le", "kpi_job")+")", "{{kpi_job}} p90"),
	))
	b.add(12, 8, timeseries("Snapshot age",
		"now − as_of of the snapshot being served, per job (cxpulse_kpi_snapshot_age_seconds): how stale the KPI series on /metrics are. sla_now and tickets tick every 30 s, satisfaction every minute, retention hourly by default, so each job's age saws up to its schedule; a job whose age keeps growing is failing or stuck."+jobLabel,
		field{unit: unitSeconds, min: fp(0), thresholds: neutral()},
		prom(maxBy(kpiJob(expose.MetricSnapshotAge), "kpi_job"), "{{kpi_job}}")))
	b.add(8, 8, barGauge("Snapshot age now",
		"Age of each job's served snapshot at the end of the time range (cxpulse_kpi_snapshot_age_seconds). Green below 5 min, amber below 2 h, red from 2 h: amber on a 30 s job means many missed ticks, red means even the hourly retention job missed one."+jobLabel,
		field{unit: unitSeconds, decimals: ip(0), min: fp(0), thresholds: lowerIsBetter(300, 7200)},
		promNow(maxBy(kpiJob(expose.MetricSnapshotAge), "kpi_job"), "{{kpi_job}}")))
	b.add(8, 8, timeseries("Job runs by result",
		"KPI job runs per minute by job and result (success, failure, timeout): 60 × rate of cxpulse_kpi_job_runs_total. Failed runs are retried at the next tick."+jobLabel,
		field{unit: unitShort, min: fp(0), thresholds: neutral()},
		prom("60 * "+sum(kpiJob("rate("+schedule.MetricJobRuns+"[$__rate_interval])"), "kpi_job", "result"), "{{kpi_job}} {{result}}")))
	b.add(8, 8, timeseries("Failed and skipped ticks",
		"Per job, failed or timed-out runs (cxpulse_kpi_job_failures_total) and ticks skipped because the previous run was still going (cxpulse_kpi_job_skipped_total), per hour: 3600 × rate. Any is worth a look; amber from 1 an hour, red from 10."+jobLabel,
		field{unit: unitShort, min: fp(0), thresholds: lowerIsBetter(1, 10)},
		prom("3600 * "+sum(kpiJob("rate("+schedule.MetricJobFailures+"[$__rate_interval])"), "kpi_job"), "{{kpi_job}} failed"),
		prom("3600 * "+sum(kpiJob("rate("+schedule.MetricJobSkipped+"[$__rate_interval])"), "kpi_job"), "{{kpi_job}} skipped"),
	))
	b.add(8, 8, timeseries("Since the last successful run",
		"time() − cxpulse_kpi_job_last_success_timestamp_seconds per job: the age of the last successful tick. Compare with time() − cxpulse_kpi_job_last_run_timestamp_seconds (the \"last run\" series): a last run newer than the last success means the job is failing."+jobLabel,
		field{unit: unitSeconds, min: fp(0), thresholds: neutral()},
		prom("time() - "+maxBy(kpiJob(schedule.MetricJobLastSuccess), "kpi_job"), "{{kpi_job}} last success"),
		prom("time() - "+maxBy(kpiJob(schedule.MetricJobLastRun), "kpi_job"), "{{kpi_job}} last run"),
	))
	b.add(8, 8, timeseries("Jobs running",
		"1 while a run of the job is in progress (cxpulse_kpi_job_running), per job: a job that stays at 1 longer than its schedule is overrunning."+jobLabel,
		field{unit: unitShort, decimals: ip(0), min: fp(0), max: fp(1), thresholds: neutral(), drawStyle: "line", fillOpacity: 30},
		prom(maxBy(kpiJob(schedule.MetricJobRunning), "kpi_job"), "{{kpi_job}}")))
	b.add(8, 8, timeseries("Snapshot rows",
		"Rows in each job's served snapshot (cxpulse_kpi_snapshot_rows): groups with data × KPIs × windows. A sudden drop means groups lost their data (a branch closed) or a job wrote an empty result."+jobLabel,
		field{unit: unitShort, min: fp(0), thresholds: neutral()},
		prom(maxBy(kpiJob(expose.MetricSnapshotRows), "kpi_job"), "{{kpi_job}}")))
	b.add(8, 8, timeseries("KPI series dropped",
		"KPI series left out of /metrics by metrics.max_series, per hour (3600 × rate of cxpulse_kpi_series_dropped_total). Anything above 0 means dashboards and alerts miss groups: raise the limit or switch off team/agent series.",
		field{unit: unitShort, min: fp(0), thresholds: lowerIsBetter(1, 100)},
		prom("3600 * "+sum("rate("+expose.MetricSeriesDropped+"[$__rate_interval])"), "dropped")))
	return b.done()
}
