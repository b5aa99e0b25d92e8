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

// Types lists every event type in the order the schema's Enum numbers them.
var Types = []Type{
	TicketOpened, TicketMessage, TicketResolved, TicketReopened,
	SurveyNPS, SurveyCSAT, SurveyCES, CustomerVisit,
	AppointmentScheduled, AppointmentStarted, CallbackPromised, CallbackCompleted,
	ComplaintFiled, TicketPending, TicketResumed,
}

// TypesOf lists the event types of a contract version ("1.0" or "1.1"): a
// consumer of version 1.0 knows only the first thirteen and dead-letters the
// others with unknown_type (docs/EVENTS.md, compatibility rule). It returns
// nil for a version this package does not know.
func TypesOf(version string) []Type {
	switch version {
	case "1.0", "1":
		return Types[:13]
	case ContractVersion:
		return Types
	}
	return nil
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

// IsTicket reports whether the type is one of the ticket.* types.
func (t Type) IsTicket() bool {
	switch t {
	case TicketOpened, TicketMessage, TicketResolved, TicketReopened, TicketPending, TicketResumed:
		return true
	}
	return false
}

// IsSurvey reports whether the type is one of the survey.* types.
func (t Type) IsSurvey() bool {
	return t == SurveyNPS || t == SurveyCSAT || t == SurveyCES
}

// NeedsRef reports whether the type pairs by ref_id (appointments, callbacks).
func (t Type) NeedsRef() bool {
	switch t {
	case AppointmentScheduled, AppointmentStarted, CallbackPromised, CallbackCompleted:
		return true
	}
	return false
}

// NeedsDueAt reports whether the type carries a due_at.
func (t Type) NeedsDueAt() bool {
	return t == AppointmentScheduled || t == CallbackPromised
}

// ScoreRange returns the inclusive score range of a survey type.
func (t Type) ScoreRange() (lo, hi int, ok bool) {
	switch t {
	case SurveyNPS:
		return 0, 10, true
	case SurveyCSAT:
		return 1, 5, true
	case SurveyCES:
		return 1, 7, true
	}
	return 0, 0, false
}

// Known reports whether t is a type of the contract.
func (t Type) Known() bool { return t.knownIn("") }

// knownIn reports whether t is a type of contract version v ("" for the
// current one).
func (t Type) knownIn(v string) bool {
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
