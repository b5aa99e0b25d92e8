package ingest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	"github.com/segmentio/kafka-go"
)

// GroupLag returns, per partition of topic, how many messages the consumer
// group has not committed yet. A partition the group never committed counts
// from its first retained offset.
func GroupLag(ctx context.Context, client *kafka.Client, group, topic string) (map[int]int64, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	var partitions []int
	for _, t := range meta.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("metadata of %s: %w", topic, t.Error)
		}
		for _, p := range t.Partitions {
			partitions = append(partitions, p.ID)
		}
	}
	if len(partitions) == 0 {
		return map[int]int64{}, nil
	}
	reqs := make([]kafka.OffsetRequest, 0, 2*len(partitions))
	for _, p := range partitions {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	offsets, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	committed, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: partitions}})
	if err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", group, err)
	}
	if committed.Error != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", group, committed.Error)
	}
	done := map[int]int64{}
	for _, p := range committed.Topics[topic] {
		if p.Error == nil && p.CommittedOffset >= 0 {
			done[p.Partition] = p.CommittedOffset
		}
	}
	lag := map[int]int64{}
	for _, p := range offsets.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("offsets of %s/%d: %w", topic, p.Partition, p.Error)
		}
		from, ok := done[p.Partition]
		if !ok || from < p.FirstOffset {
			from = p.FirstOffset
		}
		lag[p.Partition] = max(p.LastOffset-from, 0)
	}
	return lag, nil
}

// LagMonitor publishes the consumer group's lag per partition every Interval.
// It asks the brokers rather than trusting the local reader, so the gauge
// keeps rising while this process is blocked on a ClickHouse outage.
type LagMonitor struct {
	Client   *kafka.Client
	Group    string
	Topic    string
	Interval time.Duration
	Metrics  *Metrics
	Log      zerolog.Logger
}

// Run polls until ctx ends.
func (l *LagMonitor) Run(ctx context.Context) error {
	ticker := time.NewTicker(l.Interval)
	defer ticker.Stop()
	failing := false
	for {
		pollCtx, cancel := context.WithTimeout(ctx, l.Interval)
		lag, err := GroupLag(pollCtx, l.Client, l.Group, l.Topic)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			if !failing {
				l.Log.Warn().Err(err).Msg("consumer lag unavailable")
			}
			failing = true
		case err == nil:
			failing = false
			for p, n := range lag {
				l.Metrics.lag.WithLabelValues(l.Topic, strconv.Itoa(p)).Set(float64(n))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}
