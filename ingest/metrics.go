package ingest

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// The ingest metric families, for the dashboards that read them.
const (
	MetricMessagesConsumed = "cxpulse_ingest_messages_consumed_total"
	MetricEventsInserted   = "cxpulse_ingest_events_inserted_total"
	MetricEventsRejected   = "cxpulse_ingest_events_rejected_total"
	MetricBatchRows        = "cxpulse_ingest_batch_rows"
	MetricInsertDuration   = "cxpulse_ingest_insert_duration_seconds"
	MetricInsertFailures   = "cxpulse_ingest_insert_failures_total"
	MetricCommitFailures   = "cxpulse_ingest_commit_failures_total"
	MetricLastInsert       = "cxpulse_ingest_last_insert_timestamp_seconds"
	MetricConsumerLag      = "cxpulse_ingest_consumer_lag"
)

// Metrics are the pipeline-health series of ingest.
type Metrics struct {
	consumed       prometheus.Counter
	inserted       *prometheus.CounterVec
	insertedByType []prometheus.Counter // by event.Types index
	rejected       *prometheus.CounterVec
	batchRows      prometheus.Histogram
	insertSeconds  prometheus.Histogram
	insertFailures prometheus.Counter
	commitFailures prometheus.Counter
	lastInsert     prometheus.Gauge
	lag            *prometheus.GaugeVec
}

// NewMetrics registers the ingest metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		consumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricMessagesConsumed,
			Help: "Kafka messages fetched from the events topic, valid or not (redeliveries count again).",
		}),
		inserted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricEventsInserted,
			Help: "Valid events written to ClickHouse, by event type (redeliveries count again; KPIs deduplicate by event_id).",
		}, []string{"type"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricEventsRejected,
			Help: "Messages that broke the event contract and were sent to the dead-letter topic, by reason.",
		}, []string{"reason"}),
		batchRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricBatchRows,
			Help:    "Rows per ClickHouse insert batch.",
			Buckets: prometheus.ExponentialBuckets(10, 4, 8),
		}),
		insertSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricInsertDuration,
			Help:    "Time ClickHouse took for the blocks and the end of each successful insert (an insert also stays open up to ingest.batch_interval while it fills).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}),
		insertFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricInsertFailures,
			Help: "Failed ClickHouse insert attempts; each is retried with backoff.",
		}),
		commitFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricCommitFailures,
			Help: "Offset commits that failed (after a rebalance, say); the messages are redelivered and deduplicated.",
		}),
		lastInsert: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: MetricLastInsert,
			Help: "Unix time of the last successful ClickHouse insert.",
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricConsumerLag,
			Help: "Messages in the events topic not yet committed by the consumer group, per partition.",
		}, []string{"topic", "partition"}),
	}
	reg.MustRegister(m.consumed, m.inserted, m.rejected, m.batchRows, m.insertSeconds,
		m.insertFailures, m.commitFailures, m.lastInsert, m.lag)
	for _, r := range event.Reasons {
		m.rejected.WithLabelValues(string(r))
	}
	for _, t := range event.Types {
		m.insertedByType = append(m.insertedByType, m.inserted.WithLabelValues(string(t)))
	}
	return m
}
