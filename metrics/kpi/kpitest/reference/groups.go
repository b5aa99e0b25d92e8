package reference

import "github.com/cxpulse/cxpulse/metrics/kpi"

// member is what one counted item (a survey, a ticket, a complaint, a
// customer at a branch, an appointment) carries for grouping: its value of
// each dimension. Region is not here: it follows from the branch.
type member struct {
	branch, channel, team, agent, priority string
}

// scope says which dimensions besides branch and region split a KPI family;
// a dimension outside the scope is "all" on its rows.
type scope struct {
	channel, team, agent, priority bool
}

var (
	// scopeEvent: surveys and complaints, by their own channel, team and agent.
	scopeEvent = scope{channel: true, team: true, agent: true}
	// scopeTicket: everything about tickets, SLA included.
	scopeTicket = scope{channel: true, team: true, agent: true, priority: true}
	// scopeBranch: retention, cohorts, punctuality and promise kept.
	scopeBranch = scope{}
)

// grouper applies the grouping rules of docs/KPI-ENGINE.md for p.By.
type grouper struct {
	by      []string
	regions map[string]string
}

func newGrouper(p kpi.Params) grouper {
	return grouper{by: p.By, regions: p.Regions}
}

// labels returns the distinct groups an item with member m counts in: every
// one of the 2^len(by) ways of keeping a dimension of by or replacing it
// with kpi.All. A dimension outside s is always kpi.All, so several ways may
// give the same group; it is listed once, so that the item counts once in it.
// Branch and Channel are always set; the other labels only when grouped by.
func (g grouper) labels(m member, s scope) []kpi.Labels {
	var out []kpi.Labels
	for mask := 0; mask < 1<<len(g.by); mask++ {
		l := kpi.Labels{Branch: kpi.All, Channel: kpi.All}
		for i, d := range g.by {
			keep := mask&(1<<i) != 0
			switch d {
			case kpi.DimBranch:
				l.Branch = pick(keep, m.branch)
			case kpi.DimChannel:
				l.Channel = pick(keep && s.channel, m.channel)
			case kpi.DimRegion:
				l.Region = pick(keep, orMissing(g.regions[m.branch]))
			case kpi.DimTeam:
				l.Team = pick(keep && s.team, orMissing(m.team))
			case kpi.DimAgent:
				l.Agent = pick(keep && s.agent, orMissing(m.agent))
			case kpi.DimPriority:
				l.Priority = pick(keep && s.priority, m.priority)
			}
		}
		if !contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// pick returns v when the dimension is kept, else kpi.All.
func pick(keep bool, v string) string {
	if keep {
		return v
	}
	return kpi.All
}

// orMissing returns kpi.Missing for an empty value.
func orMissing(v string) string {
	if v == "" {
		return kpi.Missing
	}
	return v
}

func contains(ls []kpi.Labels, l kpi.Labels) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// table accumulates one A per group.
type table[A any] map[kpi.Labels]*A

// at returns the accumulator of group l, creating it empty.
func (t table[A]) at(l kpi.Labels) *A {
	a := t[l]
	if a == nil {
		a = new(A)
		t[l] = a
	}
	return a
}

// add calls f on the accumulator of every group in ls.
func (t table[A]) add(ls []kpi.Labels, f func(*A)) {
	for _, l := range ls {
		f(t.at(l))
	}
}
