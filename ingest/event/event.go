// Package event owns the cxpulse event contract, version 1.1 (docs/EVENTS.md):
// the Go shape of one customer-service interaction event, its vocabulary, and
// the validation that decides whether a Kafka message is ingested or sent to
// the dead-letter topic. It sits low so that ingest, the generator and the KPI
// engine share one definition.
package event

import "time"

// Type is an event type of the contract.
type Type string

// The thirteen event types of contract version 1.0, then the two that 1.1
// added (ticket.pending, ticket.resumed).
const (
	TicketOpened         Type = "ticket.opened"
	TicketMessage        Type = "ticket.message"
	TicketResolved       Type = "ticket.resolved"
	TicketReopened       Type = "ticket.reopened"
	SurveyNPS            Type = "survey.nps"
	SurveyCSAT           Type = "survey.csat"
	SurveyCES            Type = "survey.ces"
	CustomerVisit        Type = "customer.visit"
	AppointmentScheduled Type = "appointment.scheduled"
	AppointmentStarted   Type = "appointment.started"
	CallbackPromised     Type = "callback.promised"
	CallbackCompleted    Type = "callback.completed"
	ComplaintFiled       Type = "complaint.filed"
	TicketPending        Type = "ticket.pending" // 1.1: the ticket waits on the customer
	TicketResumed        Type = "ticket.resumed" // 1.1: it no longer does
)

// ContractVersion is the version of the event contract this package decodes.
const ContractVersion = "1.1"

// needs is a set of fields a type requires beyond those every event carries.
type needs uint8

const (
	needTicket   needs = 1 << iota // ticket_id (every ticket.* type)
	needRef                        // ref_id (appointments, callbacks)
	needCustomer                   // customer_id
	needChannel                    // channel (no default to other)
	needAuthor                     // author
	needDueAt                      // due_at
)

// rule is one row of the type table: what a type requires, for surveys the
// inclusive score range (a score is then required too), and whether the
// type takes a reason (contract 1.1, kept in the comment column).
type rule struct {
	typ              Type
	needs            needs
	survey           bool
	scoreLo, scoreHi int
	reason           bool
}

// rules is the type table, in the order the schema's Enum8 numbers the types
// (position + 1): the thirteen of contract 1.0 first, then 1.1's, so that the
// types of a version are a prefix (TypesOf). Adding a type is a constant
// above, a row at the end here, and the migration that extends the Enum.
var rules = []rule{
	{typ: TicketOpened, needs: needTicket | needChannel},
	{typ: TicketMessage, needs: needTicket | needAuthor},
	{typ: TicketResolved, needs: needTicket},
	{typ: TicketReopened, needs: needTicket},
	{typ: SurveyNPS, survey: true, scoreLo: 0, scoreHi: 10},
	{typ: SurveyCSAT, survey: true, scoreLo: 1, scoreHi: 5},
	{typ: SurveyCES, survey: true, scoreLo: 1, scoreHi: 7},
	{typ: CustomerVisit, needs: needCustomer},
	{typ: AppointmentScheduled, needs: needRef | needDueAt},
	{typ: AppointmentStarted, needs: needRef},
	{typ: CallbackPromised, needs: needRef | needDueAt},
	{typ: CallbackCompleted, needs: needRef},
	{typ: ComplaintFiled},
	{typ: TicketPending, needs: needTicket, reason: true}, // 1.1
	{typ: TicketResumed, needs: needTicket},               // 1.1
}

// typesIn10 is how many rows of rules contract 1.0 has.
const typesIn10 = 13

// Types lists every event type in the order the schema's Enum numbers them.
var Types = func() []Type {
	out := make([]Type, len(rules))
	for i, r := range rules {
		out[i] = r.typ
	}
	return out
}()

// TypesOf lists the event types of a contract version ("1.0" or "1.1"): a
// consumer of version 1.0 knows only the first thirteen and dead-letters the
// others with unknown_type (docs/EVENTS.md, compatibility rule). It returns
// nil for a version this package does not know.
func TypesOf(version string) []Type {
	switch version {
	case "1.0", "1":
		return Types[:typesIn10]
	case ContractVersion:
		return Types
	}
	return nil
}

// typesKnown is how many rows of rules contract version v ("" for the
// current one) knows.
func typesKnown(v string) int {
	if v == "" {
		return len(rules)
	}
	return len(TypesOf(v))
}

// ruleOf finds the table row of t; ok is false for a type outside the contract.
// A linear scan over a dozen short strings beats a map lookup here.
func ruleOf(t string) (r *rule, index int, ok bool) {
	for i := range rules {
		if string(rules[i].typ) == t {
			return &rules[i], i, true
		}
	}
	return nil, -1, false
}

// Channels lists the contract's channels; an event without one counts as ChannelOther.
var Channels = []string{"phone", "email", "chat", "social", "web", "in_person", "self_service", "other"}

// ChannelOther is the channel of an event that names none.
const ChannelOther = "other"

// Priorities lists the ticket priorities; a ticket without one is PriorityNormal.
var Priorities = []string{"low", "normal", "high", "urgent"}

// PriorityNormal is the priority of a ticket.opened event that names none.
const PriorityNormal = "normal"

// Authors of a ticket.message.
const (
	AuthorAgent    = "agent"
	AuthorCustomer = "customer"
)

// Event is one validated contract event. Optional fields the producer left
// out are zero: empty strings, a nil Score or Amount, a zero DueAt.
type Event struct {
	EventID    string            `json:"event_id"`
	Type       Type              `json:"type"`
	OccurredAt time.Time         `json:"occurred_at"`
	Branch     string            `json:"branch"`
	Channel    string            `json:"channel,omitempty"`
	TicketID   string            `json:"ticket_id,omitempty"`
	RefID      string            `json:"ref_id,omitempty"`
	CustomerID string            `json:"customer_id,omitempty"`
	AgentID    string            `json:"agent_id,omitempty"`
	Team       string            `json:"team,omitempty"`
	Priority   string            `json:"priority,omitempty"`
	Author     string            `json:"author,omitempty"`
	Score      *int              `json:"score,omitempty"`
	DueAt      *time.Time        `json:"due_at,omitempty"`
	Amount     *float64          `json:"amount,omitempty"`
	Comment    string            `json:"comment,omitempty"`
	Reason     string            `json:"reason,omitempty"` // ticket.pending only (1.1); stored in the comment column
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Key returns the Kafka message key the contract recommends: ticket_id, else
// customer_id, else ref_id, else event_id. It only spreads load.
func (e *Event) Key() string {
	switch {
	case e.TicketID != "":
		return e.TicketID
	case e.CustomerID != "":
		return e.CustomerID
	case e.RefID != "":
		return e.RefID
	default:
		return e.EventID
	}
}

func (t Type) needs(n needs) bool {
	r, _, ok := ruleOf(string(t))
	return ok && r.needs&n != 0
}

// IsTicket reports whether the type is one of the ticket.* types.
func (t Type) IsTicket() bool { return t.needs(needTicket) }

// IsSurvey reports whether the type is one of the survey.* types.
func (t Type) IsSurvey() bool {
	r, _, ok := ruleOf(string(t))
	return ok && r.survey
}

// NeedsRef reports whether the type pairs by ref_id (appointments, callbacks).
func (t Type) NeedsRef() bool { return t.needs(needRef) }

// NeedsDueAt reports whether the type carries a due_at.
func (t Type) NeedsDueAt() bool { return t.needs(needDueAt) }

// ScoreRange returns the inclusive score range of a survey type.
func (t Type) ScoreRange() (lo, hi int, ok bool) {
	r, _, found := ruleOf(string(t))
	if !found || !r.survey {
		return 0, 0, false
	}
	return r.scoreLo, r.scoreHi, true
}

// Known reports whether t is a type of the contract.
func (t Type) Known() bool {
	_, _, ok := ruleOf(string(t))
	return ok
}
