package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// insertColumns is the column list of every insert into the events table;
// ClickHouse 18.16 needs it spelled out (docs/CLICKHOUSE.md).
const insertColumns = "event_id, type, occurred_at, occurred_ms, branch, channel, ticket_id, ref_id, customer_id, " +
	"agent_id, team, priority, author, score, due_at, due_ms, amount, comment, attr_keys, attr_values, " +
	"ingested_at, kafka_topic, kafka_partition, kafka_offset"

// rows holds validated events column by column, as decoded: the strings
// borrow the message values (event.Fields), the vocabulary columns hold the
// numbers of the schema's Enum8 values (enum8), optional values sit beside a
// presence flag and the attributes of all rows in two flat slices. It outlives any clickhouse-go
// batch: a batch whose Send failed cannot be sent again, so each attempt
// appends these columns to a fresh one.
type rows struct {
	topic                                                             string
	eventID, branch, ticketID, refID, customerID, agentID, team, text []string
	typ, channel, priority, author                                    []int8
	occurredAt, dueAt                                                 []time.Time
	occurredMS, dueMS                                                 []uint16
	score                                                             []int8
	amount                                                            []float64
	hasScore, hasDue, hasAmount                                       []bool
	attrKeys, attrValues                                              []string
	attrEnd                                                           []int // end of each row's attributes in attrKeys
	partition                                                         []int32
	offset                                                            []int64
	types                                                             []int // rows per event.Types index
}

// scratch holds the columns insert derives from rows. clickhouse-go copies a
// column's values when it is appended, so one scratch serves every part of
// every batch of an insert loop.
type scratch struct {
	scoreCol  []*int8
	dueCol    []*time.Time
	amountCol []*float64
	keysCol   [][]string
	valuesCol [][]string
	stampCol  []time.Time
	topicCol  []string
}

// clear drops the references to the rows of the last insert.
func (sc *scratch) clear() {
	clear(sc.scoreCol)
	clear(sc.dueCol)
	clear(sc.amountCol)
	clear(sc.keysCol)
	clear(sc.valuesCol)
}

// enum8 is the number of v in an Enum8 whose values are set in order from 1
// (and ” = 0): the order of event.Types, Channels, Priorities and the
// authors, as sql/migrations/0001_events.sql numbers them (checked by
// TestEnumsMatchTheSchema).
func enum8(v string, set []string) int8 {
	for i, s := range set {
		if s == v {
			return int8(i + 1)
		}
	}
	return 0
}

var authors = []string{event.AuthorAgent, event.AuthorCustomer}

func (r *rows) len() int { return len(r.eventID) }

func (r *rows) add(f *event.Fields, partition int32, offset int64) {
	r.eventID = append(r.eventID, f.EventID)
	r.typ = append(r.typ, int8(f.TypeIndex+1))
	if r.types == nil {
		r.types = make([]int, len(event.Types))
	}
	r.types[f.TypeIndex]++
	r.occurredAt = append(r.occurredAt, f.OccurredAt)
	r.occurredMS = append(r.occurredMS, uint16(f.OccurredAt.Nanosecond()/int(time.Millisecond)))
	r.branch = append(r.branch, f.Branch)
	r.channel = append(r.channel, enum8(f.Channel, event.Channels))
	r.ticketID = append(r.ticketID, f.TicketID)
	r.refID = append(r.refID, f.RefID)
	r.customerID = append(r.customerID, f.CustomerID)
	r.agentID = append(r.agentID, f.AgentID)
	r.team = append(r.team, f.Team)
	r.priority = append(r.priority, enum8(f.Priority, event.Priorities))
	r.author = append(r.author, enum8(f.Author, authors))
	r.score = append(r.score, int8(f.Score))
	r.hasScore = append(r.hasScore, f.HasScore)
	r.dueAt = append(r.dueAt, f.DueAt)
	r.hasDue = append(r.hasDue, f.HasDueAt)
	var dueMS uint16
	if f.HasDueAt {
		dueMS = uint16(f.DueAt.Nanosecond() / int(time.Millisecond))
	}
	r.dueMS = append(r.dueMS, dueMS)
	r.amount = append(r.amount, f.Amount)
	r.hasAmount = append(r.hasAmount, f.HasAmount)
	text := f.Comment
	if f.Reason != "" {
		text = f.Reason // a ticket.pending's reason (contract 1.1) has no column of its own
	}
	r.text = append(r.text, text)
	r.attrKeys = append(r.attrKeys, f.AttrKeys...)
	r.attrValues = append(r.attrValues, f.AttrValues...)
	r.attrEnd = append(r.attrEnd, len(r.attrKeys))
	r.partition = append(r.partition, partition)
	r.offset = append(r.offset, offset)
}

// addEvent appends an event that owns its strings (Load).
func (r *rows) addEvent(ev *event.Event, partition int32, offset int64) {
	f := event.Fields{
		EventID: ev.EventID, Branch: ev.Branch, TicketID: ev.TicketID, RefID: ev.RefID, CustomerID: ev.CustomerID,
		AgentID: ev.AgentID, Team: ev.Team, Comment: ev.Comment, Reason: ev.Reason, Type: ev.Type, Channel: ev.Channel,
		Priority: ev.Priority, Author: ev.Author, OccurredAt: ev.OccurredAt,
	}
	for i, t := range event.Types {
		if t == ev.Type {
			f.TypeIndex = i
		}
	}
	if ev.Score != nil {
		f.Score, f.HasScore = *ev.Score, true
	}
	if ev.DueAt != nil {
		f.DueAt, f.HasDueAt = *ev.DueAt, true
	}
	if ev.Amount != nil {
		f.Amount, f.HasAmount = *ev.Amount, true
	}
	for k, v := range ev.Attributes {
		f.AttrKeys = append(f.AttrKeys, k)
		f.AttrValues = append(f.AttrValues, v)
	}
	r.add(&f, partition, offset)
}

// columns returns the column slices in insertColumns order, every row
// stamped with ingested_at.
func (r *rows) columns(stamp time.Time, sc *scratch) []any {
	n := r.len()
	sc.scoreCol, sc.dueCol, sc.amountCol = sc.scoreCol[:0], sc.dueCol[:0], sc.amountCol[:0]
	sc.keysCol, sc.valuesCol, sc.stampCol, sc.topicCol = sc.keysCol[:0], sc.valuesCol[:0], sc.stampCol[:0], sc.topicCol[:0]
	start := 0
	for i := 0; i < n; i++ {
		sc.scoreCol = append(sc.scoreCol, nil)
		if r.hasScore[i] {
			sc.scoreCol[i] = &r.score[i]
		}
		sc.dueCol = append(sc.dueCol, nil)
		if r.hasDue[i] {
			sc.dueCol[i] = &r.dueAt[i]
		}
		sc.amountCol = append(sc.amountCol, nil)
		if r.hasAmount[i] {
			sc.amountCol[i] = &r.amount[i]
		}
		end := r.attrEnd[i]
		sc.keysCol = append(sc.keysCol, r.attrKeys[start:end:end])
		sc.valuesCol = append(sc.valuesCol, r.attrValues[start:end:end])
		start = end
		sc.stampCol = append(sc.stampCol, stamp)
		sc.topicCol = append(sc.topicCol, r.topic)
	}
	return []any{
		r.eventID, r.typ, r.occurredAt, r.occurredMS, r.branch, r.channel, r.ticketID, r.refID, r.customerID,
		r.agentID, r.team, r.priority, r.author, sc.scoreCol, sc.dueCol, r.dueMS, sc.amountCol, r.text, sc.keysCol, sc.valuesCol,
		sc.stampCol, sc.topicCol, r.partition, r.offset,
	}
}

// insert sends the rows of all parts as one native columnar batch. Every
// row's ingested_at is the start of this attempt: the KPI engine's
// incremental folds find new rows by it, and an attempt lasts at most its
// timeout, so a row is never older than that when it becomes visible (a
// retry after an outage restamps its rows).
func insert(ctx context.Context, conn driver.Conn, table string, parts []*rows, sc *scratch) error {
	stamp := time.Now().UTC().Truncate(time.Second)
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+insertColumns+")")
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer func() { _ = batch.Abort() }()
	defer sc.clear()
	n := 0
	for _, r := range parts {
		if r.len() == 0 {
			continue
		}
		n += r.len()
		for i, col := range r.columns(stamp, sc) {
			if err := batch.Column(i).Append(col); err != nil {
				return fmt.Errorf("append column %d: %w", i, err)
			}
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d rows: %w", n, err)
	}
	return nil
}

// reset empties the rows for reuse, dropping the references to the message
// values so that a pooled chunk does not keep them alive.
func (r *rows) reset() {
	for _, s := range [...]*[]string{&r.eventID, &r.branch, &r.ticketID, &r.refID, &r.customerID, &r.agentID,
		&r.team, &r.text, &r.attrKeys, &r.attrValues} {
		clear(*s)
		*s = (*s)[:0]
	}
	r.typ, r.channel, r.priority, r.author = r.typ[:0], r.channel[:0], r.priority[:0], r.author[:0]
	clear(r.types)
	r.occurredAt, r.dueAt, r.occurredMS, r.dueMS = r.occurredAt[:0], r.dueAt[:0], r.occurredMS[:0], r.dueMS[:0]
	r.score, r.amount, r.hasScore, r.hasDue, r.hasAmount = r.score[:0], r.amount[:0], r.hasScore[:0], r.hasDue[:0], r.hasAmount[:0]
	r.attrEnd, r.partition, r.offset = r.attrEnd[:0], r.partition[:0], r.offset[:0]
}
