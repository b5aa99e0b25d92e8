package reference

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

func TestNPSOfTenScores(t *testing.T) {
	var evs []event.Event
	for _, s := range []string{"10", "10", "9", "9", "8", "7", "6", "5", "3", "0"} {
		evs = append(evs, ev(event.SurveyNPS, "-1h", "channel=web", "score="+s))
	}
	r := compute(t, evs, kpi.Params{})
	v := r.get(t, kpi.NPS, "24h", "branch=b1,channel=web")
	// P = 4, passives 2, D = 4: NPS 0; p = d = 0.4: MOE = 196·sqrt(0.8/10).
	require.Equal(t, map[string]float64{
		"responses": 10, "promoters": 4, "passives": 2, "detractors": 4,
		"nps": 0, "margin_of_error": 196 * math.Sqrt(0.08), "low_confidence": 1,
	}, v)
	require.InDelta(t, 55.437, v["margin_of_error"], 0.001)
}

func TestNPSConfidentAndSkewed(t *testing.T) {
	var evs []event.Event
	for i := 0; i < 40; i++ {
		s := "10"
		switch {
		case i < 10:
			s = "2"
		case i < 15:
			s = "7"
		}
		evs = append(evs, ev(event.SurveyNPS, "-30m", "score="+s))
	}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.NPS, "24h", "branch=b1,channel=other")
	// P = 25, D = 10, N = 40: NPS 37.5; p = .625, d = .25.
	require.Equal(t, 37.5, v["nps"])
	require.Equal(t, 0.0, v["low_confidence"])
	require.InDelta(t, 196*math.Sqrt((0.875-0.375*0.375)/40), v["margin_of_error"], 1e-12)
}

func TestCSATAndCES(t *testing.T) {
	evs := []event.Event{
		ev(event.SurveyCSAT, "-1h", "score=5"),
		ev(event.SurveyCSAT, "-1h", "score=4"),
		ev(event.SurveyCSAT, "-1h", "score=3"),
		ev(event.SurveyCSAT, "-1h", "score=1"),
		ev(event.SurveyCES, "-1h", "score=2"),
		ev(event.SurveyCES, "-1h", "score=7"),
		ev(event.SurveyCES, "-2d", "score=1"), // outside 24h
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, map[string]float64{"responses": 4, "satisfied": 2, "csat_percent": 50, "mean_score": 3.25},
		r.get(t, kpi.CSAT, "24h", allAll))
	require.Equal(t, map[string]float64{"responses": 2, "mean_score": 4.5},
		r.get(t, kpi.CES, "24h", allAll))
	require.False(t, r.has(kpi.NPS, "24h", allAll), "no NPS survey, no NPS row")
}

func TestSurveyCountsByItsOwnBranchAndChannelNotTheTicket(t *testing.T) {
	evs := []event.Event{
		ev(event.TicketOpened, "-3h", "ticket=T1", "branch=b1", "channel=chat"),
		ev(event.SurveyNPS, "-1h", "ticket=T1", "branch=b2", "channel=email", "score=9"),
	}
	r := compute(t, evs, kpi.Params{})
	require.Equal(t, 1.0, r.get(t, kpi.NPS, "24h", "branch=b2,channel=email")["responses"])
	require.False(t, r.has(kpi.NPS, "24h", b1chat))
}

func TestDuplicatesCountOnce(t *testing.T) {
	s := ev(event.SurveyCSAT, "-1h", "id=dup", "score=5")
	o := ev(event.TicketOpened, "-2h", "id=open", "ticket=T1", "channel=chat")
	r := compute(t, []event.Event{s, s, s, o, o}, kpi.Params{})
	require.Equal(t, 1.0, r.get(t, kpi.CSAT, "24h", allAll)["responses"])
	require.Equal(t, 1.0, r.get(t, kpi.Volume, "24h", allAll)["opened"])
}

func TestEventsAtOrAfterAsOfDoNotExist(t *testing.T) {
	evs := []event.Event{
		ev(event.SurveyNPS, "0", "score=10"),
		ev(event.SurveyNPS, "+1h", "score=10"),
		ev(event.SurveyNPS, "-1ms", "score=0"),
	}
	v := compute(t, evs, kpi.Params{}).get(t, kpi.NPS, "24h", allAll)
	require.Equal(t, 1.0, v["responses"])
	require.Equal(t, -100.0, v["nps"])
}

func TestWindowIsHalfOpen(t *testing.T) {
	evs := []event.Event{
		ev(event.SurveyCES, "-24h", "score=1"),    // the first instant of 24h
		ev(event.SurveyCES, "-24h1ms", "score=7"), // just before it
	}
	r := compute(t, evs, kpi.Params{Windows: windows("1h", "24h", "7d")})
	require.False(t, r.has(kpi.CES, "1h", allAll))
	require.Equal(t, 1.0, r.get(t, kpi.CES, "24h", allAll)["mean_score"])
	require.Equal(t, 4.0, r.get(t, kpi.CES, "7d", allAll)["mean_score"])
}
