package event

// The decoder as it was before it decoded into borrowed fields (fastjson
// values copied into an intermediate struct, attributes in a map), with
// contract 1.1's reason and version limit as main added them, kept as
// the oracle of TestDecodeMatchesReference and FuzzDecodeMatchesReference:
// the faster decoder must accept, reject and normalise exactly as it did.

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// ReferenceDecode is the decoder before borrowed fields, for the tests of event_test.
var ReferenceDecode = referenceDecode

// wire holds the raw fields of one message; numbers stay raw so that 9.5 or
// "9" (a string) are told apart from 9.
type refWire struct {
	EventID, Type, OccurredAt, Branch, Channel, TicketID, RefID, CustomerID string
	AgentID, Team, Priority, Author, DueAt, Comment, Reason                 string
	Score, Amount                                                           *fastjson.Value
	Attributes                                                              map[string]string
}

// parsers are reused across messages: fastjson parses without allocating per
// value, which makes decoding several times faster than encoding/json here.
var refParsers fastjson.ParserPool

// referenceDecode parses and validates one message value against the contract. now is
// the ingest clock, used for the future-skew rule. A violation is returned as
// *Error; the event is then not usable.
func referenceDecode(value []byte, now time.Time, lim Limits) (Event, error) {
	if lim.MaxBytes > 0 && len(value) > lim.MaxBytes {
		return Event{}, &Error{Reason: ReasonTooLarge, Msg: fmt.Sprintf("%d bytes, limit %d", len(value), lim.MaxBytes)}
	}
	trimmed := bytes.TrimSpace(value)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: "value is not a JSON object"}
	}
	if !utf8.Valid(trimmed) {
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: "value is not valid UTF-8"}
	}
	p := refParsers.Get()
	defer refParsers.Put(p)
	root, err := p.ParseBytes(trimmed)
	if err != nil {
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: err.Error()}
	}
	obj, err := root.Object()
	if err != nil {
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: "value is not a JSON object"}
	}
	var w refWire
	var fieldErr error
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if fieldErr != nil || v.Type() == fastjson.TypeNull {
			return
		}
		fieldErr = w.set(string(key), v)
	})
	if fieldErr != nil {
		return Event{}, fieldErr
	}
	return w.validate(now, lim)
}

// set stores one top-level field; unknown fields are ignored (forward compatibility).
func (w *refWire) set(key string, v *fastjson.Value) error {
	var dst *string
	switch key {
	case "event_id":
		dst = &w.EventID
	case "type":
		dst = &w.Type
	case "occurred_at":
		dst = &w.OccurredAt
	case "branch":
		dst = &w.Branch
	case "channel":
		dst = &w.Channel
	case "ticket_id":
		dst = &w.TicketID
	case "ref_id":
		dst = &w.RefID
	case "customer_id":
		dst = &w.CustomerID
	case "agent_id":
		dst = &w.AgentID
	case "team":
		dst = &w.Team
	case "priority":
		dst = &w.Priority
	case "author":
		dst = &w.Author
	case "due_at":
		dst = &w.DueAt
	case "comment":
		dst = &w.Comment
	case "reason":
		dst = &w.Reason
	case "score":
		w.Score = v
		return nil
	case "amount":
		w.Amount = v
		return nil
	case "attributes":
		return w.setAttributes(v)
	default:
		return nil
	}
	b, err := v.StringBytes()
	if err != nil {
		return invalid(key, "expected a string, got JSON %s", v.Type())
	}
	*dst = string(b)
	return nil
}

func (w *refWire) setAttributes(v *fastjson.Value) error {
	o, err := v.Object()
	if err != nil {
		return invalid("attributes", "expected an object of strings, got JSON %s", v.Type())
	}
	if o.Len() == 0 {
		return nil
	}
	w.Attributes = make(map[string]string, o.Len())
	var attrErr error
	o.Visit(func(key []byte, val *fastjson.Value) {
		if attrErr != nil {
			return
		}
		b, err := val.StringBytes()
		if err != nil {
			attrErr = invalid("attributes", "value of %q: expected a string, got JSON %s", truncate(string(key)), val.Type())
			return
		}
		w.Attributes[string(key)] = string(b)
	})
	return attrErr
}

func refOneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func (w *refWire) validate(now time.Time, lim Limits) (Event, error) {
	ev := Event{
		EventID: w.EventID, Type: Type(w.Type), Branch: w.Branch, Channel: w.Channel,
		TicketID: w.TicketID, RefID: w.RefID, CustomerID: w.CustomerID, AgentID: w.AgentID,
		Team: w.Team, Priority: w.Priority, Author: w.Author, Comment: w.Comment, Attributes: w.Attributes,
	}
	// Fields every event carries.
	if strings.TrimSpace(ev.EventID) == "" {
		return Event{}, missing("event_id")
	}
	if err := checkLen("event_id", ev.EventID, 128); err != nil {
		return Event{}, err
	}
	if w.Type == "" {
		return Event{}, missing("type")
	}
	if !refKnownIn(ev.Type, lim.Contract) {
		return Event{}, &Error{Reason: ReasonUnknownType, Field: "type", Msg: fmt.Sprintf("unknown type %q", truncate(w.Type))}
	}
	if w.OccurredAt == "" {
		return Event{}, missing("occurred_at")
	}
	occurred, err := parseTime(w.OccurredAt)
	if err != nil {
		return Event{}, invalid("occurred_at", "not RFC 3339: %q", truncate(w.OccurredAt))
	}
	if lim.MaxFutureSkew > 0 && occurred.After(now.Add(lim.MaxFutureSkew)) {
		return Event{}, &Error{Reason: ReasonInFuture, Field: "occurred_at", Msg: fmt.Sprintf("%s is more than %s ahead of the ingest clock", w.OccurredAt, lim.MaxFutureSkew)}
	}
	if !storable(occurred) {
		return Event{}, invalid("occurred_at", "%s is outside %d–%d", w.OccurredAt, minYear, maxYear)
	}
	ev.OccurredAt = occurred
	if ev.Branch == "" {
		return Event{}, missing("branch")
	}
	if !validBranch(ev.Branch) {
		return Event{}, invalid("branch", "%q does not match %s", truncate(ev.Branch), branchPattern)
	}

	// Optional fields, checked wherever present.
	if ev.Channel != "" && !refOneOf(ev.Channel, Channels) {
		return Event{}, invalid("channel", "unknown channel %q", truncate(ev.Channel))
	}
	if ev.Priority != "" && !refOneOf(ev.Priority, Priorities) {
		return Event{}, invalid("priority", "unknown priority %q", truncate(ev.Priority))
	}
	if ev.Author != "" && ev.Author != AuthorAgent && ev.Author != AuthorCustomer {
		return Event{}, invalid("author", "must be agent or customer, got %q", truncate(ev.Author))
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"ticket_id", ev.TicketID, 128}, {"ref_id", ev.RefID, 128}, {"customer_id", ev.CustomerID, 128},
		{"agent_id", ev.AgentID, 64}, {"team", ev.Team, 64}, {"comment", ev.Comment, 4000}} {
		if err := checkLen(f.name, f.v, f.max); err != nil {
			return Event{}, err
		}
	}
	if err := refCheckAttributes(ev.Attributes); err != nil {
		return Event{}, err
	}
	if w.Amount != nil {
		amount, err := w.Amount.Float64()
		if err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) {
			return Event{}, invalid("amount", "not a number: %s", truncate(w.Amount.String()))
		}
		if amount < 0 {
			return Event{}, invalid("amount", "negative: %s", w.Amount)
		}
		ev.Amount = &amount
	}
	if w.DueAt != "" {
		due, err := parseTime(w.DueAt)
		if err != nil {
			return Event{}, invalid("due_at", "not RFC 3339: %q", truncate(w.DueAt))
		}
		if !storable(due) {
			return Event{}, invalid("due_at", "%s is outside %d–%d", w.DueAt, minYear, maxYear)
		}
		ev.DueAt = &due
	}

	// Fields a type requires.
	switch {
	case ev.Type.IsTicket():
		if ev.TicketID == "" {
			return Event{}, missing("ticket_id")
		}
	case ev.Type.NeedsRef():
		if ev.RefID == "" {
			return Event{}, missing("ref_id")
		}
	case ev.Type == CustomerVisit:
		if ev.CustomerID == "" {
			return Event{}, missing("customer_id")
		}
	}
	if ev.Type == TicketOpened && ev.Channel == "" {
		return Event{}, missing("channel")
	}
	if ev.Type == TicketMessage && ev.Author == "" {
		return Event{}, missing("author")
	}
	if ev.Type == TicketPending && w.Reason != "" {
		// the reason is kept in the comment column, so one of them only
		if ev.Comment != "" {
			return Event{}, invalid("reason", "ticket.pending carries reason or comment, not both")
		}
		if err := checkLen("reason", w.Reason, 256); err != nil {
			return Event{}, err
		}
		ev.Reason = w.Reason
	}
	if ev.Type.NeedsDueAt() && ev.DueAt == nil {
		return Event{}, missing("due_at")
	}
	if lo, hi, ok := ev.Type.ScoreRange(); ok {
		if w.Score == nil {
			return Event{}, missing("score")
		}
		score, err := integer(w.Score)
		if err != nil {
			return Event{}, err
		}
		if score < lo || score > hi {
			return Event{}, &Error{Reason: ReasonScoreRange, Field: "score", Msg: fmt.Sprintf("%d outside %d–%d for %s", score, lo, hi, ev.Type)}
		}
		ev.Score = &score
	} else if w.Score != nil {
		// Only surveys carry a score; elsewhere it is kept if it fits the column.
		score, err := integer(w.Score)
		if err != nil {
			return Event{}, err
		}
		if score < math.MinInt8 || score > math.MaxInt8 {
			return Event{}, invalid("score", "%d outside %d–%d", score, math.MinInt8, math.MaxInt8)
		}
		ev.Score = &score
	}
	if ev.Channel == "" {
		ev.Channel = ChannelOther
	}
	if ev.Type == TicketOpened && ev.Priority == "" {
		ev.Priority = PriorityNormal
	}
	return ev, nil
}

func refCheckAttributes(attrs map[string]string) error {
	if len(attrs) > 32 {
		return invalid("attributes", "%d keys, at most 32", len(attrs))
	}
	for k, v := range attrs {
		if utf8.RuneCountInString(k) > 64 {
			return invalid("attributes", "key %q longer than 64 characters", truncate(k))
		}
		if utf8.RuneCountInString(v) > 256 {
			return invalid("attributes", "value of %q longer than 256 characters", truncate(k))
		}
	}
	return nil
}

// refKnownIn reports whether t is a type of contract version v ("" for the
// current one).
func refKnownIn(t Type, v string) bool {
	types := Types
	if v != "" {
		types = TypesOf(v)
	}
	for _, k := range types {
		if t == k {
			return true
		}
	}
	return false
}
