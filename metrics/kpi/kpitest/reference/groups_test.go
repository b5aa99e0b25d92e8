package reference

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func TestRollupsAddUp(t *testing.T) {
	evs := []event.Event{
		ev(event.SurveyCSAT, "-1h", "branch=b1", "channel=chat", "score=5"),
		ev(event.SurveyCSAT, "-1h", "branch=b1", "channel=chat", "score=1"),
		ev(event.SurveyCSAT, "-1h", "branch=b1", "channel=email", "score=4"),
		ev(event.SurveyCSAT, "-1h", "branch=b2", "channel=chat", "score=2"),
	}
	r := compute(t, evs, kpi.Params{})
	resp := func(labels string) float64 { return r.get(t, kpi.CSAT, "24h", labels)["responses"] }
	sat := func(labels string) float64 { return r.get(t, kpi.CSAT, "24h", labels)["satisfied"] }

	require.Equal(t, resp(b1chat)+resp("branch=b1,channel=email"), resp(b1all))
	require.Equal(t, resp(b1chat)+resp("branch=b2,channel=chat"), resp("branch=all,channel=chat"))
	require.Equal(t, resp(b1all)+resp("branch=b2,channel=all"), resp(allAll))
	require.Equal(t, 4.0, resp(allAll))
	require.Equal(t, sat(b1all)+sat("branch=b2,channel=all"), sat(allAll))
	require.Equal(t, 50.0, r.get(t, kpi.CSAT, "24h", allAll)["csat_percent"])
	// 3 + 1 + 2 + 1 groups: b1×{chat,email,all}, b2×{chat,all}, all×{chat,email,all}.
	require.Equal(t, 8, r.count(kpi.CSAT))
}

func TestGroupWithNoDataHasNoRow(t *testing.T) {
	evs := []event.Event{
		ev(event.SurveyNPS, "-1h", "branch=b2", "channel=chat", "score=9"),
		ev(event.TicketOpened, "-1h", "branch=b1", "channel=chat", "ticket=T1"), // no response yet
	}
	r := compute(t, evs, kpi.Params{})
	require.False(t, r.has(kpi.NPS, "24h", b1all))
	require.False(t, r.has(kpi.Volume, "24h", "branch=b2,channel=all"))
	require.Zero(t, r.count(kpi.FirstResponse), "no first response anywhere")
	require.Zero(t, r.count(kpi.Reopen))
	require.Zero(t, r.count(kpi.Retention), "no customer_id anywhere")
	require.Zero(t, r.count(kpi.Cohort))
	require.Zero(t, r.count(kpi.Punctuality))
	require.Zero(t, r.count(kpi.PromiseKept))
	require.Equal(t, 4, r.count(kpi.Volume))

	// The 24h KPIs of an empty event list: no rows at all.
	rows, err := Compute(nil, kpi.Params{AsOf: asOf})
	require.NoError(t, err)
	require.Empty(t, rows)
}

func TestOtherDimensions(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketOpened, "-3h", "ticket=T1", "branch=b1", "channel=chat", "team=front", "agent=a0", "priority=high"),
		ev(event.TicketMessage, "-2h", "ticket=T1", "author=agent", "agent=a1"), // no team: "-"
		ev(event.TicketOpened, "-3h", "ticket=T2", "branch=b2", "channel=chat", "team=front"),
		ev(event.SurveyNPS, "-1h", "branch=b3", "channel=web", "team=back", "score=10"),
	}
	p := kpi.Params{By: []string{kpi.DimRegion, kpi.DimTeam, kpi.DimPriority}, Regions: map[string]string{"b1": "west", "b2": "west"}}
	r := compute(t, evs, p)

	// Tickets take the team of their first agent response, else of their opening.
	require.Equal(t, 1.0, r.get(t, kpi.Volume, "24h", "branch=all,channel=all,region=west,team=-,priority=high")["opened"])
	require.Equal(t, 1.0, r.get(t, kpi.Volume, "24h", "branch=all,channel=all,region=west,team=front,priority=normal")["opened"])
	require.Equal(t, 2.0, r.get(t, kpi.Volume, "24h", "branch=all,channel=all,region=west,team=all,priority=all")["opened"])
	require.Equal(t, 2.0, r.get(t, kpi.Volume, "24h", "branch=all,channel=all,region=all,team=all,priority=all")["opened"])
	// Surveys: no priority; a branch without region is "-".
	require.Equal(t, []string{
		"nps|24h|branch=all,channel=all,region=-,team=all,priority=all",
		"nps|24h|branch=all,channel=all,region=-,team=back,priority=all",
		"nps|24h|branch=all,channel=all,region=all,team=all,priority=all",
		"nps|24h|branch=all,channel=all,region=all,team=back,priority=all",
	}, sorted(r.keys(kpi.NPS)))
}

func TestGroupByAgentWithoutAgent(t *testing.T) {
	evs := []event.Event{ev(event.ComplaintFiled, "-1h", "channel=phone")}
	r := compute(t, evs, kpi.Params{By: []string{kpi.DimAgent}})
	require.Equal(t, map[string]float64{"complaints": 1, "tickets_opened": 0},
		r.get(t, kpi.Complaints, "24h", "branch=all,channel=all,agent=-"))
}

func TestLabelsOf(t *testing.T) {
	g := grouper{by: []string{kpi.DimBranch, kpi.DimChannel}}
	ls := g.labels(member{branch: "b1", channel: "chat"}, scopeBranch)
	require.Equal(t, []kpi.Labels{
		{Branch: kpi.All, Channel: kpi.All},
		{Branch: "b1", Channel: kpi.All},
	}, ls, "channel does not apply: two groups, each once")
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
