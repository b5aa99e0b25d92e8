package kpi

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/sla"
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
	only := 0
	if which == ticketsOpen {
		only = 1
	}
	end := s.toMs()
	name, args := "tickets_facts", []any{end, end, end, end, end, end, end, end, end, end, end, end}
	switch {
	case kept:
		switch which {
		case ticketsVersions:
			name = "tickets_fact_versions"
			args = append(args, s.fromMs(), s.toMs(), since.version, since.asOf, since.keySet())
		case ticketsOpen:
			name = "tickets_facts_open"
			args = append(args, s.fromMs(), s.toMs(), end, end, s.fromMs(), s.toMs())
		default:
			args = append(args, s.fromMs(), s.toMs())
		}
	case which == ticketsOpen:
		name = "tickets_open"
		args = append(args, look.fromS(), s.fromS(), s.toS(), look.fromMs(), s.fromMs(), s.toMs(),
			look.fromS(), s.toS(), s.toMs(), s.fromMs(), s.toMs())
	default:
		name = "tickets"
		args = append(args, look.fromS(), s.fromS(), s.toS(), look.fromMs(), s.fromMs(), s.toMs())
	}
	args = append(args, only, s.fromMs(), s.toMs())
	var t ticketFact
	var dims, offsets string
	seen := map[string]*ticketGroup{}
	return e.query(ctx, name, func(rows driver.Rows) error {
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
	}, args...)
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

// The SLA outcomes of a ticket against one target.
const (
	slaNone = iota // the policy has no such target
	slaMet
	slaBreached
	slaPending
)

// ticketResult is what one ticket contributes, whatever the window.
// It holds no pointers (next-response samples live in one shared slice), so
// that a million of them cost the garbage collector nothing to scan.
type ticketResult struct {
	key             ticketKey
	version         uint64 // of the kept facts it was computed from
	gone            bool   // from a tombstone: dropped once the newest fold is chosen
	future          bool   // its facts hold instants after the as_of it was computed for
	settled         bool   // it cannot change while its facts do not (see settled)
	opened          uint64
	fine            int32 // finest group
	frt, resolution float64
	next            [2]int32 // its next-response samples: nextSamples[next[0]:next[1]]
	resolved        bool
	reopened, fcr   bool
	selfService     bool
	pending         float64 // business seconds pending up to the resolution or as_of; NaN: never pending
	pendingNow      bool    // pending at as_of, unresolved
	policy          int     // index into Params.Policies, -1: none
	sla             [2]uint8
	decidedAt       [2]uint64 // when sla[k] became met or breached (ms; 0 while pending)
}

// tickets computes the response-time, resolution, reopen, FCR, volume and SLA
// attainment KPIs, and the ticket counts of the complaint rate.
//
// One query over the longest window serves every window: a ticket's facts
// do not depend on the window, only whether it was opened inside it. Each
// ticket is reduced once to its finest group (every grouping dimension
// set); counts of coarser groups add up from the finest ones, and quantiles
// gather the samples of their member groups, so the work per ticket does not
// multiply with the number of groups.
func (e *Engine) tickets(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	fine := newFineGroups(r, ticketDims)
	results, next, err := e.ticketResults(ctx, r, fine)
	if err != nil {
		return nil, err
	}
	// newest first: the tickets of a window are then a prefix of every
	// group's list; ties by key, so that sums add up in the same order on
	// every run (ClickHouse returns the rows in any order) and the same
	// as_of gives the same numbers to the last bit. An index is sorted, not
	// the results, which are five times wider.
	type order struct {
		opened uint64
		key    ticketKey
		i      int32
	}
	byAge := make([]order, len(results))
	for i := range results {
		byAge[i] = order{results[i].opened, results[i].key, int32(i)}
	}
	slices.SortFunc(byAge, func(a, b order) int {
		if c := cmp.Compare(b.opened, a.opened); c != 0 {
			return c
		}
		return a.key.compare(b.key)
	})
	sizes := make([]int, len(fine.values))
	for i := range results {
		sizes[results[i].fine]++
	}
	members := make([][]int32, len(fine.values))
	for f, n := range sizes {
		members[f] = make([]int32, 0, n)
	}
	for _, o := range byAge {
		f := results[o.i].fine
		members[f] = append(members[f], o.i)
	}
	// the windows are independent: computed side by side, each into its
	// own rows and its own complaint table, joined in window order
	perWindow := make([][]Row, len(p.Windows))
	for _, w := range p.Windows {
		r.complaint(w.Label)
	}
	var wg sync.WaitGroup
	limit := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, w := range p.Windows {
		wg.Add(1)
		limit <- struct{}{}
		go func() {
			defer func() { <-limit; wg.Done() }()
			from := uint64(windowSpan(p, w).fromMs())
			in := make([][]int32, len(members)) // per finest group, its tickets in the window
			for f, m := range members {
				n := sort.Search(len(m), func(k int) bool { return results[m[k]].opened < from })
				in[f] = m[:n]
			}
			perWindow[i] = r.ticketRows(w, fine, results, next, in)
		}()
	}
	wg.Wait()
	var out []Row
	for _, rows := range perWindow {
		out = append(out, rows...)
	}
	if r.want[SLADecisions] {
		out = append(out, r.decisionRows(fine, results)...)
	}
	return out, nil
}

// newestVersions keeps, of the results computed from several versions of a
// ticket's kept facts (folds not yet merged away), the newest one, with its
// group (groups is parallel to results), and drops it when it is a
// tombstone. A tombstone has the version of the fold that moved the ticket
// less one: it beats the older folds in its month, and loses to that fold.
func newestVersions(results []ticketResult, groups []*ticketGroup) ([]ticketResult, []*ticketGroup) {
	newest := make(map[ticketKey]int32, len(results))
	repeated, gone := false, false
	for i := range results {
		k := results[i].key
		gone = gone || results[i].gone
		j, ok := newest[k]
		if !ok {
			newest[k] = int32(i)
			continue
		}
		repeated = true
		if newer(results[i].version, results[i].gone, results[j].version, results[j].gone) {
			newest[k] = int32(i)
		}
	}
	if !repeated && !gone {
		return results, groups
	}
	kept, keptGroups := results[:0], groups[:0]
	for i := range results {
		if newest[results[i].key] == int32(i) && !results[i].gone {
			kept = append(kept, results[i])
			keptGroups = append(keptGroups, groups[i])
		}
	}
	return kept, keptGroups
}

// newer reports whether a fold (version, tombstone or not) supersedes another.
func newer(v uint64, gone bool, than uint64, thanGone bool) bool {
	return v > than || (v == than && thanGone && !gone)
}

// decisionRows counts, per burn window, the tickets whose SLA outcome was
// decided inside it, by group, policy, target and outcome.
func (r *run) decisionRows(fine *fineGroups, results []ticketResult) []Row {
	asOf := uint64(r.p.AsOf.UnixMilli())
	groups := fine.coarse()
	var out []Row
	for _, w := range r.p.BurnWindows {
		from := asOf - uint64(w.Duration.Milliseconds())
		counts := map[[3]int]*[4]float64{}
		for i := range results {
			t := &results[i]
			if t.policy < 0 {
				continue
			}
			for k, o := range t.sla {
				if (o != slaMet && o != slaBreached) || t.decidedAt[k] < from || t.decidedAt[k] >= asOf {
					continue
				}
				key := [3]int{int(t.fine), t.policy, k}
				c := counts[key]
				if c == nil {
					c = &[4]float64{}
					counts[key] = c
				}
				c[o]++
			}
		}
		out = append(out, r.slaRows(SLADecisions, w.Label, groups, counts, func(s *[4]float64) map[string]float64 {
			return map[string]float64{"met": s[slaMet], "breached": s[slaBreached]}
		})...)
	}
	return out
}

// slaRows rolls per-finest-group SLA counts (keyed by finest group, policy,
// target) up into every group and turns them into rows.
func (r *run) slaRows(kpi, window string, groups []coarseGroup, fine map[[3]int]*[4]float64, values func(*[4]float64) map[string]float64) []Row {
	coarse := map[slaKey]*[4]float64{}
	var order []slaKey
	for _, g := range groups {
		for _, f := range g.members {
			for pi := range r.p.Policies {
				for k := 0; k < 2; k++ {
					s := fine[[3]int{f, pi, k}]
					if s == nil {
						continue
					}
					key := slaKey{g.labels, pi, k}
					acc := coarse[key]
					if acc == nil {
						acc = &[4]float64{}
						coarse[key] = acc
						order = append(order, key)
					}
					for o := range s {
						acc[o] += s[o]
					}
				}
			}
		}
	}
	out := make([]Row, 0, len(order))
	for _, key := range order {
		l := key.group
		l.Policy = r.p.Policies[key.policy].Name
		l.Target = sla.TargetFirstResponse
		if key.target == 1 {
			l.Target = sla.TargetResolution
		}
		out = append(out, Row{KPI: kpi, Window: window, AsOf: r.p.AsOf, Labels: l, Values: values(coarse[key])})
	}
	return out
}

func (r *run) ticketResult(t *ticketFact, fine int32) ticketResult {
	res := ticketResult{key: t.key, version: t.version, future: t.future != 0, opened: t.opened, fine: fine, frt: math.NaN(), resolution: math.NaN(),
		pending: math.NaN(), selfService: t.channel == "self_service", policy: -1}
	asOf := uint64(r.p.AsOf.UnixMilli())
	pauses, open := t.pauses(asOf)
	cal := r.p.Calendars.For(t.branch)
	if len(pauses) > 0 {
		stop := asOf
		if t.resolved > 0 {
			stop = t.resolved
		}
		res.pending = sla.Overlap(cal, msTime(t.opened), msTime(stop), pauses)
		res.pendingNow = open && t.resolved == 0
	}
	if t.firstResponse > 0 {
		res.frt = r.business(t.branch, t.opened, t.firstResponse)
	}
	if t.resolved > 0 {
		res.resolved = true
		res.resolution = sla.ExcludePauses(cal, msTime(t.opened), msTime(t.resolved), pauses)
		res.reopened = t.reopened > 0
		res.fcr = t.agentBeforeResolved == 1 && !res.reopened
	}
	for i, policy := range r.p.Policies {
		if !policy.Matches(t.channel, t.priority) {
			continue
		}
		res.policy = i
		for _, target := range policy.Targets() {
			k := 0
			if target.Name == sla.TargetResolution {
				k = 1
			}
			res.sla[k] = r.slaOutcome(policy, target, t, t.eventOf(target.Name), pauses)
			res.decidedAt[k] = r.decisionInstant(policy, target, t, res.sla[k], pauses)
		}
		break
	}
	return res
}

// eventOf is the instant that fulfils an SLA target (0: not yet).
func (t *ticketFact) eventOf(target string) uint64 {
	if target == sla.TargetFirstResponse {
		return t.firstResponse
	}
	return t.resolved
}

// pauses returns the spans in which the ticket was pending, up to end (ms),
// and whether the last is still open at end (it is then cut there): from a
// ticket.pending to the next ticket.resumed or customer message after it.
// A ticket.pending while pending changes nothing (a copy, a repeat); on
// equal instants the resumption comes first, so a ticket.pending at the
// instant of a customer message leaves the ticket pending. The facts hold
// only instants from the opening on, so a resumption before the opening
// resumes nothing. Most tickets are never pending: nil, no allocation.
func (t *ticketFact) pauses(end uint64) ([]sla.Span, bool) {
	if len(t.pendingMs) == 0 {
		return nil, false
	}
	var out []sla.Span
	for i := 0; i < len(t.pendingMs); {
		from := t.pendingMs[i]
		to := min(firstAfter(t.resumedMs, from), firstAfter(t.customerMs, from))
		if to >= end {
			return append(out, sla.Span{From: int64(from), To: int64(end)}), true
		}
		out = append(out, sla.Span{From: int64(from), To: int64(to)})
		i += sort.Search(len(t.pendingMs)-i, func(k int) bool { return t.pendingMs[i+k] >= to })
	}
	return out, false
}

// firstAfter is the first of the sorted instants xs after x, MaxUint64 if none.
func firstAfter(xs []uint64, x uint64) uint64 {
	if i := sort.Search(len(xs), func(k int) bool { return xs[k] > x }); i < len(xs) {
		return xs[i]
	}
	return math.MaxUint64
}

// elapsed is the time from the opening to end that counts against target:
// without the pauses when the policy stops that clock while pending.
func elapsed(policy sla.Policy, target string, cal *calendar.Calendar, opened, end time.Time, pauses []sla.Span) float64 {
	if len(pauses) > 0 && policy.Pauses(target) {
		return policy.ElapsedPaused(cal, opened, end, pauses)
	}
	return policy.Elapsed(cal, opened, end)
}

// slaOutcome classifies a ticket against one target.
func (r *run) slaOutcome(policy sla.Policy, target sla.Target, t *ticketFact, done uint64, pauses []sla.Span) uint8 {
	limit := target.Limit.Seconds()
	cal := r.p.Calendars.For(t.branch)
	if done > 0 {
		if elapsed(policy, target.Name, cal, msTime(t.opened), msTime(done), pauses) <= limit {
			return slaMet
		}
		return slaBreached
	}
	if elapsed(policy, target.Name, cal, msTime(t.opened), r.p.AsOf, pauses) > limit {
		return slaBreached
	}
	return slaPending
}

// decisionInstant is when a ticket's outcome against a target was settled:
// the event, for a met target; the instant the target passed, for a breached
// one (found by bisection, as elapsed time only grows). Tickets answered or
// breached long before the longest burn window are not searched.
func (r *run) decisionInstant(policy sla.Policy, target sla.Target, t *ticketFact, outcome uint8, pauses []sla.Span) uint64 {
	done := t.eventOf(target.Name)
	asOf := uint64(r.p.AsOf.UnixMilli())
	switch outcome {
	case slaMet:
		return done
	case slaBreached:
	default:
		return 0
	}
	end := asOf
	if done > 0 {
		end = done
	}
	if end < asOf-uint64(r.longestBurn.Milliseconds()) {
		return end // decided before every burn window: no need to be exact
	}
	limit := target.Limit.Seconds()
	cal := r.p.Calendars.For(t.branch)
	opened := msTime(t.opened)
	lo, hi := t.opened, end // elapsed(lo) ≤ limit < elapsed(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if elapsed(policy, target.Name, cal, opened, msTime(mid), pauses) > limit {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// nextResponses appends the next-response samples of a ticket to out: after the
// first response, each run of customer messages answered by an agent gives
// the business time from the run's first message to the answer. On equal
// instants the agent's message counts first.
func (r *run) nextResponses(t *ticketFact, out []float64) []float64 {
	if t.firstResponse == 0 {
		return out
	}
	var runStart uint64
	inRun := false
	a, c := 0, 0
	for a < len(t.agentMs) || c < len(t.customerMs) {
		agentNext := c >= len(t.customerMs) || (a < len(t.agentMs) && t.agentMs[a] <= t.customerMs[c])
		if agentNext {
			at := t.agentMs[a]
			a++
			if inRun {
				out = append(out, r.business(t.branch, runStart, at))
				inRun = false
			}
			continue
		}
		ct := t.customerMs[c]
		c++
		if a == 0 {
			continue // before the first response (agentMs[0] is the first response)
		}
		if !inRun {
			runStart, inRun = ct, true
		}
	}
	return out
}

// ticketCounts are the counters of one group in one window.
type ticketCounts struct {
	opened, selfService, resolved, reopened, fcr float64
}

func (c *ticketCounts) add(o ticketCounts) {
	c.opened += o.opened
	c.selfService += o.selfService
	c.resolved += o.resolved
	c.reopened += o.reopened
	c.fcr += o.fcr
}

// slaKey is a group's SLA cell: policy and target within a group.
type slaKey struct {
	group  Labels
	policy int
	target int
}

// ticketRows computes the rows of one window from the tickets in it.
func (r *run) ticketRows(w Window, fine *fineGroups, results []ticketResult, next []float64, in [][]int32) []Row {
	p, want := r.p, r.want
	// counters of the finest groups, then of every group
	counts := make([]ticketCounts, len(in))
	slaFine := map[[3]int]*[4]float64{} // fine group, policy, target → outcome counts
	for f, ids := range in {
		c := &counts[f]
		for _, i := range ids {
			t := &results[i]
			c.opened++
			if t.selfService {
				c.selfService++
			}
			if t.resolved {
				c.resolved++
				if t.reopened {
					c.reopened++
				}
				if t.fcr {
					c.fcr++
				}
			}
			if t.policy >= 0 {
				for k, o := range t.sla {
					if o == slaNone {
						continue
					}
					key := [3]int{f, t.policy, k}
					s := slaFine[key]
					if s == nil {
						s = &[4]float64{}
						slaFine[key] = s
					}
					s[o]++
				}
			}
		}
	}
	groups := fine.coarse()
	var out []Row
	row := func(kpi string, l Labels, v map[string]float64) {
		out = append(out, Row{KPI: kpi, Window: w.Label, AsOf: p.AsOf, Labels: l, Values: v})
	}
	totals := map[Labels]ticketCounts{}
	for _, g := range groups {
		var c ticketCounts
		for _, f := range g.members {
			c.add(counts[f])
		}
		totals[g.labels] = c
	}
	var buf []float64
	for _, g := range groups {
		c := totals[g.labels]
		if c.opened == 0 {
			continue
		}
		l := g.labels
		if want[Volume] {
			v := map[string]float64{"opened": c.opened}
			if l.Channel == All {
				v["self_service"] = c.selfService
				ratio(v, "self_service_share", c.selfService, c.opened)
			} else {
				all := l
				all.Channel = All
				ratio(v, "share", c.opened, totals[all].opened)
			}
			row(Volume, l, v)
		}
		if c.resolved > 0 {
			if want[Reopen] {
				v := map[string]float64{"resolved": c.resolved, "reopened": c.reopened}
				ratio(v, "ratio", c.reopened, c.resolved)
				row(Reopen, l, v)
			}
			if want[FCR] {
				v := map[string]float64{"resolved": c.resolved, "fcr": c.fcr}
				ratio(v, "ratio", c.fcr, c.resolved)
				row(FCR, l, v)
			}
		}
		gather := func(pick func(t *ticketResult, dst []float64) []float64) []float64 {
			buf = buf[:0]
			for _, f := range g.members {
				for _, i := range in[f] {
					buf = pick(&results[i], buf)
				}
			}
			return buf
		}
		durations := func(kpi string, xs []float64, qs ...string) {
			if len(xs) == 0 {
				return
			}
			v := map[string]float64{"count": float64(len(xs)), "mean_seconds": mean(xs)}
			for i, x := range quantiles(xs, qs) {
				v[qs[i]] = x
			}
			row(kpi, l, v)
		}
		scalar := func(get func(t *ticketResult) float64) func(t *ticketResult, dst []float64) []float64 {
			return func(t *ticketResult, dst []float64) []float64 {
				if x := get(t); !math.IsNaN(x) {
					dst = append(dst, x)
				}
				return dst
			}
		}
		if want[FirstResponse] {
			durations(FirstResponse, gather(scalar(func(t *ticketResult) float64 { return t.frt })), "p50_seconds", "p90_seconds", "p95_seconds")
		}
		if want[Resolution] {
			durations(Resolution, gather(scalar(func(t *ticketResult) float64 { return t.resolution })), "p50_seconds", "p90_seconds")
		}
		if want[NextResponse] {
			durations(NextResponse, gather(func(t *ticketResult, dst []float64) []float64 { return append(dst, next[t.next[0]:t.next[1]]...) }), "p90_seconds")
		}
		if want[Pending] {
			if xs := gather(scalar(func(t *ticketResult) float64 { return t.pending })); len(xs) > 0 {
				now := 0.0
				for _, f := range g.members {
					for _, i := range in[f] {
						if results[i].pendingNow {
							now++
						}
					}
				}
				v := map[string]float64{"tickets": float64(len(xs)), "pending_now": now, "mean_seconds": mean(xs)}
				v["p90_seconds"] = quantiles(xs, []string{"p90_seconds"})[0]
				row(Pending, l, v)
			}
		}
	}
	if want[SLA] {
		out = append(out, r.slaRows(SLA, w.Label, groups, slaFine, func(s *[4]float64) map[string]float64 {
			v := map[string]float64{"met": s[slaMet], "breached": s[slaBreached], "pending": s[slaPending]}
			ratio(v, "attainment_ratio", s[slaMet], s[slaMet]+s[slaBreached])
			return v
		})...)
	}
	// the complaint rate's ticket counts, grouped like complaints
	complaints := r.complaint(w.Label)
	for f, ids := range in {
		if len(ids) == 0 {
			continue
		}
		n := float64(len(ids))
		complaints.each(r.g.labels(fine.values[f], surveyDims), func(c *cell) { c.add("tickets_opened", n) })
	}
	return out
}

// slaNow computes breaching-now and at-risk counts over the tickets opened in
// the breaching lookback that still wait for a first response or resolution.
func (e *Engine) slaNow(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	t := newTable(SLANow, p.BreachingLookback.Label)
	labelsOf := map[*ticketGroup][]Labels{}
	err := e.eachOpenTicket(ctx, r, windowSpan(p, p.BreachingLookback), func(f *ticketFact) {
		policy, ok := sla.Match(p.Policies, f.channel, f.priority)
		if !ok {
			return
		}
		cal := p.Calendars.For(f.branch)
		pauses, pendingNow := f.pauses(uint64(p.AsOf.UnixMilli()))
		ls, ok := labelsOf[f.dims]
		if !ok {
			ls = r.g.labels(r.ticketValues(f), ticketDims)
			labelsOf[f.dims] = ls
		}
		for _, target := range policy.Targets() {
			if f.eventOf(target.Name) > 0 {
				continue
			}
			limit := target.Limit.Seconds()
			spent := elapsed(policy, target.Name, cal, msTime(f.opened), p.AsOf, pauses)
			// a stopped clock neither breaches nor nears its target now
			paused := pendingNow && policy.Pauses(target.Name)
			breaching := !paused && spent > limit
			atRisk := !paused && spent >= p.AtRiskFraction*limit && spent <= limit
			for _, l := range ls {
				l.Policy, l.Target = policy.Name, target.Name
				c := t.at(l)
				c.add("open", 1)
				if paused {
					c.add("paused", 1)
				}
				if breaching {
					c.add("breaching", 1)
					c.sample("breaching_elapsed", spent)
				}
				if atRisk {
					c.add("at_risk", 1)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return t.rows(p, func(_ Labels, c *cell) map[string]float64 {
		v := map[string]float64{"open": c.sum("open"), "breaching": c.sum("breaching"), "at_risk": c.sum("at_risk"), "paused": c.sum("paused")}
		if xs := c.samplesOf("breaching_elapsed"); len(xs) > 0 {
			oldest := xs[0]
			for _, x := range xs {
				oldest = max(oldest, x)
			}
			v["oldest_wait_seconds"] = oldest
		}
		return v
	}), nil
}

// Samples returns, per branch, the business-time durations behind a
// response-time KPI (FirstResponse, NextResponse or Resolution) for the
// tickets opened in window w as of p.AsOf: what rank tests and bootstraps
// compare when the question is whether one branch is really slower.
func (e *Engine) Samples(ctx context.Context, p Params, kpiName string, w Window) (map[string][]float64, error) {
	switch kpiName {
	case FirstResponse, NextResponse, Resolution:
	default:
		return nil, fmt.Errorf("samples of %q: only %s, %s and %s have samples", kpiName, FirstResponse, NextResponse, Resolution)
	}
	p = p.WithDefaults()
	p.By = []string{DimBranch}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &run{p: p, want: map[string]bool{}, g: grouping{by: p.By, regions: p.Regions}, complaints: map[string]*table{}}
	out := map[string][]float64{}
	err := e.eachTicket(ctx, r, windowSpan(p, w), ticketsAll, ticketsSince{}, func(t *ticketFact) {
		switch kpiName {
		case FirstResponse:
			if t.firstResponse > 0 {
				out[t.branch] = append(out[t.branch], r.business(t.branch, t.opened, t.firstResponse))
			}
		case Resolution:
			if t.resolved > 0 {
				out[t.branch] = append(out[t.branch], r.business(t.branch, t.opened, t.resolved))
			}
		case NextResponse:
			out[t.branch] = r.nextResponses(t, out[t.branch])
		}
	})
	if err != nil {
		return nil, err
	}
	for _, xs := range out {
		sort.Float64s(xs) // ClickHouse's row order varies; sums must not
	}
	return out, nil
}
