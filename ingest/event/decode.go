package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
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
}

// DefaultLimits are the contract's defaults.
var DefaultLimits = Limits{MaxBytes: 64 << 10, MaxFutureSkew: 5 * time.Minute}

var branchPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

// wire is the JSON shape; numbers stay raw so that "9.5" or "9" (a string)
// are told apart from 9.
type wire struct {
	EventID    string            `json:"event_id"`
	Type       string            `json:"type"`
	OccurredAt string            `json:"occurred_at"`
	Branch     string            `json:"branch"`
	Channel    string            `json:"channel"`
	TicketID   string            `json:"ticket_id"`
	RefID      string            `json:"ref_id"`
	CustomerID string            `json:"customer_id"`
	AgentID    string            `json:"agent_id"`
	Team       string            `json:"team"`
	Priority   string            `json:"priority"`
	Author     string            `json:"author"`
	Score      json.RawMessage   `json:"score"`
	DueAt      string            `json:"due_at"`
	Amount     json.RawMessage   `json:"amount"`
	Comment    string            `json:"comment"`
	Attributes map[string]string `json:"attributes"`
}

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
	var w wire
	if err := json.Unmarshal(trimmed, &w); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return Event{}, &Error{Reason: ReasonInvalidField, Field: typeErr.Field, Msg: fmt.Sprintf("expected %s, got JSON %s", typeErr.Type, typeErr.Value)}
		}
		return Event{}, &Error{Reason: ReasonNotJSON, Msg: err.Error()}
	}
	return w.validate(now, lim)
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
	if ev.EventID == "" {
		return Event{}, missing("event_id")
	}
	if err := checkLen("event_id", ev.EventID, 128); err != nil {
		return Event{}, err
	}
	if w.Type == "" {
		return Event{}, missing("type")
	}
	if !ev.Type.Known() {
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
	ev.OccurredAt = occurred
	if ev.Branch == "" {
		return Event{}, missing("branch")
	}
	if !branchPattern.MatchString(ev.Branch) {
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
	if isPresent(w.Amount) {
		amount, err := strconv.ParseFloat(string(w.Amount), 64)
		if err != nil || !isNumber(w.Amount) {
			return Event{}, invalid("amount", "not a number: %s", truncate(string(w.Amount)))
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
	if ev.Type.NeedsDueAt() && ev.DueAt == nil {
		return Event{}, missing("due_at")
	}
	if lo, hi, ok := ev.Type.ScoreRange(); ok {
		if !isPresent(w.Score) {
			return Event{}, missing("score")
		}
		score, err := strconv.Atoi(string(w.Score))
		if err != nil {
			return Event{}, invalid("score", "not an integer: %s", truncate(string(w.Score)))
		}
		if score < lo || score > hi {
			return Event{}, &Error{Reason: ReasonScoreRange, Field: "score", Msg: fmt.Sprintf("%d outside %d–%d for %s", score, lo, hi, ev.Type)}
		}
		ev.Score = &score
	} else if isPresent(w.Score) {
		score, err := strconv.Atoi(string(w.Score))
		if err != nil {
			return Event{}, invalid("score", "not an integer: %s", truncate(string(w.Score)))
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

func isPresent(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// isNumber tells a JSON number from a JSON string holding digits.
func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

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
