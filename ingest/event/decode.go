package event

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fastjson"
)

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

// Fields is one validated event as views into the message value it was
// decoded from: its strings share the value's bytes (only a string with JSON
// escapes is copied), so they are valid as long as the value is and the value
// must not be modified while they are in use. Ingest appends them to the
// columns of a batch without copying; Decode copies them into an Event.
// Optional fields the producer left out are zero, with Has… false.
type Fields struct {
	EventID, Branch, TicketID, RefID, CustomerID, AgentID, Team, Comment string
	// Reason is a ticket.pending's reason (contract 1.1), empty elsewhere;
	// ingest stores it in the comment column (never both are set).
	Reason string
	// Type is the contract's constant and TypeIndex its position in Types.
	Type      Type
	TypeIndex int
	// Channel, Priority and Author are the contract's own constants (with
	// the defaults applied: channel other, a ticket.opened's priority normal).
	Channel, Priority, Author string
	OccurredAt                time.Time
	Score                     int
	HasScore                  bool
	DueAt                     time.Time
	HasDueAt                  bool
	Amount                    float64
	HasAmount                 bool
	// AttrKeys and AttrValues are the attributes in message order, each key
	// once (a repeated key keeps its last value). DecodeFields reuses their
	// backing arrays.
	AttrKeys, AttrValues []string

	// Raw parts kept between reading and validating the message.
	typ, occurredAt, dueAt, reason string
	score, amount                  *fastjson.Value
	attrDistinct                   int // distinct attribute keys when beyond the limit, else 0
}

// maxAttributes is the contract's limit on attribute keys.
const maxAttributes = 32

// decoder is the per-call state of DecodeFields, pooled with its parser:
// fastjson parses without allocating per value, and the visit callbacks are
// made once per decoder, not once per message.
type decoder struct {
	p         fastjson.Parser
	f         *Fields
	b         borrower
	first     bool
	err       error
	visit     func(key []byte, v *fastjson.Value)
	visitAttr func(key []byte, v *fastjson.Value)
	seen      map[string]struct{} // attribute keys, only for messages beyond the limit
}

var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.visit = d.field
	d.visitAttr = d.attribute
	return d
}}

// borrower maps a string of fastjson's copy of the message back to the same
// bytes in the message itself. It compares the bytes before borrowing, so
// whatever fastjson does internally, a borrowed string has the right value;
// where the bytes differ (an unescaped string) the string is copied.
type borrower struct {
	src  []byte
	base uintptr // address of src[0] in the parser's copy; 0 when unknown
}

func (b *borrower) str(s []byte) string {
	if len(s) == 0 {
		return ""
	}
	if b.base != 0 {
		off := uintptr(unsafe.Pointer(unsafe.SliceData(s))) - b.base
		if off < uintptr(len(b.src)) && uintptr(len(s)) <= uintptr(len(b.src))-off {
			if v := b.src[off : off+uintptr(len(s))]; string(v) == string(s) {
				return unsafe.String(unsafe.SliceData(v), len(v))
			}
		}
	}
	return string(s)
}

// firstKeyAt returns where the first key of a JSON object starts in src
// (after '{', whitespace and '"'), or -1.
func firstKeyAt(src []byte) int {
	for i := 1; i < len(src); i++ {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			return i + 1
		}
		return -1
	}
	return -1
}

// Decode parses and validates one message value against the contract. now is
// the ingest clock, used for the future-skew rule. A violation is returned as
// *Error; the event is then not usable. The event owns its strings.
func Decode(value []byte, now time.Time, lim Limits) (Event, error) {
	var f Fields
	if err := DecodeFields(value, now, lim, &f); err != nil {
		return Event{}, err
	}
	ev := Event{
		EventID: strings.Clone(f.EventID), Type: f.Type, OccurredAt: f.OccurredAt, Branch: strings.Clone(f.Branch),
		Channel: f.Channel, TicketID: strings.Clone(f.TicketID), RefID: strings.Clone(f.RefID),
		CustomerID: strings.Clone(f.CustomerID), AgentID: strings.Clone(f.AgentID), Team: strings.Clone(f.Team),
		Priority: f.Priority, Author: f.Author, Comment: strings.Clone(f.Comment), Reason: strings.Clone(f.Reason),
	}
	if f.HasScore {
		score := f.Score
		ev.Score = &score
	}
	if f.HasDueAt {
		due := f.DueAt
		ev.DueAt = &due
	}
	if f.HasAmount {
		amount := f.Amount
		ev.Amount = &amount
	}
	if len(f.AttrKeys) > 0 {
		ev.Attributes = make(map[string]string, len(f.AttrKeys))
		for i, k := range f.AttrKeys {
			ev.Attributes[strings.Clone(k)] = strings.Clone(f.AttrValues[i])
		}
	}
	return ev, nil
}

// DecodeFields parses and validates one message value like Decode, into f,
// whose strings then borrow value's bytes (see Fields). f is overwritten.
func DecodeFields(value []byte, now time.Time, lim Limits, f *Fields) error {
	keys, values := f.AttrKeys[:0], f.AttrValues[:0]
	*f = Fields{AttrKeys: keys, AttrValues: values}
	if lim.MaxBytes > 0 && len(value) > lim.MaxBytes {
		return &Error{Reason: ReasonTooLarge, Msg: fmt.Sprintf("%d bytes, limit %d", len(value), lim.MaxBytes)}
	}
	trimmed := bytes.TrimSpace(value)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &Error{Reason: ReasonNotJSON, Msg: "value is not a JSON object"}
	}
	if !utf8.Valid(trimmed) {
		return &Error{Reason: ReasonNotJSON, Msg: "value is not valid UTF-8"}
	}
	d := decoders.Get().(*decoder)
	defer func() {
		d.f, d.b, d.err = nil, borrower{}, nil
		decoders.Put(d)
	}()
	root, err := d.p.ParseBytes(trimmed)
	if err != nil {
		return &Error{Reason: ReasonNotJSON, Msg: err.Error()}
	}
	obj, err := root.Object()
	if err != nil {
		return &Error{Reason: ReasonNotJSON, Msg: "value is not a JSON object"}
	}
	d.f, d.b, d.first, d.err = f, borrower{src: trimmed}, true, nil
	obj.Visit(d.visit)
	if d.err != nil {
		return d.err
	}
	return f.validate(now, lim)
}

// field stores one top-level field; unknown fields are ignored (forward compatibility).
func (d *decoder) field(key []byte, v *fastjson.Value) {
	if d.first {
		// The first key tells where the parser's copy of the message starts.
		d.first = false
		if at := firstKeyAt(d.b.src); at > 0 && len(key) > 0 {
			d.b.base = uintptr(unsafe.Pointer(unsafe.SliceData(key))) - uintptr(at)
		}
	}
	if d.err != nil || v.Type() == fastjson.TypeNull {
		return
	}
	f := d.f
	var dst *string
	switch string(key) {
	case "event_id":
		dst = &f.EventID
	case "type":
		dst = &f.typ
	case "occurred_at":
		dst = &f.occurredAt
	case "branch":
		dst = &f.Branch
	case "channel":
		dst = &f.Channel
	case "ticket_id":
		dst = &f.TicketID
	case "ref_id":
		dst = &f.RefID
	case "customer_id":
		dst = &f.CustomerID
	case "agent_id":
		dst = &f.AgentID
	case "team":
		dst = &f.Team
	case "priority":
		dst = &f.Priority
	case "author":
		dst = &f.Author
	case "due_at":
		dst = &f.dueAt
	case "comment":
		dst = &f.Comment
	case "reason":
		dst = &f.reason
	case "score":
		f.score = v
		return
	case "amount":
		f.amount = v
		return
	case "attributes":
		d.attributes(v)
		return
	default:
		return
	}
	b, err := v.StringBytes()
	if err != nil {
		d.err = invalid(string(key), "expected a string, got JSON %s", v.Type())
		return
	}
	*dst = d.b.str(b)
}

func (d *decoder) attributes(v *fastjson.Value) {
	o, err := v.Object()
	if err != nil {
		d.err = invalid("attributes", "expected an object of strings, got JSON %s", v.Type())
		return
	}
	f := d.f
	// A repeated key keeps its last value, as in a map; beyond the limit the
	// distinct keys are only counted, for the error.
	f.AttrKeys, f.AttrValues, f.attrDistinct = f.AttrKeys[:0], f.AttrValues[:0], 0
	if o.Len() > maxAttributes {
		clear(d.seen)
	}
	o.Visit(d.visitAttr)
}

func (d *decoder) attribute(key []byte, val *fastjson.Value) {
	if d.err != nil {
		return
	}
	b, err := val.StringBytes()
	if err != nil {
		d.err = invalid("attributes", "value of %q: expected a string, got JSON %s", truncate(string(key)), val.Type())
		return
	}
	f := d.f
	if f.attrDistinct > 0 {
		if _, dup := d.seen[string(key)]; !dup {
			d.seen[string(key)] = struct{}{}
			f.attrDistinct++
		}
		return
	}
	k := d.b.str(key)
	for i := range f.AttrKeys {
		if f.AttrKeys[i] == k {
			f.AttrValues[i] = d.b.str(b)
			return
		}
	}
	if len(f.AttrKeys) == maxAttributes {
		if d.seen == nil {
			d.seen = map[string]struct{}{}
		}
		for _, k := range f.AttrKeys {
			d.seen[k] = struct{}{}
		}
		d.seen[string(key)] = struct{}{}
		f.attrDistinct = len(d.seen)
		return
	}
	f.AttrKeys = append(f.AttrKeys, k)
	f.AttrValues = append(f.AttrValues, d.b.str(b))
}

func missing(field string) error {
	return &Error{Reason: ReasonMissingField, Field: field, Msg: "required"}
}

func invalid(field, format string, args ...any) error {
	return &Error{Reason: ReasonInvalidField, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func checkLen(field, v string, max int) error {
	// Byte length bounds the rune count from above: most values skip the count.
	if len(v) <= max {
		return nil
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "%d characters, at most %d", n, max)
	}
	return nil
}

// canonical returns the member of set equal to v, so the result never
// borrows the message.
func canonical(v string, set []string) (string, bool) {
	for _, s := range set {
		if v == s {
			return s, true
		}
	}
	return "", false
}

func (f *Fields) validate(now time.Time, lim Limits) error {
	// Fields every event carries.
	if strings.TrimSpace(f.EventID) == "" {
		return missing("event_id")
	}
	if err := checkLen("event_id", f.EventID, 128); err != nil {
		return err
	}
	if f.typ == "" {
		return missing("type")
	}
	r, index, ok := ruleOf(f.typ)
	if !ok || index >= typesKnown(lim.Contract) {
		return &Error{Reason: ReasonUnknownType, Field: "type", Msg: fmt.Sprintf("unknown type %q", truncate(f.typ))}
	}
	f.Type, f.TypeIndex = r.typ, index
	if f.occurredAt == "" {
		return missing("occurred_at")
	}
	occurred, err := parseTime(f.occurredAt)
	if err != nil {
		return invalid("occurred_at", "not RFC 3339: %q", truncate(f.occurredAt))
	}
	if lim.MaxFutureSkew > 0 && occurred.After(now.Add(lim.MaxFutureSkew)) {
		return &Error{Reason: ReasonInFuture, Field: "occurred_at", Msg: fmt.Sprintf("%s is more than %s ahead of the ingest clock", f.occurredAt, lim.MaxFutureSkew)}
	}
	if !storable(occurred) {
		return invalid("occurred_at", "%s is outside %d–%d", f.occurredAt, minYear, maxYear)
	}
	f.OccurredAt = occurred
	if f.Branch == "" {
		return missing("branch")
	}
	if !validBranch(f.Branch) {
		return invalid("branch", "%q does not match %s", truncate(f.Branch), branchPattern)
	}

	// Optional fields, checked wherever present.
	if f.Channel != "" {
		c, ok := canonical(f.Channel, Channels)
		if !ok {
			return invalid("channel", "unknown channel %q", truncate(f.Channel))
		}
		f.Channel = c
	}
	if f.Priority != "" {
		c, ok := canonical(f.Priority, Priorities)
		if !ok {
			return invalid("priority", "unknown priority %q", truncate(f.Priority))
		}
		f.Priority = c
	}
	if f.Author != "" {
		c, ok := canonical(f.Author, authors)
		if !ok {
			return invalid("author", "must be agent or customer, got %q", truncate(f.Author))
		}
		f.Author = c
	}
	for _, c := range [...]struct {
		name string
		v    *string
		max  int
	}{{"ticket_id", &f.TicketID, 128}, {"ref_id", &f.RefID, 128}, {"customer_id", &f.CustomerID, 128},
		{"agent_id", &f.AgentID, 64}, {"team", &f.Team, 64}, {"comment", &f.Comment, 4000}} {
		if err := checkLen(c.name, *c.v, c.max); err != nil {
			return err
		}
	}
	if err := f.checkAttributes(); err != nil {
		return err
	}
	if f.amount != nil {
		amount, err := f.amount.Float64()
		if err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) {
			return invalid("amount", "not a number: %s", truncate(f.amount.String()))
		}
		if amount < 0 {
			return invalid("amount", "negative: %s", f.amount)
		}
		f.Amount, f.HasAmount = amount, true
	}
	if f.dueAt != "" {
		due, err := parseTime(f.dueAt)
		if err != nil {
			return invalid("due_at", "not RFC 3339: %q", truncate(f.dueAt))
		}
		if !storable(due) {
			return invalid("due_at", "%s is outside %d–%d", f.dueAt, minYear, maxYear)
		}
		f.DueAt, f.HasDueAt = due, true
	}

	// Fields the type requires, in a fixed order (ingest/gen's bad messages rely on it).
	switch {
	case r.needs&needTicket != 0 && f.TicketID == "":
		return missing("ticket_id")
	case r.needs&needRef != 0 && f.RefID == "":
		return missing("ref_id")
	case r.needs&needCustomer != 0 && f.CustomerID == "":
		return missing("customer_id")
	case r.needs&needChannel != 0 && f.Channel == "":
		return missing("channel")
	case r.needs&needAuthor != 0 && f.Author == "":
		return missing("author")
	case r.needs&needDueAt != 0 && !f.HasDueAt:
		return missing("due_at")
	}
	if r.reason && f.reason != "" {
		// the reason is kept in the comment column, so one of them only
		if f.Comment != "" {
			return invalid("reason", "%s carries reason or comment, not both", r.typ)
		}
		if err := checkLen("reason", f.reason, 256); err != nil {
			return err
		}
		f.Reason = f.reason
	}
	if r.survey {
		if f.score == nil {
			return missing("score")
		}
		score, err := integer(f.score)
		if err != nil {
			return err
		}
		if score < r.scoreLo || score > r.scoreHi {
			return &Error{Reason: ReasonScoreRange, Field: "score", Msg: fmt.Sprintf("%d outside %d–%d for %s", score, r.scoreLo, r.scoreHi, r.typ)}
		}
		f.Score, f.HasScore = score, true
	} else if f.score != nil {
		// Only surveys carry a score; elsewhere it is kept if it fits the column.
		score, err := integer(f.score)
		if err != nil {
			return err
		}
		if score < math.MinInt8 || score > math.MaxInt8 {
			return invalid("score", "%d outside %d–%d", score, math.MinInt8, math.MaxInt8)
		}
		f.Score, f.HasScore = score, true
	}
	if f.Channel == "" {
		f.Channel = ChannelOther
	}
	if r.typ == TicketOpened && f.Priority == "" {
		f.Priority = PriorityNormal
	}
	f.typ, f.occurredAt, f.dueAt, f.reason, f.score, f.amount = "", "", "", "", nil, nil
	return nil
}

var authors = []string{AuthorAgent, AuthorCustomer}

func (f *Fields) checkAttributes() error {
	if f.attrDistinct > maxAttributes {
		return invalid("attributes", "%d keys, at most %d", f.attrDistinct, maxAttributes)
	}
	for i, k := range f.AttrKeys {
		if len(k) > 64 && utf8.RuneCountInString(k) > 64 {
			return invalid("attributes", "key %q longer than 64 characters", truncate(k))
		}
		if v := f.AttrValues[i]; len(v) > 256 && utf8.RuneCountInString(v) > 256 {
			return invalid("attributes", "value of %q longer than 256 characters", truncate(k))
		}
	}
	return nil
}

// integer reads a score: a JSON number without fraction or exponent.
func integer(v *fastjson.Value) (int, error) {
	var buf [24]byte
	raw := string(v.MarshalTo(buf[:0]))
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
