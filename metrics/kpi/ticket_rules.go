package kpi

import (
	"math"
	"sort"
	"time"

	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

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
