package kpi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	cxsql "github.com/cxpulse/cxpulse/sql"
)

// sampleBinders is one binder of every form the engine runs, by label,
// built the way the engine builds them.
func sampleBinders() map[string]binder {
	asOf := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := span{from: asOf.Add(-24 * time.Hour), to: asOf}
	look := span{from: s.from.Add(-30 * 24 * time.Hour), to: asOf}
	out := map[string]binder{}
	for _, kept := range []bool{false, true} {
		for _, which := range []int{ticketsAll, ticketsOpen, ticketsVersions} {
			name, q := ticketsQuery(kept, which, s, look, ticketsSince{keys: []ticketKey{{1, 2}}})
			out[name] = q
		}
	}
	out["ticket_fold_full"] = fullFold(7, s.from)
	out["ticket_fold_touched"] = touchedFold(7, s.from, s.to)
	out["ticket_touched"] = ticketTouchedArgs{ticketTouchedIDsArgs{s.from, s.to}}
	out["ticket_fold_tombstones"] = ticketFoldTombstonesArgs{7}
	out["ticket_fold_state"] = ticketFoldStateArgs{}
	out["ticket_fold_done"] = ticketFoldDoneArgs{written: 3, folded: 2, from: 1, full: true}
	out["surveys"] = surveysArgs{starts: []uint64{1, 2}, types: []string{"survey.nps"}, s: s}
	out["retention"] = retentionArgs{starts1: []uint64{1}, masks: customerMasksArgs{starts1: []uint64{1}, starts2: []uint64{0}, s: s}}
	out["experience_activity"] = experienceActivityArgs{customerMasksArgs{starts1: []uint64{1}, starts2: []uint64{0}, s: s,
		filter: experienceCandidatesArgs{look}}}
	out["experience_detractors"] = experienceDetractorsArgs{s}
	out["experience_tickets"] = experienceTicketsArgs{s}
	out["cohorts"] = cohortsArgs{zone: "UTC", branches: []string{"b1"}, firstStart: s.from, endMonth: utcMonth(asOf), asOf: asOf}
	out["branches"] = branchesArgs{asOf}
	out["refs"] = refsArgs{look: look, s: s}
	return out
}

// TestEveryFormBindsEveryParameter renders every form of every KPI query
// and requires the binder the engine uses for it to be of its file and to
// bind exactly its `?` placeholders.
func TestEveryFormBindsEveryParameter(t *testing.T) {
	statements, err := cxsql.KPIStatements("cxpulse")
	require.NoError(t, err)
	binders := sampleBinders()
	for label, st := range statements {
		b, ok := binders[label]
		require.True(t, ok, "form %s has no binder", label)
		require.Equal(t, st.File, b.file(), "form %s", label)
		require.Len(t, b.args(), st.Params, "form %s: arguments for its `?`", label)
	}
	for label := range binders {
		_, ok := statements[label]
		require.True(t, ok, "binder for %s, which is no form", label)
	}
}

// TestEachFileCountsItsOwnParameters holds each file's own `?` count (the
// fragments' left out) to its struct's arguments less its parts', so that
// a `?` added to a fragment fails here, by the fragment's name.
func TestEachFileCountsItsOwnParameters(t *testing.T) {
	own := map[string]int{}
	var walk func(b binder)
	walk = func(b binder) {
		n := len(b.args())
		for _, p := range b.parts() {
			n -= len(p.args())
			walk(p)
		}
		if prev, seen := own[b.file()]; seen {
			require.Equal(t, prev, n, "%s.sql: binders disagree on its own count", b.file())
		}
		own[b.file()] = n
	}
	for _, b := range sampleBinders() {
		walk(b)
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "sql", "kpi", "*.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		marks := 0
		for _, line := range strings.Split(string(body), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				marks += strings.Count(line, "?")
			}
		}
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		n, ok := own[name]
		if !ok {
			require.Zero(t, marks, "%s.sql binds %d parameters and has no binder", name, marks)
			continue
		}
		require.Equal(t, marks, n, "%s.sql: `?` in the file against its binder's own arguments", name)
	}
}

// The cost of a query's text and arguments per call: rendered on every call
// (before the engine kept its statements) against looked up. Run with
// go test -run '^$' -bench Statement ./metrics/kpi/
func BenchmarkStatementRenderedPerCall(b *testing.B) {
	q := sampleBinders()["tickets_facts_open"]
	for b.Loop() {
		if _, err := cxsql.KPIVariantQuery("tickets_facts_open", "cxpulse"); err != nil {
			b.Fatal(err)
		}
		_ = q.args()
	}
}

func BenchmarkStatementRenderedOnce(b *testing.B) {
	e := NewEngine(nil, "cxpulse")
	q := sampleBinders()["tickets_facts_open"]
	for b.Loop() {
		if _, _, err := e.statement("tickets_facts_open", q); err != nil {
			b.Fatal(err)
		}
	}
}
