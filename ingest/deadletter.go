package ingest

import (
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// Dead-letter headers. The value and key are the original bytes; these say
// why and where from, so an operator can fix the producer and replay.
const (
	HeaderReason          = "x-cxpulse-reason"
	HeaderError           = "x-cxpulse-error"
	HeaderSourceTopic     = "x-cxpulse-source-topic"
	HeaderSourcePartition = "x-cxpulse-source-partition"
	HeaderSourceOffset    = "x-cxpulse-source-offset"
	HeaderRejectedAt      = "x-cxpulse-rejected-at"
)

// deadLetter wraps a rejected message for the dead-letter topic, byte for byte.
func deadLetter(msg *kafka.Message, verr *event.Error, now time.Time) kafka.Message {
	headers := make([]kafka.Header, 0, len(msg.Headers)+6)
	headers = append(headers, msg.Headers...)
	headers = append(headers,
		kafka.Header{Key: HeaderReason, Value: []byte(verr.Reason)},
		kafka.Header{Key: HeaderError, Value: []byte(verr.Error())},
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(msg.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(msg.Partition))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(msg.Offset, 10))},
		kafka.Header{Key: HeaderRejectedAt, Value: []byte(now.UTC().Format(time.RFC3339Nano))},
	)
	return kafka.Message{Key: msg.Key, Value: msg.Value, Headers: headers}
}
