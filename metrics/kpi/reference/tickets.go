package reference

import (
	"sort"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// ticket holds the facts of one ticket_id that the ticket KPIs, SLA and
// complaint rate are computed from. Only tickets with a ticket.opened exist.
type ticket struct {
	id     string
	opened time.Time
	// m is where everything about the ticket counts: branch, channel and
	// priority of the opening event; team and agent of the first agent
	// response, else of the opening event.
	m member

	responded     bool      // has a first response
	firstResponse time.Time // earliest agent message in [opened, as_of)
	resolved      bool
	resolvedAt    time.Time // earliest ticket.resolved at or after opened
	reopened      bool      // any ticket.reopened at or after opened

	frt        float64 // business seconds opened → first response, when responded
	resolution float64 // business seconds opened → resolved, when resolved
	fcr        bool    // resolved, exactly one agent message in [opened, resolved), not reopened
	next       samples // next-response samples, business seconds
}

// buildTickets derives the facts of every ticket from the visible events.
func buildTickets(evs []event.Event, p kpi.Params) []*ticket {
	byID := map[string][]*event.Event{}
	var ids []string
	for i := range evs {
		e := &evs[i]
		if !e.Type.IsTicket() || e.TicketID == "" {
			continue
		}
		if _, ok := byID[e.TicketID]; !ok {
			ids = append(ids, e.TicketID)
		}
		byID[e.TicketID] = append(byID[e.TicketID], e)
	}
	sort.Strings(ids)
	var out []*ticket
	for _, id := range ids {
		if t := newTicket(id, byID[id], p); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// newTicket computes one ticket's facts from its events, or nil when it has
// no ticket.opened.
func newTicket(id string, evs []*event.Event, p kpi.Params) *ticket {
	// Order by time, then event_id, so that "earliest" is well defined even
	// for two events of the same instant.
	sort.Slice(evs, func(i, j int) bool { return earlier(evs[i], evs[j]) })

	var open *event.Event
	for _, e := range evs {
		if e.Type == event.TicketOpened {
			open = e
			break
		}
	}
	if open == nil {
		return nil
	}
	t := &ticket{id: id, opened: open.OccurredAt}
	t.m = member{
		branch:   open.Branch,
		channel:  channelOf(open),
		priority: open.Priority,
		team:     open.Team,
		agent:    open.AgentID,
	}
	if t.m.priority == "" {
		t.m.priority = event.PriorityNormal
	}
	business := func(a, b time.Time) float64 { return businessSeconds(p, t.m.branch, a, b) }

	// Events before the opening do not count for the ticket at all.
	var msgs []*event.Event
	for _, e := range evs {
		if e.OccurredAt.Before(t.opened) {
			continue
		}
		switch e.Type {
		case event.TicketMessage:
			if e.Author == event.AuthorAgent || e.Author == event.AuthorCustomer {
				msgs = append(msgs, e)
			}
		case event.TicketResolved:
			if !t.resolved {
				t.resolved, t.resolvedAt = true, e.OccurredAt
			}
		case event.TicketReopened:
			t.reopened = true
		}
	}
	// Messages in conversation order: time, then agent before customer on
	// equal times (the next-response rule), then event_id.
	sort.SliceStable(msgs, func(i, j int) bool {
		a, b := msgs[i], msgs[j]
		if !a.OccurredAt.Equal(b.OccurredAt) {
			return a.OccurredAt.Before(b.OccurredAt)
		}
		if (a.Author == event.AuthorAgent) != (b.Author == event.AuthorAgent) {
			return a.Author == event.AuthorAgent
		}
		return a.EventID < b.EventID
	})

	agentBeforeResolve := 0
	var runStart *time.Time // first customer message of the current unanswered run
	for _, e := range msgs {
		if e.Author != event.AuthorAgent {
			if t.responded && runStart == nil {
				at := e.OccurredAt
				runStart = &at
			}
			continue
		}
		if t.resolved && e.OccurredAt.Before(t.resolvedAt) {
			agentBeforeResolve++
		}
		switch {
		case !t.responded:
			t.responded, t.firstResponse = true, e.OccurredAt
			t.m.team, t.m.agent = e.Team, e.AgentID
		case runStart != nil:
			t.next = append(t.next, business(*runStart, e.OccurredAt))
			runStart = nil
		}
	}

	if t.responded {
		t.frt = business(t.opened, t.firstResponse)
	}
	if t.resolved {
		t.resolution = business(t.opened, t.resolvedAt)
		t.fcr = agentBeforeResolve == 1 && !t.reopened
	}
	return t
}

// earlier orders events by occurred_at, then by event_id.
func earlier(a, b *event.Event) bool {
	if !a.OccurredAt.Equal(b.OccurredAt) {
		return a.OccurredAt.Before(b.OccurredAt)
	}
	return a.EventID < b.EventID
}

// businessSeconds is the length of [a, b) inside the branch's opening hours;
// 0 when b ≤ a.
func businessSeconds(p kpi.Params, branch string, a, b time.Time) float64 {
	if !b.After(a) {
		return 0
	}
	return p.Calendars.BusinessSeconds(branch, a, b)
}
