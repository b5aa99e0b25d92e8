package gen

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// fields is a bad message under construction; json.Marshal sorts its keys,
// so the bytes are deterministic.
type fields map[string]any

// A badVariant breaks exactly one rule of the contract. Either mutate edits
// a message of type typ that is otherwise valid, or raw writes the bytes.
type badVariant struct {
	typ    event.Type
	mutate func(m fields)
	raw    func(valid []byte) []byte
}

func drop(key string) func(fields) { return func(m fields) { delete(m, key) } }

func set(key string, v any) func(fields) { return func(m fields) { m[key] = v } }

// badVariants lists, per rejection reason, the ways producers get it wrong.
// Bad messages cycle through the reasons, and within a reason through its
// variants. The checks in event.Decode run in a fixed order, so each
// variant breaks only one rule and is otherwise valid.
var badVariants = map[event.Reason][]badVariant{
	event.ReasonNotJSON: {
		{typ: event.TicketOpened, raw: func(v []byte) []byte { return v[:len(v)/2] }},
		{typ: event.TicketOpened, raw: func(v []byte) []byte { return []byte("ticket.opened;chat;" + string(v[1:20])) }},
		{typ: event.TicketOpened, raw: func(v []byte) []byte { return append(append([]byte("["), v...), ']') }},
		{typ: event.TicketOpened, raw: func(v []byte) []byte { return bytes.ReplaceAll(v, []byte(`"`), []byte(`'`)) }},
		{typ: event.SurveyNPS, raw: func(v []byte) []byte {
			// Latin-1 where UTF-8 belongs: "café" with a single 0xE9 byte.
			return bytes.Replace(v, []byte(`"comment":"`), []byte("\"comment\":\"caf\xe9 "), 1)
		}},
		{typ: event.TicketOpened, raw: func([]byte) []byte { return []byte{} }},
		{typ: event.TicketOpened, raw: func(v []byte) []byte { return append(append([]byte{}, v...), v...) }},
	},
	event.ReasonTooLarge: {
		{typ: event.SurveyCSAT, mutate: set("comment", strings.Repeat("waited far too long again. ", event.DefaultLimits.MaxBytes/27+40))},
		{typ: event.TicketOpened, mutate: set("attributes", map[string]string{"transcript": strings.Repeat("x", event.DefaultLimits.MaxBytes+1)})},
	},
	event.ReasonMissingField: {
		{typ: event.TicketOpened, mutate: drop("channel")},
		{typ: event.TicketMessage, mutate: drop("author")},
		{typ: event.SurveyNPS, mutate: drop("score")},
		{typ: event.CallbackPromised, mutate: drop("due_at")},
		{typ: event.CustomerVisit, mutate: drop("customer_id")},
		{typ: event.AppointmentStarted, mutate: drop("ref_id")},
		{typ: event.TicketOpened, mutate: drop("event_id")},
		{typ: event.TicketResolved, mutate: drop("ticket_id")},
		{typ: event.TicketOpened, mutate: drop("branch")},
		{typ: event.SurveyCES, mutate: drop("occurred_at")},
		{typ: event.TicketOpened, mutate: drop("type")},
	},
	event.ReasonInvalidField: {
		{typ: event.TicketOpened, mutate: func(m fields) { m["branch"] = strings.Replace(m["branch"].(string), "-", " ", 1) }},
		{typ: event.TicketOpened, mutate: set("channel", "fax")},
		{typ: event.TicketOpened, mutate: set("occurred_at", "05.10.2026 09:12")},
		{typ: event.SurveyCSAT, mutate: set("score", "4")},
		{typ: event.CustomerVisit, mutate: set("amount", -12.5)},
		{typ: event.TicketMessage, mutate: set("author", "bot")},
		{typ: event.TicketOpened, mutate: set("priority", "critical")},
		{typ: event.TicketOpened, mutate: set("event_id", 12345)},
		{typ: event.SurveyCSAT, mutate: set("score", 4.5)},
		{typ: event.CallbackPromised, mutate: set("due_at", "tomorrow")},
		{typ: event.TicketOpened, mutate: set("event_id", strings.Repeat("e", 200))},
		{typ: event.TicketOpened, mutate: set("attributes", manyAttributes())},
		{typ: event.CustomerVisit, mutate: set("amount", "12.50")},
		{typ: event.TicketOpened, mutate: set("customer_id", strings.Repeat("c", 200))},
	},
	event.ReasonScoreRange: {
		{typ: event.SurveyNPS, mutate: set("score", 11)},
		{typ: event.SurveyCSAT, mutate: set("score", 0)},
		{typ: event.SurveyCES, mutate: set("score", 8)},
		{typ: event.SurveyNPS, mutate: set("score", -1)},
		{typ: event.SurveyCSAT, mutate: set("score", 6)},
	},
	event.ReasonUnknownType: {
		{typ: event.TicketOpened, mutate: set("type", "ticket.closed")},
		{typ: event.SurveyNPS, mutate: set("type", "survey.stars")},
		{typ: event.TicketOpened, mutate: set("type", "Ticket.Opened")},
		{typ: event.CustomerVisit, mutate: set("type", "order.placed")},
	},
	// The in_future variants get their occurred_at from run.bad.
	event.ReasonInFuture: {
		{typ: event.TicketOpened},
		{typ: event.SurveyNPS},
		{typ: event.CustomerVisit},
	},
}

func manyAttributes() map[string]string {
	m := make(map[string]string, 40)
	for i := range 40 {
		m["k"+strconv.Itoa(i)] = "v"
	}
	return m
}

// badEpoch sets the high bit of the second id word: valid events never do,
// so bad messages never share an event_id with a valid event.
const badEpoch = 1 << 63

// bad makes the next malformed message, dated near the valid event just
// emitted, or a day after the ingest clock when it must be in the future.
func (r *run) bad(near int64) Record {
	n := r.badN
	r.badN++
	reason := event.Reasons[n%len(event.Reasons)]
	variants := badVariants[reason]
	v := variants[(n/len(event.Reasons))%len(variants)]
	rng := r.badRng
	b := &r.branches[rng.IntN(len(r.branches))]
	id := uuid(mix(r.g.cfg.Seed), mix(badEpoch|uint64(n)))
	at := time.UnixMilli(near)
	if reason == event.ReasonInFuture {
		now := r.g.cfg.Now
		if now.Before(r.g.cfg.End) {
			now = r.g.cfg.End
		}
		at = now.Add(24 * time.Hour)
	}
	local := rng.IntN(2) == 0
	stamp := func(t time.Time) string {
		if local {
			return t.In(b.clock.loc).Format(time.RFC3339Nano)
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	ticket := idOf(b.name, 'X', uint32(n+1))
	m := fields{"event_id": id, "type": string(v.typ), "occurred_at": stamp(at), "branch": b.name}
	switch {
	case v.typ.IsTicket():
		m["ticket_id"] = ticket
	case v.typ.NeedsRef():
		m["ref_id"] = idOf(b.name, 'R', uint32(n+1))
	}
	switch v.typ {
	case event.TicketOpened:
		m["channel"], m["priority"] = "chat", "normal"
	case event.TicketMessage:
		m["author"], m["agent_id"], m["team"] = event.AuthorAgent, b.agentIDs[0], "front"
	case event.SurveyNPS, event.SurveyCSAT, event.SurveyCES:
		m["ticket_id"], m["score"], m["comment"] = ticket, 4, "ok"
	case event.CustomerVisit:
		m["customer_id"], m["amount"] = idOf(b.name, 'C', 1), 12.5
	case event.AppointmentScheduled, event.CallbackPromised:
		m["due_at"] = stamp(at.Add(2 * time.Hour))
	}
	if v.mutate != nil {
		v.mutate(m)
	}
	value, err := json.Marshal(m)
	if err != nil {
		panic("gen: marshal bad message: " + err.Error())
	}
	if v.raw != nil {
		value = v.raw(value)
	}
	return Record{Key: []byte(ticket), Value: value, Reason: reason}
}
