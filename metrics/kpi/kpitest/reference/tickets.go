package reference

import (
	"sort"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
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

	// pauses are the spans it waited on the customer (contract 1.1), the
	// last cut at as_of when pendingAtAsOf; pending is their business time
	// up to the resolution (or as_of), when there are any.
	pauses        []sla.Span
	pendingAtAsOf bool
	pending       float64
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
	var marks []mark
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
		case event.TicketPending, event.TicketResumed:
			marks = append(marks, mark{at: e.OccurredAt, pending: e.Type == event.TicketPending})
		}
		if e.Type == event.TicketMessage && e.Author == event.AuthorCustomer {
			marks = append(marks, mark{at: e.OccurredAt}) // a customer's message resumes
		}
	}
	t.pauses, t.pendingAtAsOf = pausesOf(marks, p.AsOf)
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
	cal := p.Calendars.For(t.m.branch)
	if t.resolved {
		// the time it waited on the customer is not the desk's
		t.resolution = business(t.opened, t.resolvedAt) - sla.Overlap(cal, t.opened, t.resolvedAt, t.pauses)
		t.fcr = agentBeforeResolve == 1 && !t.reopened
	}
	if len(t.pauses) > 0 {
		end := p.AsOf
		if t.resolved {
			end = t.resolvedAt
			t.pendingAtAsOf = false
		}
		t.pending = sla.Overlap(cal, t.opened, end, t.pauses)
	}
	return t
}

// mark is a pending (true) or resuming instant of a ticket.
type mark struct {
	at      time.Time
	pending bool
}

// pausesOf walks the marks in time order, resumptions before pendings at
// the same instant: a pending mark starts a pause unless one runs, a
// resuming mark ends the one that runs. A pause still running at asOf ends
// there, and open says so.
func pausesOf(marks []mark, asOf time.Time) (pauses []sla.Span, open bool) {
	sort.SliceStable(marks, func(i, j int) bool {
		if !marks[i].at.Equal(marks[j].at) {
			return marks[i].at.Before(marks[j].at)
		}
		return !marks[i].pending && marks[j].pending
	})
	var from time.Time
	for _, m := range marks {
		switch {
		case m.pending && !open:
			from, open = m.at, true
		case !m.pending && open:
			pauses = append(pauses, sla.Span{From: from.UnixMilli(), To: m.at.UnixMilli()})
			open = false
		}
	}
	if open {
		pauses = append(pauses, sla.Span{From: from.UnixMilli(), To: asOf.UnixMilli()})
	}
	return pauses, open
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
