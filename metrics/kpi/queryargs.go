package kpi

import "time"

// binder is the typed argument list of one file of sql/kpi: args are its
// `?` values in the order they stand in the text, the values of the
// fragments it includes (parts) where the fragment's placeholder stands.
// Each struct below owns one file; queryargs_test.go holds every file's
// own `?` count to its struct.
type binder interface {
	file() string // the file under sql/kpi, without .sql
	args() []any
	parts() []binder // the fragments with parameters it includes, in order
}

// with appends the arguments of every non-nil binder to dst.
func with(dst []any, bs ...binder) []any {
	for _, b := range bs {
		if b != nil {
			dst = append(dst, b.args()...)
		}
	}
	return dst
}

// nonNil is bs without the nil ones.
func nonNil(bs ...binder) []binder {
	out := bs[:0:0]
	for _, b := range bs {
		if b != nil {
			out = append(out, b)
		}
	}
	return out
}

// ticketsArgs binds tickets.sql: the facts of the tickets opened in
// [from, to) as of end.
type ticketsArgs struct {
	end      int64  // ms: only instants before it count (bound into each of twelve lambdas)
	source   binder // {{ticket_source}}: ticketFactsWindowArgs or ticketGroupsArgs
	openOnly bool   // only tickets still waiting for a first response or a resolution
	from, to int64  // ms, the opening instants
}

func (q ticketsArgs) file() string    { return "tickets" }
func (q ticketsArgs) parts() []binder { return nonNil(q.source) }
func (q ticketsArgs) args() []any {
	out := make([]any, 0, 20)
	for range 12 {
		out = append(out, q.end)
	}
	only := 0
	if q.openOnly {
		only = 1
	}
	return append(with(out, q.source), only, q.from, q.to)
}

// ticketFactsWindowArgs binds ticket_facts_window.sql: the kept facts of the
// tickets opened in [from, to).
type ticketFactsWindowArgs struct {
	prewhere binder // {{ticket_facts_prewhere}}: nil or ticketOpenIDsArgs
	from, to int64  // ms
	filter   binder // {{ticket_facts_filter}}: nil or ticketSinceArgs
}

func (q ticketFactsWindowArgs) file() string    { return "ticket_facts_window" }
func (q ticketFactsWindowArgs) parts() []binder { return nonNil(q.prewhere, q.filter) }
func (q ticketFactsWindowArgs) args() []any {
	return with(append(with(nil, q.prewhere), q.from, q.to), q.filter)
}

// ticketOpenIDsArgs binds ticket_open_ids.sql: the kept tickets opened in
// [from, to) that still wait, as of end, for a first response or a resolution.
type ticketOpenIDsArgs struct{ from, to, end int64 } // ms

func (q ticketOpenIDsArgs) file() string    { return "ticket_open_ids" }
func (q ticketOpenIDsArgs) parts() []binder { return nil }
func (q ticketOpenIDsArgs) args() []any     { return []any{q.from, q.to, q.end, q.end} }

// ticketSinceArgs binds ticket_since.sql (see ticketsSince).
type ticketSinceArgs struct{ since ticketsSince }

func (q ticketSinceArgs) file() string    { return "ticket_since" }
func (q ticketSinceArgs) parts() []binder { return nil }
func (q ticketSinceArgs) args() []any {
	return []any{q.since.version, q.since.asOf, q.since.keySet()}
}

// ticketGroupsArgs binds ticket_groups.sql, which has no parameters of its own.
type ticketGroupsArgs struct {
	prewhere binder // {{ticket_prewhere}}: nil or ticketPrewhereTouchedArgs
	events   binder // {{ticket_events}}: ticketEventsWindowArgs or ticketEventsSinceArgs
}

func (q ticketGroupsArgs) file() string    { return "ticket_groups" }
func (q ticketGroupsArgs) parts() []binder { return nonNil(q.prewhere, q.events) }
func (q ticketGroupsArgs) args() []any     { return with(nil, q.prewhere, q.events) }

// ticketEventsWindowArgs binds ticket_events_window.sql: the events of the
// tickets opened in s, read from look.from on for their openings.
type ticketEventsWindowArgs struct {
	look, s span
	filter  binder // {{ticket_filter}}: nil or ticketsOpenArgs
}

func (q ticketEventsWindowArgs) file() string    { return "ticket_events_window" }
func (q ticketEventsWindowArgs) parts() []binder { return nonNil(q.filter) }
func (q ticketEventsWindowArgs) args() []any {
	return with([]any{q.look.fromS(), q.s.fromS(), q.s.toS(), q.look.fromMs(), q.s.fromMs(), q.s.toMs()}, q.filter)
}

// ticketsOpenArgs binds tickets_open.sql: the tickets opened in s still waiting
// at its end.
type ticketsOpenArgs struct{ look, s span }

func (q ticketsOpenArgs) file() string    { return "tickets_open" }
func (q ticketsOpenArgs) parts() []binder { return nil }
func (q ticketsOpenArgs) args() []any {
	return []any{q.look.fromS(), q.s.toS(), q.s.toMs(), q.s.fromMs(), q.s.toMs()}
}

// ticketFoldArgs binds ticket_fold.sql: fold the tickets of groups as version.
type ticketFoldArgs struct {
	version uint64
	groups  ticketGroupsArgs
}

func (q ticketFoldArgs) file() string    { return "ticket_fold" }
func (q ticketFoldArgs) parts() []binder { return []binder{q.groups} }
func (q ticketFoldArgs) args() []any     { return with([]any{q.version}, q.groups) }

// fullFold is the fold of every ticket with events from `from` on.
func fullFold(version uint64, from time.Time) ticketFoldArgs {
	return ticketFoldArgs{version: version, groups: ticketGroupsArgs{events: ticketEventsSinceArgs{from}}}
}

// touchedFold is the fold of the tickets with events from `from` on that
// received events ingested since `since`.
func touchedFold(version uint64, from, since time.Time) ticketFoldArgs {
	return ticketFoldArgs{version: version, groups: ticketGroupsArgs{
		prewhere: ticketPrewhereTouchedArgs{ticketTouchedIDsArgs{from, since}}, events: ticketEventsSinceArgs{from}}}
}

// ticketEventsSinceArgs binds ticket_events_since.sql.
type ticketEventsSinceArgs struct{ from time.Time }

func (q ticketEventsSinceArgs) file() string    { return "ticket_events_since" }
func (q ticketEventsSinceArgs) parts() []binder { return nil }
func (q ticketEventsSinceArgs) args() []any     { return []any{q.from.Unix()} }

// ticketTouchedIDsArgs binds ticket_touched_ids.sql: the tickets with events
// from `from` on that were ingested since `since`.
type ticketTouchedIDsArgs struct{ from, since time.Time }

func (q ticketTouchedIDsArgs) file() string    { return "ticket_touched_ids" }
func (q ticketTouchedIDsArgs) parts() []binder { return nil }
func (q ticketTouchedIDsArgs) args() []any     { return []any{q.from.Unix(), q.since.Unix()} }

// ticketPrewhereTouchedArgs binds ticket_prewhere_touched.sql, which has no
// parameters of its own.
type ticketPrewhereTouchedArgs struct{ ids ticketTouchedIDsArgs }

func (q ticketPrewhereTouchedArgs) file() string    { return "ticket_prewhere_touched" }
func (q ticketPrewhereTouchedArgs) parts() []binder { return []binder{q.ids} }
func (q ticketPrewhereTouchedArgs) args() []any     { return q.ids.args() }

// ticketTouchedArgs binds ticket_touched.sql: how many tickets ticketTouchedIDsArgs finds.
type ticketTouchedArgs struct{ ids ticketTouchedIDsArgs }

func (q ticketTouchedArgs) file() string    { return "ticket_touched" }
func (q ticketTouchedArgs) parts() []binder { return []binder{q.ids} }
func (q ticketTouchedArgs) args() []any     { return q.ids.args() }

// ticketFoldTombstonesArgs binds ticket_fold_tombstones.sql: bury the older
// folds of the tickets fold version moved to another month.
type ticketFoldTombstonesArgs struct{ version uint64 }

func (q ticketFoldTombstonesArgs) file() string    { return "ticket_fold_tombstones" }
func (q ticketFoldTombstonesArgs) parts() []binder { return nil }
func (q ticketFoldTombstonesArgs) args() []any {
	return []any{q.version - 1, q.version, q.version, q.version}
}

// ticketFoldStateArgs binds ticket_fold_state.sql, which takes no parameters.
type ticketFoldStateArgs struct{}

func (ticketFoldStateArgs) file() string    { return "ticket_fold_state" }
func (ticketFoldStateArgs) parts() []binder { return nil }
func (ticketFoldStateArgs) args() []any     { return nil }

// ticketFoldDoneArgs binds ticket_fold_done.sql: one row of ticket_fact_folds.
type ticketFoldDoneArgs struct {
	written, folded, from uint64 // ms; written is a version (fence.go)
	full                  bool
}

func (q ticketFoldDoneArgs) file() string    { return "ticket_fold_done" }
func (q ticketFoldDoneArgs) parts() []binder { return nil }
func (q ticketFoldDoneArgs) args() []any {
	f := uint8(0)
	if q.full {
		f = 1
	}
	return []any{q.written, q.folded, q.from, f}
}

// surveysArgs binds surveys.sql: the survey-like events of types in s,
// counted per window starting at starts (ms).
type surveysArgs struct {
	starts []uint64
	types  []string
	s      span
}

func (q surveysArgs) file() string    { return "surveys" }
func (q surveysArgs) parts() []binder { return nil }
func (q surveysArgs) args() []any {
	return []any{q.starts, tuple(q.types), q.s.fromS(), q.s.toS(), q.s.fromMs(), q.s.toMs(), q.starts}
}

// retentionArgs binds retention.sql: per window, the customers active in
// the previous window and in this one (masks, with no filter).
type retentionArgs struct {
	starts1 []uint64 // ms, per window
	masks   customerMasksArgs
}

func (q retentionArgs) file() string    { return "retention" }
func (q retentionArgs) parts() []binder { return []binder{q.masks} }
func (q retentionArgs) args() []any     { return with([]any{q.starts1}, q.masks) }

// customerMasksArgs binds customer_masks.sql: per (branch, customer) the
// bits of activity in [starts2, starts1) and [starts1, end) of each window,
// read over s.
type customerMasksArgs struct {
	starts1, starts2 []uint64 // ms, per window
	s                span
	filter           binder // {{customer_filter}}: nil or experienceCandidatesArgs
}

func (q customerMasksArgs) file() string    { return "customer_masks" }
func (q customerMasksArgs) parts() []binder { return nonNil(q.filter) }
func (q customerMasksArgs) args() []any {
	return with([]any{q.starts2, q.starts1, q.starts1, q.s.fromS(), q.s.toS(), q.s.fromMs(), q.s.toMs()}, q.filter)
}

// experienceActivityArgs binds experience_activity.sql, which has no
// parameters of its own: the masks of the candidates.
type experienceActivityArgs struct{ masks customerMasksArgs }

func (q experienceActivityArgs) file() string    { return "experience_activity" }
func (q experienceActivityArgs) parts() []binder { return []binder{q.masks} }
func (q experienceActivityArgs) args() []any     { return q.masks.args() }

// experienceCandidatesArgs binds experience_candidates.sql: the customers
// with an event that can make an experience bad in [s.from, s.to] (seconds).
type experienceCandidatesArgs struct{ s span }

func (q experienceCandidatesArgs) file() string    { return "experience_candidates" }
func (q experienceCandidatesArgs) parts() []binder { return nil }
func (q experienceCandidatesArgs) args() []any     { return []any{q.s.fromS(), q.s.toS()} }

// experienceDetractorsArgs binds experience_detractors.sql: the detractor
// answers naming a customer in s.
type experienceDetractorsArgs struct{ s span }

func (q experienceDetractorsArgs) file() string    { return "experience_detractors" }
func (q experienceDetractorsArgs) parts() []binder { return nil }
func (q experienceDetractorsArgs) args() []any {
	return []any{q.s.fromS(), q.s.toS(), q.s.fromMs(), q.s.toMs()}
}

// experienceTicketsArgs binds experience_tickets.sql: the customers of the
// tickets opened in s.
type experienceTicketsArgs struct{ s span }

func (q experienceTicketsArgs) file() string    { return "experience_tickets" }
func (q experienceTicketsArgs) parts() []binder { return nil }
func (q experienceTicketsArgs) args() []any {
	return []any{q.s.fromS(), q.s.toS(), q.s.fromMs(), q.s.toMs()}
}

// cohortsArgs binds cohorts.sql: the cohort triangle of branches, whose
// months are those of zone, from the cohort month starting at firstStart
// to that of asOf.
type cohortsArgs struct {
	zone       string
	branches   []string
	firstStart time.Time // the first cohort month's start, in zone
	endMonth   time.Time // the start of asOf's UTC month
	asOf       time.Time
}

func (q cohortsArgs) file() string    { return "cohorts" }
func (q cohortsArgs) parts() []binder { return nil }
func (q cohortsArgs) args() []any {
	b := tuple(q.branches)
	return []any{q.zone, q.zone, b, utcMonth(q.firstStart).Format(time.DateOnly), q.endMonth.Format(time.DateOnly),
		q.zone, q.zone, b, q.endMonth.Unix(), q.asOf.UnixMilli() / 1000, q.asOf.UnixMilli(),
		q.zone, q.zone, b, q.firstStart.Unix()}
}

// branchesArgs binds branches.sql: the branches with customers seen by asOf.
type branchesArgs struct{ asOf time.Time }

func (q branchesArgs) file() string    { return "branches" }
func (q branchesArgs) parts() []binder { return nil }
func (q branchesArgs) args() []any     { return []any{q.asOf.UnixMilli() / 1000} }

// refsArgs binds refs.sql: appointments and callbacks due in [dueFrom,
// end), read over look.
type refsArgs struct {
	look span
	s    span // its from is the due-from
}

func (q refsArgs) file() string    { return "refs" }
func (q refsArgs) parts() []binder { return nil }
func (q refsArgs) args() []any {
	return []any{q.look.fromS(), q.look.toS(), q.look.fromMs(), q.look.toMs(), q.s.fromMs(), q.s.toMs()}
}
