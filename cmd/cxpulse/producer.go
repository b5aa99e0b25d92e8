package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/segmentio/kafka-go"
)

// producer writes messages to the events topic in chunks, which is what
// makes kafka-go's synchronous writer fast, and shows progress on a terminal.
type producer struct {
	w       *kafka.Writer
	pending []kafka.Message
	bar     *progressbar.ProgressBar
	sent    int
}

const produceChunk = 5000

// newProducer creates the topics if configured to, then returns a producer.
func newProducer(ctx context.Context, a *app, total int64, what string) (*producer, error) {
	transport, err := a.cfg.KafkaTransport()
	if err != nil {
		return nil, err
	}
	if a.cfg.Kafka.CreateTopics {
		if err := a.ensureTopics(ctx, transport); err != nil {
			return nil, err
		}
	}
	w := &kafka.Writer{
		Addr: kafka.TCP(a.cfg.Kafka.Brokers...), Topic: a.cfg.Kafka.Topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: produceChunk, BatchBytes: 8 << 20, BatchTimeout: 10 * time.Millisecond,
		AllowAutoTopicCreation: true, Compression: kafka.Lz4, Transport: transport, MaxAttempts: 10,
	}
	return &producer{w: w, bar: newProgress(total, what)}, nil
}

// newProgress returns a progress bar on a terminal and nil elsewhere; a total
// of -1 shows a spinner with a count.
func newProgress(total int64, what string) *progressbar.ProgressBar {
	if !isatty.IsTerminal(os.Stderr.Fd()) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("events"),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
}

func (p *producer) add(ctx context.Context, key, value []byte) error {
	p.pending = append(p.pending, kafka.Message{Key: key, Value: value})
	if len(p.pending) >= produceChunk {
		return p.flush(ctx)
	}
	return nil
}

func (p *producer) flush(ctx context.Context) error {
	if len(p.pending) == 0 {
		return nil
	}
	if err := p.w.WriteMessages(ctx, p.pending...); err != nil {
		return fmt.Errorf("produce to %s: %w", p.w.Topic, err)
	}
	p.sent += len(p.pending)
	if p.bar != nil {
		_ = p.bar.Add(len(p.pending))
	}
	p.pending = nil
	return nil
}

func (p *producer) close(ctx context.Context) error {
	err := p.flush(ctx)
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	if cerr := p.w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close producer: %w", cerr)
	}
	return err
}

// contractKey returns the key the contract recommends for a JSON line:
// ticket_id, else customer_id, else ref_id. A line that is not JSON gets no
// key; ingest will dead-letter it.
func contractKey(line []byte) []byte {
	var ids struct {
		TicketID   string `json:"ticket_id"`
		CustomerID string `json:"customer_id"`
		RefID      string `json:"ref_id"`
	}
	if json.Unmarshal(line, &ids) != nil {
		return nil
	}
	for _, k := range []string{ids.TicketID, ids.CustomerID, ids.RefID} {
		if k != "" {
			return []byte(k)
		}
	}
	return nil
}

// openInput opens a file, or stdin for "-", and reports its size (-1 if unknown).
func openInput(path string) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("open input: %w", err)
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return f, size, nil
}
