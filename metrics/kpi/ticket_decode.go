package kpi

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ticketFact is one row of sql/kpi/tickets.sql: a ticket reduced by
// ClickHouse to the instants its KPIs need (milliseconds, 0 = not yet).
type ticketFact struct {
	key                                    ticketKey
	branch, channel, priority, agent, team string
	dims                                   *ticketGroup // the same values, one pointer per distinct group
	opened, firstResponse, resolved        uint64
	reopened                               uint8
	agentBeforeResolved                    uint64
	agentMs, customerMs                    []uint64 // distinct, sorted, from the opening on
	pendingMs, resumedMs                   []uint64 // the same, of ticket.pending and ticket.resumed
	version                                uint64   // folded_ms of kept facts (0 from the events)
	gone                                   bool     // a tombstone: the ticket's opening moved to another month
	future                                 uint8    // 1: the kept facts hold instants at or after the end
}

// ticketKey identifies a ticket by two independent 64-bit hashes of its id
// (cityHash64, sipHash64), so that two tickets merge only if both collide:
// about n²/2¹²⁹, 10⁻²⁷ for a million tickets, where one 64-bit hash gives
// 10⁻⁸. Scanning the ids themselves would allocate a string per ticket.
type ticketKey struct{ h, check uint64 }

func (k ticketKey) compare(o ticketKey) int {
	return cmp.Or(cmp.Compare(k.h, o.h), cmp.Compare(k.check, o.check))
}

// ticketGroup is a distinct value of tickets.sql's dims column, parsed once.
type ticketGroup struct {
	branch, channel, priority, agent, team string
	// its finest group in the run that asked last (see ticketResults)
	fineOf *fineGroups
	fine   int32
}

// parseTicketGroup splits branch/channel/priority/<len(agent)>/agent+team.
func parseTicketGroup(s string) (*ticketGroup, error) {
	var d ticketGroup
	fields := make([]string, 0, 4)
	rest := s
	for len(fields) < 4 {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return nil, fmt.Errorf("ticket dims %q: want branch/channel/priority/n/agent team", s)
		}
		fields = append(fields, rest[:i])
		rest = rest[i+1:]
	}
	n, err := strconv.Atoi(fields[3])
	if err != nil || n < 0 || n > len(rest) {
		return nil, fmt.Errorf("ticket dims %q: bad agent length", s)
	}
	d.branch, d.channel, d.priority = fields[0], fields[1], fields[2]
	d.agent, d.team = rest[:n], rest[n:]
	return &d, nil
}

// Which tickets eachTicket reads.
const (
	ticketsAll      = iota // every ticket opened in the span, once
	ticketsOpen            // those still waiting for a first response or a resolution
	ticketsVersions        // every ticket, possibly several times: keep the highest version of each
)

// eachTicket calls fn with the facts of the tickets opened in s that which
// selects. fn must not keep t. The facts come from ticket_facts when the
// kept facts cover the tickets (after folding in what arrived since the last
// fold), from the events otherwise.
func (e *Engine) eachTicket(ctx context.Context, r *run, s span, which int, since ticketsSince, fn func(t *ticketFact)) error {
	p := r.p
	look := span{from: s.from.Add(-p.TicketLookback), to: s.to}
	kept, err := e.useTicketFacts(ctx, r, look.from)
	if err != nil {
		return err
	}
	name, q := ticketsQuery(kept, which, s, look, since)
	var t ticketFact
	var dims, offsets string
	seen := map[string]*ticketGroup{}
	return e.query(ctx, name, q, func(rows driver.Rows) error {
		if err := rows.Scan(&t.key.h, &t.key.check, &dims, &t.opened, &t.firstResponse, &t.resolved,
			&t.reopened, &t.agentBeforeResolved, &offsets, &t.version, &t.future); err != nil {
			return err
		}
		d, ok := seen[dims]
		if !ok {
			var err error
			if d, err = parseTicketGroup(dims); err != nil {
				return err
			}
			seen[dims] = d
		}
		t.dims = d
		// a tombstone (ticket_fold_tombstones.sql) only matters to a caller
		// that picks the newest of several folds itself
		if t.gone = d.branch == ""; t.gone && which != ticketsVersions {
			return nil
		}
		t.branch, t.channel, t.priority, t.agent, t.team = d.branch, d.channel, d.priority, d.agent, d.team
		rest := offsets
		for i, dst := range []*[]uint64{&t.agentMs, &t.customerMs, &t.pendingMs, &t.resumedMs} {
			list, more, ok := strings.Cut(rest, "|")
			if ok == (i == 3) { // a "|" after each list but the last
				return fmt.Errorf("message offsets %q: want four lists joined by '|'", offsets)
			}
			var err error
			if *dst, err = appendInstants((*dst)[:0], t.opened, list); err != nil {
				return err
			}
			rest = more
		}
		fn(&t)
		return nil
	})
}

// ticketsQuery is the form of tickets.sql (by label) that reads the tickets
// opened in s that which selects, and its arguments: from the kept facts
// when they cover the tickets, else from the events since look.from.
func ticketsQuery(kept bool, which int, s, look span, since ticketsSince) (string, ticketsArgs) {
	end := s.toMs()
	q := ticketsArgs{end: end, openOnly: which == ticketsOpen, from: s.fromMs(), to: s.toMs()}
	name := "tickets_facts"
	switch {
	case kept:
		window := ticketFactsWindowArgs{from: s.fromMs(), to: s.toMs()}
		switch which {
		case ticketsVersions:
			name = "tickets_fact_versions"
			window.filter = ticketSinceArgs{since}
		case ticketsOpen:
			name = "tickets_facts_open"
			window.prewhere = ticketOpenIDsArgs{from: s.fromMs(), to: s.toMs(), end: end}
		}
		q.source = window
	case which == ticketsOpen:
		name = "tickets_open"
		q.source = ticketGroupsArgs{events: ticketEventsWindowArgs{look: look, s: s, filter: ticketsOpenArgs{look: look, s: s}}}
	default:
		name = "tickets"
		q.source = ticketGroupsArgs{events: ticketEventsWindowArgs{look: look, s: s}}
	}
	return name, q
}

// appendInstants appends base plus each of the comma-separated millisecond
// offsets of list (tickets.sql's message columns) to dst.
func appendInstants(dst []uint64, base uint64, list string) ([]uint64, error) {
	if list == "" {
		return dst, nil
	}
	var n uint64
	digits := false
	for i := 0; i <= len(list); i++ {
		if i == len(list) || list[i] == ',' {
			if !digits {
				return dst, fmt.Errorf("message offsets %q: empty element", list)
			}
			dst = append(dst, base+n)
			n, digits = 0, false
			continue
		}
		c := list[i]
		if c < '0' || c > '9' {
			return dst, fmt.Errorf("message offsets %q: not a number", list)
		}
		n = n*10 + uint64(c-'0')
		digits = true
	}
	return dst, nil
}

func (r *run) ticketValues(t *ticketFact) dimValues {
	return r.g.values(t.branch, t.channel, t.team, t.agent, t.priority)
}

// business is the length of [a, b) in the branch's opening hours, in seconds.
func (r *run) business(branch string, a, b uint64) float64 {
	return r.p.Calendars.BusinessSeconds(branch, msTime(a), msTime(b))
}
