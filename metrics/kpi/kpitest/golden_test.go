package kpitest_test

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// TestGoldenLoads checks that the fixture loads into the parameters it was
// worked out for and that its events are what the expected rows assume.
func TestGoldenLoads(t *testing.T) {
	g := kpitest.Load(t)
	p := g.Params

	require.Equal(t, time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), p.AsOf)
	require.Equal(t, []kpi.Window{{Label: "24h", Duration: 24 * time.Hour}, {Label: "30d", Duration: 30 * 24 * time.Hour}}, p.Windows)
	require.Equal(t, kpi.Window{Label: "30d", Duration: 30 * 24 * time.Hour}, p.BreachingLookback)
	require.Equal(t, 0.8, p.AtRiskFraction)
	require.Equal(t, 300*time.Second, p.PunctualityGrace)
	require.Equal(t, map[string]string{"praha-1": "cz", "bratislava-1": "sk"}, p.Regions)
	require.Equal(t, []string{"praha-1"}, p.Calendars.Branches())
	require.Equal(t, "Europe/Prague", p.Calendars.Location("praha-1").String())
	names := make([]string, len(p.Policies))
	for i, pol := range p.Policies {
		names[i] = pol.Name
	}
	require.Equal(t, []string{"chat-high", "email", "default"}, names)

	// Every line decoded, duplicates kept; duplicates are byte-equal copies.
	require.Len(t, g.Events, len(g.Lines))
	byID := map[string][]byte{}
	var dups []string
	for i, ev := range g.Events {
		if first, ok := byID[ev.EventID]; ok {
			require.True(t, bytes.Equal(first, g.Lines[i]), "event %s: copies differ", ev.EventID)
			dups = append(dups, ev.EventID)
			continue
		}
		byID[ev.EventID] = g.Lines[i]
	}
	slices.Sort(dups)
	require.Equal(t, []string{"cmp-p-o-01", "csat-p-c-03", "nps-p-o-11", "t-p1-open", "t-p9-agent-1", "v-p-c1-4"}, dups)

	// The file is deliberately not in time order.
	sorted := slices.IsSortedFunc(g.Events, func(a, b event.Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
	require.False(t, sorted, "events.jsonl should hold events out of order")

	// Some events lie at or after as_of, so that tests see them ignored.
	var late int
	for _, ev := range g.Events {
		if !ev.OccurredAt.Before(p.AsOf) {
			late++
		}
	}
	require.Equal(t, 8, late)
}

// TestGoldenBusinessSeconds checks a few of the hand-computed business
// durations of expected.yaml's TICKET FACTS against the calendar package:
// when they disagree, either the fixture's arithmetic or the calendar is
// wrong, and this names the interval.
func TestGoldenBusinessSeconds(t *testing.T) {
	g := kpitest.Load(t)
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	for _, c := range []struct {
		name, branch, from, to string
		want                   float64
	}{
		{"P1 FRT across lunch", "praha-1", "2026-03-09T10:50:00Z", "2026-03-09T12:05:00Z", 900},
		{"P2 FRT across the DST change", "praha-1", "2026-03-27T14:00:00Z", "2026-03-30T06:30:00Z", 27000},
		{"P3 FRT across a holiday", "praha-1", "2026-03-19T15:00:00Z", "2026-03-23T07:30:00Z", 34200},
		{"P3 NRT across lunch", "praha-1", "2026-03-24T09:30:00Z", "2026-03-24T13:15:00Z", 9900},
		{"P8 elapsed at as_of", "praha-1", "2026-03-26T15:30:00Z", "2026-04-01T10:00:00Z", 135000},
		{"P9 RES across a weekend", "praha-1", "2026-03-14T10:30:00Z", "2026-03-16T07:30:00Z", 18000},
		{"B4 elapsed, no calendar", "bratislava-1", "2026-03-31T12:00:00Z", "2026-04-01T10:00:00Z", 79200},
	} {
		got := g.Params.Calendars.BusinessSeconds(c.branch, ts(c.from), ts(c.to))
		require.Equal(t, c.want, got, c.name)
	}
}

// required lists, per KPI, the count fields every row carries, and ratios
// says when each ratio or mean is present (its denominator is not 0).
var required = map[string][]string{
	kpi.NPS:           {"responses", "promoters", "passives", "detractors", "low_confidence"},
	kpi.CSAT:          {"responses", "satisfied"},
	kpi.CES:           {"responses"},
	kpi.FirstResponse: {"count"},
	kpi.NextResponse:  {"count"},
	kpi.Resolution:    {"count"},
	kpi.Reopen:        {"resolved", "reopened"},
	kpi.FCR:           {"resolved", "fcr"},
	kpi.Volume:        {"opened"},
	kpi.SLA:           {"met", "breached", "pending"},
	kpi.SLANow:        {"open", "breaching", "at_risk", "paused"},
	kpi.SLADecisions:  {"met", "breached"},
	kpi.Complaints:    {"complaints", "tickets_opened"},
	kpi.Retention:     {"previous", "current", "retained", "churned"},
	kpi.Cohort:        {"size", "active"},
	kpi.Punctuality:   {"started", "on_time", "never_started"},
	kpi.PromiseKept:   {"promised", "kept"},
	kpi.Pending:       {"tickets", "pending_now"},
	kpi.Experience: {"bad_previous", "bad_retained", "good_previous", "good_retained",
		"detractor", "sla_breached", "promise_broken", "appointment_late"},
}

// present returns the fields a row must hold beyond its counts, from its counts.
func present(r kpi.Row) []string {
	v := r.Values
	when := func(cond bool, fields ...string) []string {
		if cond {
			return fields
		}
		return nil
	}
	switch r.KPI {
	case kpi.NPS:
		return when(v["responses"] > 0, "nps", "margin_of_error")
	case kpi.CSAT:
		return when(v["responses"] > 0, "csat_percent", "mean_score")
	case kpi.CES:
		return when(v["responses"] > 0, "mean_score")
	case kpi.FirstResponse:
		return when(v["count"] > 0, "mean_seconds", "p50_seconds", "p90_seconds", "p95_seconds")
	case kpi.NextResponse:
		return when(v["count"] > 0, "mean_seconds", "p90_seconds")
	case kpi.Resolution:
		return when(v["count"] > 0, "mean_seconds", "p50_seconds", "p90_seconds")
	case kpi.Reopen, kpi.FCR:
		return when(v["resolved"] > 0, "ratio")
	case kpi.Volume:
		if r.Labels.Channel == kpi.All {
			return append([]string{"self_service"}, when(v["opened"] > 0, "self_service_share")...)
		}
		return when(v["opened"] > 0, "share")
	case kpi.SLA:
		return when(v["met"]+v["breached"] > 0, "attainment_ratio")
	case kpi.SLANow:
		return when(v["breaching"] > 0, "oldest_wait_seconds")
	case kpi.Complaints:
		return when(v["tickets_opened"] > 0, "per_100_tickets")
	case kpi.Pending:
		return when(v["tickets"] > 0, "mean_seconds", "p90_seconds")
	case kpi.Retention:
		return when(v["previous"] > 0, "retention_ratio")
	case kpi.Cohort:
		return when(v["size"] > 0, "ratio")
	case kpi.Punctuality:
		return append(when(v["started"] > 0, "on_time_ratio", "p90_delay_seconds"),
			when(v["started"] > v["on_time"], "late_mean_delay_seconds")...)
	case kpi.PromiseKept:
		return when(v["promised"] > 0, "ratio")
	case kpi.Experience:
		return append(append(when(v["bad_previous"] > 0, "bad_retention_ratio"), when(v["good_previous"] > 0, "good_retention_ratio")...),
			when(v["bad_previous"] > 0 && v["good_previous"] > 0, "gap", "gap_lower", "gap_upper", "p_value")...)
	}
	return nil
}

// TestGoldenExpectedRows checks the expected rows against the vocabulary and
// label rules of docs/KPI-ENGINE.md, that every row is complete, and that
// every ratio agrees with the counts of its own row.
func TestGoldenExpectedRows(t *testing.T) {
	seenKPI := map[string]bool{}
	for _, g := range kpitest.LoadAll(t) {
		t.Run(filepath.Base(g.Dir), func(t *testing.T) { checkExpectedRows(t, g, seenKPI) })
	}
	for _, name := range kpi.Names() {
		require.True(t, seenKPI[name], "no expected row of KPI %s in any part of the fixture", name)
	}
}

func checkExpectedRows(t *testing.T, g *kpitest.Golden, seenKPI map[string]bool) {
	require.NotEmpty(t, g.Expected)
	windows := map[string]bool{"cohort": true}
	for _, w := range g.Params.Windows {
		windows[w.Label] = true
	}
	policies := map[string]bool{}
	for _, p := range g.Params.Policies {
		policies[p.Name] = true
	}
	branches := map[string]bool{kpi.All: true}
	for _, ev := range g.Events {
		branches[ev.Branch] = true
	}
	channels := map[string]bool{kpi.All: true}
	for _, c := range event.Channels {
		channels[c] = true
	}
	month := regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
	perBranch := map[string]bool{kpi.Retention: true, kpi.Cohort: true, kpi.Punctuality: true, kpi.PromiseKept: true, kpi.Experience: true}

	for _, r := range g.Expected {
		key := r.Key()
		seenKPI[r.KPI] = true
		fields, ok := kpi.Fields[r.KPI]
		require.True(t, ok, "%s: unknown KPI", key)
		for f := range r.Values {
			require.Contains(t, fields, f, "%s: field %s is not a field of %s", key, f, r.KPI)
		}
		want := append(slices.Clone(required[r.KPI]), present(r)...)
		require.ElementsMatch(t, want, keys(r.Values), "%s: incomplete or extra fields", key)
		for f, v := range r.Values {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%s: %s = %v", key, f, v)
		}

		l := r.Labels
		require.True(t, branches[l.Branch], "%s: unknown branch", key)
		require.True(t, channels[l.Channel], "%s: unknown channel", key)
		require.Empty(t, l.Region+l.Team+l.Agent+l.Priority, "%s: the fixture groups by branch and channel only", key)
		if perBranch[r.KPI] {
			require.Equal(t, kpi.All, l.Channel, "%s: per-branch KPI on a channel", key)
		}
		switch r.KPI {
		case kpi.SLA, kpi.SLANow, kpi.SLADecisions:
			require.True(t, policies[l.Policy], "%s: unknown policy", key)
			require.Contains(t, []string{sla.TargetFirstResponse, sla.TargetResolution}, l.Target, key)
		default:
			require.Empty(t, l.Policy+l.Target, "%s: policy/target on a non-SLA row", key)
		}
		switch r.KPI {
		case kpi.Cohort:
			require.Equal(t, "cohort", r.Window, key)
			require.Regexp(t, month, l.Cohort, key)
			require.True(t, l.K >= 0 && l.K <= 12, "%s: k out of 0..12", key)
		case kpi.SLANow:
			require.Equal(t, g.Params.BreachingLookback.Label, r.Window, key)
		case kpi.SLADecisions:
			require.Contains(t, kpi.DefaultBurnWindows, r.Window, key)
		default:
			require.True(t, windows[r.Window], "%s: unknown window", key)
			require.Empty(t, l.Cohort, key)
		}
		checkArithmetic(t, r)
	}
	checkFleetSums(t, g.Expected, branches)
}

func keys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkArithmetic recomputes every ratio of a row from its counts.
func checkArithmetic(t *testing.T, r kpi.Row) {
	t.Helper()
	v := r.Values
	key := r.Key()
	ratio := func(field string, num, den float64) {
		t.Helper()
		if got, ok := v[field]; ok {
			require.True(t, kpitest.Equal(num/den, got), "%s: %s = %v, counts give %v", key, field, got, num/den)
		}
	}
	between := func(lo, x, hi float64, what string) {
		t.Helper()
		require.True(t, lo <= x && x <= hi, "%s: %s: %v not in [%v, %v]", key, what, x, lo, hi)
	}
	switch r.KPI {
	case kpi.NPS:
		n, p, d := v["responses"], v["promoters"], v["detractors"]
		require.Equal(t, n, p+v["passives"]+d, "%s: promoters+passives+detractors", key)
		ratio("nps", 100*(p-d), n)
		if n > 0 {
			pp, dd := p/n, d/n
			moe := 196 * math.Sqrt((pp+dd-(pp-dd)*(pp-dd))/n)
			require.True(t, kpitest.Equal(moe, v["margin_of_error"]), "%s: margin_of_error %v, formula %v", key, v["margin_of_error"], moe)
		}
		low := 0.0
		if n < 30 {
			low = 1
		}
		require.Equal(t, low, v["low_confidence"], key)
	case kpi.CSAT:
		ratio("csat_percent", 100*v["satisfied"], v["responses"])
		between(1, v["mean_score"], 5, "mean_score")
	case kpi.CES:
		between(1, v["mean_score"], 7, "mean_score")
	case kpi.FirstResponse, kpi.Resolution, kpi.NextResponse:
		if v["count"] > 0 {
			require.True(t, v["p50_seconds"] <= v["p90_seconds"] || r.KPI == kpi.NextResponse, key)
			if r.KPI == kpi.FirstResponse {
				require.LessOrEqual(t, v["p90_seconds"], v["p95_seconds"], key)
			}
			if v["count"] == 1 {
				require.Equal(t, v["mean_seconds"], v["p90_seconds"], "%s: one sample", key)
			}
		}
	case kpi.Reopen:
		ratio("ratio", v["reopened"], v["resolved"])
	case kpi.FCR:
		ratio("ratio", v["fcr"], v["resolved"])
	case kpi.Volume:
		ratio("self_service_share", v["self_service"], v["opened"])
	case kpi.SLA:
		ratio("attainment_ratio", v["met"], v["met"]+v["breached"])
	case kpi.SLANow:
		require.LessOrEqual(t, v["breaching"]+v["at_risk"], v["open"], key)
	case kpi.Complaints:
		ratio("per_100_tickets", 100*v["complaints"], v["tickets_opened"])
	case kpi.Retention:
		require.Equal(t, v["previous"], v["retained"]+v["churned"], "%s: previous = retained + churned", key)
		require.LessOrEqual(t, v["retained"], v["current"], key)
		ratio("retention_ratio", v["retained"], v["previous"])
	case kpi.Cohort:
		require.LessOrEqual(t, v["active"], v["size"], key)
		if r.Labels.K == 0 {
			require.Equal(t, v["size"], v["active"], "%s: the whole cohort is active in its month", key)
		}
		ratio("ratio", v["active"], v["size"])
	case kpi.Punctuality:
		ratio("on_time_ratio", v["on_time"], v["started"])
	case kpi.PromiseKept:
		ratio("ratio", v["kept"], v["promised"])
	case kpi.Experience:
		require.LessOrEqual(t, v["bad_retained"], v["bad_previous"], key)
		require.LessOrEqual(t, v["good_retained"], v["good_previous"], key)
		for _, f := range []string{"detractor", "sla_breached", "promise_broken", "appointment_late"} {
			require.LessOrEqual(t, v[f], v["bad_previous"], "%s: %s", key, f)
		}
		ratio("bad_retention_ratio", v["bad_retained"], v["bad_previous"])
		ratio("good_retention_ratio", v["good_retained"], v["good_previous"])
		ratio("gap", v["good_retained"]*v["bad_previous"]-v["bad_retained"]*v["good_previous"], v["good_previous"]*v["bad_previous"])
		if _, ok := v["gap"]; ok {
			between(v["gap_lower"], v["gap"], v["gap_upper"], "gap within its interval")
			between(-1, v["gap_lower"], 1, "gap_lower")
			between(-1, v["gap_upper"], 1, "gap_upper")
			between(0, v["p_value"], 1, "p_value")
		}
	}
}

// additive are the fields that add up from branches to the fleet: the
// counts (Unit Count) of each KPI's descriptor, so that a new count field
// is checked without a second list here.
var additive = func() map[string][]string {
	out := map[string][]string{}
	for _, d := range kpi.Descriptors() {
		for _, f := range d.Fields {
			if f.Unit == kpi.Count {
				out[d.Name] = append(out[d.Name], f.Name)
			}
		}
	}
	return out
}()

// checkFleetSums checks, wherever the fleet row and the rows of every branch
// of the same group are all listed, that the fleet's counts are the sums.
func checkFleetSums(t *testing.T, rows []kpi.Row, branches map[string]bool) {
	t.Helper()
	byKey := map[string]kpi.Row{}
	for _, r := range rows {
		byKey[r.Key()] = r
	}
	var checked int
	for _, fleet := range rows {
		if fleet.Labels.Branch != kpi.All {
			continue
		}
		var parts []kpi.Row
		for b := range branches {
			if b == kpi.All {
				continue
			}
			r := fleet
			r.Labels.Branch = b
			part, ok := byKey[r.Key()]
			if !ok {
				parts = nil
				break
			}
			parts = append(parts, part)
		}
		if parts == nil {
			continue
		}
		checked++
		for _, f := range additive[fleet.KPI] {
			var sum float64
			for _, p := range parts {
				sum += p.Values[f]
			}
			require.Equal(t, sum, fleet.Values[f], "%s: %s is not the sum over branches", fleet.Key(), f)
		}
		if fleet.KPI == kpi.SLANow && fleet.Values["breaching"] > 0 {
			var oldest float64
			for _, p := range parts {
				oldest = math.Max(oldest, p.Values["oldest_wait_seconds"])
			}
			require.Equal(t, oldest, fleet.Values["oldest_wait_seconds"], "%s: oldest wait", fleet.Key())
		}
	}
	require.Positive(t, checked, fmt.Sprintf("no fleet row has all its branch rows listed"))
}
