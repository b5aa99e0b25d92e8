package reference

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// policy builds an SLA policy; a zero target is not set.
func policy(name, channel, priority string, firstResponse, resolution time.Duration, business bool) sla.Policy {
	return sla.Policy{Name: name, Channel: channel, Priority: priority,
		FirstResponse: firstResponse, Resolution: resolution, BusinessHours: business}
}

func TestSLAAttainmentAndBreachingNow(t *testing.T) {
	p := kpi.Params{Policies: []sla.Policy{
		policy("chat-urgent", "chat", "urgent", time.Minute, 4*time.Hour, false),
		policy("default", "*", "*", time.Hour, 0, false),
	}}
	chatUrgent := []string{"channel=chat", "priority=urgent"}
	tk := func(typ event.Type, offset, id string, fields ...string) event.Event {
		return ev(typ, offset, append([]string{"ticket=" + id}, fields...)...)
	}
	evs := []event.Event{
		// T1: response in 30 s, resolved in 2.5 h: both met.
		tk(event.TicketOpened, "-3h", "T1", chatUrgent...),
		tk(event.TicketMessage, "-2h59m30s", "T1", "author=agent"),
		tk(event.TicketResolved, "-30m", "T1"),
		// T2: response after 1.5 h (breached); open 3.5 h, at risk of its 4 h resolution.
		tk(event.TicketOpened, "-3h30m", "T2", chatUrgent...),
		tk(event.TicketMessage, "-2h", "T2", "author=agent"),
		// T3: nothing for 5 h: both targets breaching.
		tk(event.TicketOpened, "-5h", "T3", chatUrgent...),
		// T4: email, 50 min without response: pending, at risk (≥ 48 min).
		tk(event.TicketOpened, "-50m", "T4", "channel=email"),
		// T5: email, 10 days without response: breaching now, outside the 24h window.
		tk(event.TicketOpened, "-10d", "T5", "channel=email"),
		// T6: email, 40 days: outside the breaching lookback.
		tk(event.TicketOpened, "-40d", "T6", "channel=email"),
		// T7: chat normal, response after exactly 1 h: met.
		tk(event.TicketOpened, "-2h", "T7", "channel=chat"),
		tk(event.TicketMessage, "-1h", "T7", "author=agent"),
		// T8: chat low, the response comes after as_of: breaching after 2 h.
		tk(event.TicketOpened, "-2h", "T8", "channel=chat", "priority=low"),
		tk(event.TicketMessage, "+1m", "T8", "author=agent"),
		// T9: b2, 10 min: open, neither breaching nor at risk.
		tk(event.TicketOpened, "-10m", "T9", "branch=b2", "channel=email"),
		// T10: b3, answered: nothing open, but the group has a covered ticket.
		tk(event.TicketOpened, "-3d", "T10", "branch=b3", "channel=web"),
		tk(event.TicketMessage, "-2d", "T10", "branch=b3", "author=agent"),
	}
	r := compute(t, evs, p)
	lbl := func(branch, channel, policy, target string) string {
		return kpi.Labels{Branch: branch, Channel: channel, Policy: policy, Target: target}.String()
	}

	require.Equal(t, map[string]float64{"met": 1, "breached": 2, "pending": 0, "attainment_ratio": 1.0 / 3},
		r.get(t, kpi.SLA, "24h", lbl("b1", "chat", "chat-urgent", sla.TargetFirstResponse)))
	require.Equal(t, map[string]float64{"met": 1, "breached": 1, "pending": 1, "attainment_ratio": 0.5},
		r.get(t, kpi.SLA, "24h", lbl("b1", "chat", "chat-urgent", sla.TargetResolution)))
	require.Equal(t, map[string]float64{"met": 1, "breached": 1, "pending": 0, "attainment_ratio": 0.5},
		r.get(t, kpi.SLA, "24h", lbl("b1", "chat", "default", sla.TargetFirstResponse)))
	require.Equal(t, map[string]float64{"met": 0, "breached": 0, "pending": 1},
		r.get(t, kpi.SLA, "24h", lbl("b1", "email", "default", sla.TargetFirstResponse)))
	require.False(t, r.has(kpi.SLA, "24h", lbl("b1", "chat", "default", sla.TargetResolution)), "default has no resolution target")

	now := func(branch, channel, policy, target string) map[string]float64 {
		return r.get(t, kpi.SLANow, "30d", lbl(branch, channel, policy, target))
	}
	require.Equal(t, map[string]float64{"open": 1, "breaching": 1, "oldest_wait_seconds": 5 * 3600, "at_risk": 0, "paused": 0},
		now("b1", "chat", "chat-urgent", sla.TargetFirstResponse))
	require.Equal(t, map[string]float64{"open": 2, "breaching": 1, "oldest_wait_seconds": 5 * 3600, "at_risk": 1, "paused": 0},
		now("b1", "chat", "chat-urgent", sla.TargetResolution))
	require.Equal(t, map[string]float64{"open": 1, "breaching": 1, "oldest_wait_seconds": 2 * 3600, "at_risk": 0, "paused": 0},
		now("b1", "chat", "default", sla.TargetFirstResponse))
	require.Equal(t, map[string]float64{"open": 2, "breaching": 1, "oldest_wait_seconds": 10 * 86400, "at_risk": 1, "paused": 0},
		now("b1", "email", "default", sla.TargetFirstResponse))
	require.Equal(t, map[string]float64{"open": 3, "breaching": 2, "oldest_wait_seconds": 10 * 86400, "at_risk": 1, "paused": 0},
		now("b1", "all", "default", sla.TargetFirstResponse))
	require.Equal(t, map[string]float64{"open": 1, "breaching": 0, "at_risk": 0, "paused": 0},
		now("b2", "email", "default", sla.TargetFirstResponse), "0 breaching is published")
	require.False(t, r.has(kpi.SLANow, "30d", "branch=b3,channel=web,policy=default,target=first_response"),
		"a group whose covered tickets are all answered has no row")
	require.Equal(t, map[string]float64{"open": 4, "breaching": 2, "oldest_wait_seconds": 10 * 86400, "at_risk": 1, "paused": 0},
		now("all", "all", "default", sla.TargetFirstResponse))
	for _, k := range r.keys(kpi.SLANow) {
		require.Equal(t, "30d", r[k].Window)
	}
}

// TestSLABusinessHours: a ticket opened on Saturday has used 4 business hours
// by Monday 12:00 (opening 08:00): exactly 80 % of a 5 h target, at risk, and
// not breaching although 2 calendar days passed.
func TestSLABusinessHours(t *testing.T) {
	week := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		week[d] = []string{"08:00-18:00"}
	}
	cals, err := calendar.NewSet(map[string]calendar.Spec{"b1": {Timezone: "UTC", Hours: week}})
	require.NoError(t, err)
	p := kpi.Params{
		Calendars: cals,
		Windows:   windows("7d"),
		Policies: []sla.Policy{
			policy("business", "*", "high", 5*time.Hour, 0, true),
			policy("calendar", "*", "*", 5*time.Hour, 0, false),
		},
	}
	evs := []event.Event{
		ev(event.TicketOpened, "-2d", "ticket=T1", "channel=phone", "priority=high"),
		ev(event.TicketOpened, "-2d", "ticket=T2", "channel=phone"),
	}
	r := compute(t, evs, p)
	require.Equal(t, map[string]float64{"met": 0, "breached": 0, "pending": 1},
		r.get(t, kpi.SLA, "7d", "branch=b1,channel=phone,policy=business,target=first_response"))
	require.Equal(t, map[string]float64{"open": 1, "breaching": 0, "at_risk": 1, "paused": 0},
		r.get(t, kpi.SLANow, "30d", "branch=b1,channel=phone,policy=business,target=first_response"))
	require.Equal(t, map[string]float64{"open": 1, "breaching": 1, "oldest_wait_seconds": 48 * 3600, "at_risk": 0, "paused": 0},
		r.get(t, kpi.SLANow, "30d", "branch=b1,channel=phone,policy=calendar,target=first_response"))
}

func TestSLAWithoutMatchingPolicy(t *testing.T) {
	p := kpi.Params{Policies: []sla.Policy{policy("chat", "chat", "*", time.Hour, 0, false)}}
	evs := []event.Event{ev(event.TicketOpened, "-2h", "ticket=T1", "channel=email")}
	r := compute(t, evs, p)
	require.Zero(t, r.count(kpi.SLA))
	require.Zero(t, r.count(kpi.SLANow))
}

func TestSLAByPriorityAndTeam(t *testing.T) {
	p := kpi.Params{
		By:       []string{kpi.DimPriority, kpi.DimTeam},
		Policies: []sla.Policy{policy("default", "*", "*", time.Hour, 0, false)},
	}
	evs := []event.Event{
		ev(event.TicketOpened, "-2h", "ticket=T1", "channel=chat", "priority=high", "team=front"),
	}
	r := compute(t, evs, p)
	require.Equal(t, 1.0, r.get(t, kpi.SLANow, "30d",
		"branch=all,channel=all,team=front,priority=high,policy=default,target=first_response")["breaching"])
	require.Equal(t, 4, r.count(kpi.SLANow))
}
