package event

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// Reason says why a message was rejected. It is the value of the dead-letter
// header and of the reason label of the rejected-events metric, so the set is
// small and stable.
type Reason string

// The rejection reasons.
const (
	ReasonNotJSON      Reason = "not_json"
	ReasonTooLarge     Reason = "too_large"
	ReasonMissingField Reason = "missing_field"
	ReasonInvalidField Reason = "invalid_field"
	ReasonScoreRange   Reason = "score_out_of_range"
	ReasonUnknownType  Reason = "unknown_type"
	ReasonInFuture     Reason = "in_future"
)

// Reasons lists every rejection reason, so metrics can be initialised at zero.
var Reasons = []Reason{ReasonNotJSON, ReasonTooLarge, ReasonMissingField, ReasonInvalidField, ReasonScoreRange, ReasonUnknownType, ReasonInFuture}

// Error is a contract violation: the reason, the field at fault (if any) and a
// human-readable message.
type Error struct {
	Reason Reason
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: field %s: %s", e.Reason, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Reason, e.Msg)
}

// Limits are the configurable bounds of the contract.
type Limits struct {
	// MaxBytes is the largest accepted message value (contract default 64 KiB).
	MaxBytes int
	// MaxFutureSkew is how far occurred_at may lie ahead of the ingest clock (default 5m).
	MaxFutureSkew time.Duration
	// Contract is the contract version whose types are accepted: "" for
	// ContractVersion, "1.0" for the thirteen types of 1.0 only (what a
	// consumer built before 1.1 does: the newer types dead-letter with
	// unknown_type).
	Contract string
}

// DefaultLimits are the contract's defaults.
var DefaultLimits = Limits{MaxBytes: 64 << 10, MaxFutureSkew: 5 * time.Minute}

// branchPattern documents the rule validBranch implements without a regexp
// (it runs for every event).
const branchPattern = `^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`

func validBranch(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !alnum && (i == 0 || (c != '.' && c != '_' && c != ':' && c != '-')) {
			return false
		}
	}
	return true
}

// wire holds the raw fields of one message; numbers stay raw so that 9.5 or
// "9" (a string) are told apart from 9.
type wire struct {
	EventID, Type, OccurredAt, Branch, Channel, TicketID, RefID, CustomerID string
	AgentID, Team, Priority, Author, DueAt, Comment, Reason                 string
	Score, Amount                                                           *fastjson.Value
	Attributes                                                              map[string]string
}

// parsers are reused across messages: fastjson parses without allocating per
// value, which makes decoding several times faster than encoding/json here.
var parsers fastjson.ParserPool

// Decode parses and validates one message value against the contract. now is
// the ingest clock, used for the future-skew rule. A violation is returned as
// *Error; the event is then not usable.
func Decode(value []byte, now time.Time, lim Limits) (Event, error) {
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
	p := parsers.Get()
	defer parsers.Put(p)
	root, err := p.ParseBytes(trimmed)
	if err != nil {
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: err.Error()}
	}
	obj, err := root.Object()
	if err != nil {
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: "value is not a JSON object"}
	}
	var w wire
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
func (w *wire) set(key string, v *fastjson.Value) error {
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

func (w *wire) setAttributes(v *fastjson.Value) error {
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

func missing(field string) error {
	return &Error{Reason: ReasonMissingField, Field: field, Msg: "required"}
}

func invalid(field, format string, args ...any) error {
	return &Error{Reason: ReasonInvalidField, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func checkLen(field, v string, max int) error {
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "%d characters, at most %d", n, max)
	}
	return nil
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func (w *wire) validate(now time.Time, lim Limits) (Event, error) {
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
	if !ev.Type.knownIn(lim.Contract) {
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
	if ev.Channel != "" && !oneOf(ev.Channel, Channels) {
		return Event{}, invalid("channel", "unknown channel %q", truncate(ev.Channel))
	}
	if ev.Priority != "" && !oneOf(ev.Priority, Priorities) {
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
	if err := checkAttributes(ev.Attributes); err != nil {
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

func checkAttributes(attrs map[string]string) error {
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

// integer reads a score: a JSON number without fraction or exponent.
func integer(v *fastjson.Value) (int, error) {
	raw := v.String()
	digits := strings.TrimPrefix(raw, "-")
	if v.Type() != fastjson.TypeNumber || strings.ContainsAny(raw, ".eE") || (len(digits) > 1 && digits[0] == '0') {
		return 0, invalid("score", "not an integer: %s", truncate(raw))
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, invalid("score", "not an integer: %s", truncate(raw))
	}
	return n, nil
}

// The years a DateTime column can hold.
const minYear, maxYear = 1970, 2105

func storable(t time.Time) bool { return t.Year() >= minYear && t.Year() <= maxYear }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// truncate keeps hostile values from bloating error messages and headers.
func truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
