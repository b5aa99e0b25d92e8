package schedule

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a run, the values of the result label of
// cxpulse_kpi_job_runs_total.
const (
	ResultSuccess = "success"
	ResultFailure = "failure" // an error or a panic
	ResultTimeout = "timeout" // the run's context deadline passed
)

// The scheduler's metric families, for the dashboards that read them.
const (
	MetricJobDuration    = "cxpulse_kpi_job_duration_seconds"
	MetricJobRuns        = "cxpulse_kpi_job_runs_total"
	MetricJobFailures    = "cxpulse_kpi_job_failures_total"
	MetricJobSkipped     = "cxpulse_kpi_job_skipped_total"
	MetricJobLastSuccess = "cxpulse_kpi_job_last_success_timestamp_seconds"
	MetricJobLastRun     = "cxpulse_kpi_job_last_run_timestamp_seconds"
	MetricJobRunning     = "cxpulse_kpi_job_running"
)

// Metrics are the series of the KPI job scheduler, one per job, like the
// rule-group series of Prometheus.
type Metrics struct {
	duration    *prometheus.HistogramVec
	runs        *prometheus.CounterVec
	failures    *prometheus.CounterVec
	skipped     *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	lastRun     *prometheus.GaugeVec
	running     *prometheus.GaugeVec
}

// NewMetrics makes the scheduler metrics and registers them with reg; a nil
// reg leaves them unregistered (for tests that only read them).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	job := []string{"kpi_job"}
	m := &Metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: MetricJobDuration,
			Help: "Duration of KPI job runs, whatever their result.",
			// From a cached 10 ms query to a 90-day recomputation of minutes.
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 12),
		}, job),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricJobRuns,
			Help: "KPI job runs that ended, by result (success, failure, timeout); runs cut short by shutdown are not counted.",
		}, []string{"kpi_job", "result"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricJobFailures,
			Help: "KPI job runs that did not succeed (errors, panics, timeouts); each is retried at the job's next tick.",
		}, job),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricJobSkipped,
			Help: "Ticks of a KPI job that were not run because its previous run was still going (or the process was paused past them).",
		}, job),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricJobLastSuccess,
			Help: "Scheduled instant (the as_of) of the KPI job's last successful run, as Unix time.",
		}, job),
		lastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricJobLastRun,
			Help: "Scheduled instant (the as_of) of the KPI job's last run, whatever its result, as Unix time.",
		}, job),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricJobRunning,
			Help: "1 while a run of the KPI job is in progress, else 0.",
		}, job),
	}
	if reg != nil {
		reg.MustRegister(m.duration, m.runs, m.failures, m.skipped, m.lastSuccess, m.lastRun, m.running)
	}
	return m
}

// init creates a job's series at zero, so that rate() and absent-alerts see
// them before the first failure or skip.
func (m *Metrics) init(job string) {
	for _, r := range []string{ResultSuccess, ResultFailure, ResultTimeout} {
		m.runs.WithLabelValues(job, r)
	}
	m.failures.WithLabelValues(job)
	m.skipped.WithLabelValues(job)
	m.running.WithLabelValues(job).Set(0)
}

// ended records a finished run.
func (m *Metrics) ended(job, result string, tick time.Time, elapsed time.Duration) {
	m.duration.WithLabelValues(job).Observe(elapsed.Seconds())
	m.runs.WithLabelValues(job, result).Inc()
	m.lastRun.WithLabelValues(job).Set(unixSeconds(tick))
	if result == ResultSuccess {
		m.lastSuccess.WithLabelValues(job).Set(unixSeconds(tick))
	} else {
		m.failures.WithLabelValues(job).Inc()
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// forget removes a job's last-run and last-success series.
func (m *Metrics) forget(job string) {
	m.lastSuccess.DeleteLabelValues(job)
	m.lastRun.DeleteLabelValues(job)
}
