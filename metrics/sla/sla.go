// Package sla owns SLA policies (the sla_policies section of docs/KPIS.md):
// their configuration shape and validation, which policy covers a ticket, and
// how the time a ticket has taken is measured against a target.
package sla

import (
	"time"

	"github.com/cxpulse/cxpulse/metrics/calendar"
)

// The target names, as the KPI rows label them.
const (
	TargetFirstResponse = "first_response"
	TargetResolution    = "resolution"
)

// Any matches every channel or priority.
const Any = "*"

// DefaultObjective is the Objective of a policy that sets none.
const DefaultObjective = 0.95

// Policy is one SLA policy. A ticket's policy is the first in configured
// order that matches its channel and priority (Match).
//
//   - Name labels the policy's KPI rows; required, unique, matching
//     ^[a-z0-9][a-z0-9_-]{0,63}$ so that it is a safe label value.
//   - Channel is "*" or a contract channel (phone email chat social web
//     in_person self_service other); Priority is "*" or low normal high urgent.
//   - FirstResponse and Resolution are the targets; 0 sets none, and at least
//     one must be set.
//   - BusinessHours measures elapsed time in the branch's business hours
//     instead of calendar time (default false).
//   - Objective is the share of tickets that must meet a target, for
//     alerts; in (0, 1), default 0.95 (DefaultObjective) when 0.
//   - PauseWhenPending stops the resolution clock while the ticket is
//     pending (waiting on the customer: from a ticket.pending to the next
//     ticket.resumed or customer message); default true when absent.
//   - PauseFirstResponse stops the first-response clock too while pending
//     (default false); it needs PauseWhenPending.
type Policy struct {
	Name          string        `yaml:"name"`
	Channel       string        `yaml:"channel"`
	Priority      string        `yaml:"priority"`
	FirstResponse time.Duration `yaml:"first_response"`
	Resolution    time.Duration `yaml:"resolution"`
	BusinessHours bool          `yaml:"business_hours"`
	Objective     float64       `yaml:"objective"`
	// nil: true (see Pauses)
	PauseWhenPending   *bool `yaml:"pause_when_pending"`
	PauseFirstResponse bool  `yaml:"pause_first_response"`
}

// Pauses reports whether the clock of the target (TargetFirstResponse or
// TargetResolution) stops while the ticket is pending.
func (p Policy) Pauses(target string) bool {
	if p.PauseWhenPending != nil && !*p.PauseWhenPending {
		return false
	}
	return target == TargetResolution || p.PauseFirstResponse
}

// Span is a stretch of time in Unix milliseconds, [From, To); the pauses of
// a ticket are disjoint spans in order.
type Span struct{ From, To int64 }

// Target is one time limit of a policy.
type Target struct {
	// Name is TargetFirstResponse or TargetResolution.
	Name string
	// Limit is the time the event may take, measured by Policy.Elapsed.
	Limit time.Duration
}

// Targets returns the targets p sets, first response before resolution.
func (p Policy) Targets() []Target {
	var ts []Target
	if p.FirstResponse > 0 {
		ts = append(ts, Target{TargetFirstResponse, p.FirstResponse})
	}
	if p.Resolution > 0 {
		ts = append(ts, Target{TargetResolution, p.Resolution})
	}
	return ts
}

// WithDefaults returns a copy of policies with Objective set to
// DefaultObjective where it is 0.
func WithDefaults(policies []Policy) []Policy {
	out := make([]Policy, len(policies))
	for i, p := range policies {
		if p.Objective == 0 {
			p.Objective = DefaultObjective
		}
		out[i] = p
	}
	return out
}

// Match returns the first policy in order whose channel and priority match;
// false when none does, and the ticket then has no SLA.
func Match(policies []Policy, channel, priority string) (Policy, bool) {
	for _, p := range policies {
		if p.Matches(channel, priority) {
			return p, true
		}
	}
	return Policy{}, false
}

// Matches reports whether p covers a ticket of this channel and priority.
func (p Policy) Matches(channel, priority string) bool {
	return (p.Channel == Any || p.Channel == channel) && (p.Priority == Any || p.Priority == priority)
}

// Elapsed returns the seconds from start to end that count against p's
// targets: business seconds in cal when p.BusinessHours (a nil cal is open
// 24/7), else calendar seconds; 0 when end ≤ start. Both are truncated to
// milliseconds, like the data.
func (p Policy) Elapsed(cal *calendar.Calendar, start, end time.Time) float64 {
	if !p.BusinessHours {
		// A nil calendar measures calendar time, with the same rounding.
		cal = nil
	}
	return cal.BusinessSeconds(start, end)
}

// ElapsedPaused is Elapsed less the part of [start, end) inside pauses
// (disjoint, in order), measured the same way: what counts against a target
// whose clock stops while the ticket is pending (see Pauses).
func (p Policy) ElapsedPaused(cal *calendar.Calendar, start, end time.Time, pauses []Span) float64 {
	if !p.BusinessHours {
		cal = nil
	}
	return ExcludePauses(cal, start, end, pauses)
}

// ExcludePauses is the business time of [start, end) in cal (nil: calendar
// time) less its part inside pauses (disjoint, in order); 0 when end ≤ start.
func ExcludePauses(cal *calendar.Calendar, start, end time.Time, pauses []Span) float64 {
	total := cal.BusinessSeconds(start, end)
	if len(pauses) == 0 || total == 0 {
		return total
	}
	return max(0, total-Overlap(cal, start, end, pauses))
}

// Overlap is the business time in cal (nil: calendar time) of the part of
// [start, end) inside pauses (disjoint, in order).
func Overlap(cal *calendar.Calendar, start, end time.Time, pauses []Span) float64 {
	a, b := start.UnixMilli(), end.UnixMilli()
	var n float64
	for _, s := range pauses {
		if s.From >= b {
			break
		}
		from, to := max(s.From, a), min(s.To, b)
		if to > from {
			n += cal.BusinessSeconds(time.UnixMilli(from), time.UnixMilli(to))
		}
	}
	return n
}
