package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// insertColumns is the column list of every insert into the events table;
// ClickHouse 18.16 needs it spelled out (docs/CLICKHOUSE.md).
const insertColumns = "event_id, type, occurred_at, occurred_ms, branch, channel, ticket_id, ref_id, customer_id, " +
	"agent_id, team, priority, author, score, due_at, due_ms, amount, comment, attr_keys, attr_values, " +
	"ingested_at, kafka_topic, kafka_partition, kafka_offset"

// rows holds a batch of validated events column by column. It outlives any
// clickhouse-go batch: a batch whose Send failed cannot be sent again, so each
// attempt builds a fresh one from these slices.
type rows struct {
	eventID, typ, branch, channel, ticketID, refID, customerID []string
	agentID, team, priority, author, comment, topic            []string
	occurredAt, ingestedAt                                     []time.Time
	occurredMS, dueMS                                          []uint16
	score                                                      []*int8
	dueAt                                                      []*time.Time
	amount                                                     []*float64
	attrKeys, attrValues                                       [][]string
	partition                                                  []int32
	offset                                                     []int64
}

func (r *rows) len() int { return len(r.eventID) }

func (r *rows) add(ev *event.Event, msg *kafka.Message, ingestedAt time.Time) {
	r.eventID = append(r.eventID, ev.EventID)
	r.typ = append(r.typ, string(ev.Type))
	r.occurredAt = append(r.occurredAt, ev.OccurredAt)
	r.occurredMS = append(r.occurredMS, uint16(ev.OccurredAt.Nanosecond()/int(time.Millisecond)))
	r.branch = append(r.branch, ev.Branch)
	r.channel = append(r.channel, ev.Channel)
	r.ticketID = append(r.ticketID, ev.TicketID)
	r.refID = append(r.refID, ev.RefID)
	r.customerID = append(r.customerID, ev.CustomerID)
	r.agentID = append(r.agentID, ev.AgentID)
	r.team = append(r.team, ev.Team)
	r.priority = append(r.priority, ev.Priority)
	r.author = append(r.author, ev.Author)
	var score *int8
	if ev.Score != nil {
		s := int8(*ev.Score)
		score = &s
	}
	r.score = append(r.score, score)
	var dueMS uint16
	if ev.DueAt != nil {
		dueMS = uint16(ev.DueAt.Nanosecond() / int(time.Millisecond))
	}
	r.dueAt = append(r.dueAt, ev.DueAt)
	r.dueMS = append(r.dueMS, dueMS)
	r.amount = append(r.amount, ev.Amount)
	comment := ev.Comment
	if ev.Reason != "" {
		comment = ev.Reason // a ticket.pending's reason (contract 1.1) has no column of its own
	}
	r.comment = append(r.comment, comment)
	keys, values := splitAttributes(ev.Attributes)
	r.attrKeys = append(r.attrKeys, keys)
	r.attrValues = append(r.attrValues, values)
	r.ingestedAt = append(r.ingestedAt, ingestedAt)
	r.topic = append(r.topic, msg.Topic)
	r.partition = append(r.partition, int32(msg.Partition))
	r.offset = append(r.offset, msg.Offset)
}

func splitAttributes(attrs map[string]string) (keys, values []string) {
	if len(attrs) == 0 {
		return []string{}, []string{}
	}
	keys = make([]string, 0, len(attrs))
	values = make([]string, 0, len(attrs))
	for k, v := range attrs {
		keys = append(keys, k)
		values = append(values, v)
	}
	return keys, values
}

// columns returns the column slices in insertColumns order.
func (r *rows) columns() []any {
	return []any{
		r.eventID, r.typ, r.occurredAt, r.occurredMS, r.branch, r.channel, r.ticketID, r.refID, r.customerID,
		r.agentID, r.team, r.priority, r.author, r.score, r.dueAt, r.dueMS, r.amount, r.comment, r.attrKeys, r.attrValues,
		r.ingestedAt, r.topic, r.partition, r.offset,
	}
}

// insert sends the rows as one native columnar batch. Every row's
// ingested_at is the start of this attempt: the KPI engine's incremental
// folds find new rows by it, and an attempt lasts at most its timeout, so a
// row is never older than that when it becomes visible (a retry after an
// outage restamps its rows).
func (r *rows) insert(ctx context.Context, conn driver.Conn, table string) error {
	stamp := time.Now().UTC().Truncate(time.Second)
	for i := range r.ingestedAt {
		r.ingestedAt[i] = stamp
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+insertColumns+")")
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer func() { _ = batch.Abort() }()
	for i, col := range r.columns() {
		if err := batch.Column(i).Append(col); err != nil {
			return fmt.Errorf("append column %d: %w", i, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d rows: %w", r.len(), err)
	}
	return nil
}

func (r *rows) reset() {
	*r = rows{
		eventID: r.eventID[:0], typ: r.typ[:0], branch: r.branch[:0], channel: r.channel[:0],
		ticketID: r.ticketID[:0], refID: r.refID[:0], customerID: r.customerID[:0], agentID: r.agentID[:0],
		team: r.team[:0], priority: r.priority[:0], author: r.author[:0], comment: r.comment[:0], topic: r.topic[:0],
		occurredAt: r.occurredAt[:0], ingestedAt: r.ingestedAt[:0], occurredMS: r.occurredMS[:0], dueMS: r.dueMS[:0],
		score: r.score[:0], dueAt: r.dueAt[:0], amount: r.amount[:0], attrKeys: r.attrKeys[:0], attrValues: r.attrValues[:0],
		partition: r.partition[:0], offset: r.offset[:0],
	}
}
