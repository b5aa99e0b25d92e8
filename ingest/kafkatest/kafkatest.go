// Package kafkatest connects tests to the real Kafka broker that deploy/local
// starts. When the broker does not answer, the test fails and says how to
// start it; nothing is skipped.
package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Brokers are the test brokers: CXPULSE_TEST_KAFKA_BROKERS, default 127.0.0.1:9092.
func Brokers() []string {
	if b := os.Getenv("CXPULSE_TEST_KAFKA_BROKERS"); b != "" {
		return strings.Split(b, ",")
	}
	return []string{"127.0.0.1:9092"}
}

// Client returns an admin client for the test brokers.
func Client() *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(Brokers()...), Timeout: 15 * time.Second}
}

var seq atomic.Int64

// Topic creates a fresh topic with the given partitions and returns its name.
func Topic(t testing.TB, prefix string, partitions int) string {
	t.Helper()
	name := fmt.Sprintf("cxtest.%s.%d.%d", prefix, time.Now().UnixNano(), seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := Client().CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{Topic: name, NumPartitions: partitions, ReplicationFactor: 1}}})
	if err != nil {
		t.Fatalf("kafka at %v does not answer (start it with deploy/local/kafka.sh start): %v", Brokers(), err)
	}
	if terr := resp.Errors[name]; terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
		t.Fatalf("create topic %s: %v", name, terr)
	}
	return name
}

// Writer returns a synchronous writer to topic, closed when the test ends.
func Writer(t testing.TB, topic string) *kafka.Writer {
	w := &kafka.Writer{Addr: kafka.TCP(Brokers()...), Topic: topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 5000, BatchBytes: 8 << 20, BatchTimeout: 10 * time.Millisecond}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// ReadAll reads every message currently in topic, across all partitions.
func ReadAll(t testing.TB, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := Client()
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		t.Fatalf("metadata of %s: %v", topic, err)
	}
	var out []kafka.Message
	for _, tp := range meta.Topics {
		for _, p := range tp.Partitions {
			conn, err := kafka.DialLeader(ctx, "tcp", Brokers()[0], topic, p.ID)
			if err != nil {
				t.Fatalf("dial %s/%d: %v", topic, p.ID, err)
			}
			last, err := conn.ReadLastOffset()
			if err != nil {
				t.Fatalf("last offset %s/%d: %v", topic, p.ID, err)
			}
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: Brokers(), Topic: topic, Partition: p.ID, MaxWait: 200 * time.Millisecond})
			for off := int64(0); off < last; {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					t.Fatalf("read %s/%d at %d: %v", topic, p.ID, off, err)
				}
				out = append(out, m)
				off = m.Offset + 1
			}
			_ = r.Close()
			_ = conn.Close()
		}
	}
	return out
}
