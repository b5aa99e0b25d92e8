package reference

import (
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// surveyScores collects the scores of one survey type in one group.
type surveyScores struct {
	scores []int
}

// surveys adds the NPS, CSAT and CES rows of window w. Surveys count by their
// own branch, channel, team and agent, even when they carry a ticket_id.
func (c *computation) surveys(evs []event.Event, w kpi.Window, from time.Time) {
	byType := map[event.Type]table[surveyScores]{
		event.SurveyNPS:  {},
		event.SurveyCSAT: {},
		event.SurveyCES:  {},
	}
	for i := range evs {
		e := &evs[i]
		t, ok := byType[e.Type]
		if !ok || e.Score == nil || !in(e.OccurredAt, from, c.p.AsOf) {
			continue
		}
		score := *e.Score
		t.add(c.g.labels(eventMember(e), scopeEvent), func(a *surveyScores) {
			a.scores = append(a.scores, score)
		})
	}
	emit(c, kpi.NPS, w.Label, byType[event.SurveyNPS], npsValues)
	emit(c, kpi.CSAT, w.Label, byType[event.SurveyCSAT], csatValues)
	emit(c, kpi.CES, w.Label, byType[event.SurveyCES], cesValues)
}

// eventMember is the group member of an event counted by its own fields.
func eventMember(e *event.Event) member {
	return member{branch: e.Branch, channel: channelOf(e), team: e.Team, agent: e.AgentID}
}

// channelOf is the event's channel, event.ChannelOther when it names none.
func channelOf(e *event.Event) string {
	if e.Channel == "" {
		return event.ChannelOther
	}
	return e.Channel
}

// npsValues: promoters score 9–10, detractors 0–6, NPS = 100·(P−D)/N and the
// 95 % margin of error 196·sqrt((p + d − (p − d)²)/N).
func npsValues(_ kpi.Labels, a *surveyScores) map[string]float64 {
	n := float64(len(a.scores))
	if n == 0 {
		return nil
	}
	var prom, pass, det float64
	for _, s := range a.scores {
		switch {
		case s >= 9:
			prom++
		case s >= 7:
			pass++
		default:
			det++
		}
	}
	p, d := prom/n, det/n
	return map[string]float64{
		"responses":       n,
		"promoters":       prom,
		"passives":        pass,
		"detractors":      det,
		"nps":             100 * (prom - det) / n,
		"margin_of_error": 196 * sqrt0((p+d-(p-d)*(p-d))/n),
		"low_confidence":  b2f(n < 30),
	}
}

// csatValues: satisfied means a score of 4–5.
func csatValues(_ kpi.Labels, a *surveyScores) map[string]float64 {
	n := float64(len(a.scores))
	if n == 0 {
		return nil
	}
	var sat, sum float64
	for _, s := range a.scores {
		if s >= 4 {
			sat++
		}
		sum += float64(s)
	}
	return map[string]float64{
		"responses":    n,
		"satisfied":    sat,
		"csat_percent": 100 * sat / n,
		"mean_score":   sum / n,
	}
}

// cesValues: the mean score.
func cesValues(_ kpi.Labels, a *surveyScores) map[string]float64 {
	n := float64(len(a.scores))
	if n == 0 {
		return nil
	}
	var sum float64
	for _, s := range a.scores {
		sum += float64(s)
	}
	return map[string]float64{"responses": n, "mean_score": sum / n}
}
