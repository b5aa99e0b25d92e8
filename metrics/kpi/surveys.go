package kpi

import (
	"context"
	"math"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// surveyCount is one row of sql/kpi/surveys.sql.
type surveyCount struct {
	branch, channel, team, agent, typ string
	responses, high, low              uint64
	scoreSum                          float64
}

func (e *Engine) surveyCounts(ctx context.Context, s span) ([]surveyCount, error) {
	var out []surveyCount
	err := e.query(ctx, "surveys", func(r driver.Rows) error {
		var c surveyCount
		if err := r.Scan(&c.branch, &c.channel, &c.team, &c.agent, &c.typ, &c.responses, &c.high, &c.low, &c.scoreSum); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}, s.fromS(), s.toS(), s.fromMs(), s.toMs())
	return out, err
}

// surveys computes NPS, CSAT and CES, and collects complaint counts for the
// complaint rate, which needs the tickets' counts too.
func (e *Engine) surveys(ctx context.Context, r *run) ([]Row, error) {
	p, g, want := r.p, r.g, r.want
	var out []Row
	for _, w := range p.Windows {
		counts, err := e.surveyCounts(ctx, windowSpan(p, w))
		if err != nil {
			return nil, err
		}
		tables := map[string]*table{}
		for _, k := range []string{NPS, CSAT, CES} {
			tables[k] = newTable(k, w.Label)
		}
		for _, c := range counts {
			ls := g.labels(g.values(c.branch, c.channel, c.team, c.agent, ""), surveyDims)
			switch c.typ {
			case "complaint.filed":
				r.complaint(w.Label).each(ls, func(x *cell) { x.add("complaints", float64(c.responses)) })
				continue
			case "survey.nps":
				tables[NPS].each(ls, func(x *cell) {
					x.add("responses", float64(c.responses))
					x.add("promoters", float64(c.high))
					x.add("detractors", float64(c.low))
				})
			case "survey.csat":
				tables[CSAT].each(ls, func(x *cell) {
					x.add("responses", float64(c.responses))
					x.add("satisfied", float64(c.high))
					x.add("score_sum", c.scoreSum)
				})
			case "survey.ces":
				tables[CES].each(ls, func(x *cell) {
					x.add("responses", float64(c.responses))
					x.add("score_sum", c.scoreSum)
				})
			}
		}
		if want[NPS] {
			out = append(out, tables[NPS].rows(p, finishNPS)...)
		}
		if want[CSAT] {
			out = append(out, tables[CSAT].rows(p, func(_ Labels, c *cell) map[string]float64 {
				n := c.sum("responses")
				v := map[string]float64{"responses": n, "satisfied": c.sum("satisfied")}
				ratio(v, "csat_percent", 100*c.sum("satisfied"), n)
				ratio(v, "mean_score", c.sum("score_sum"), n)
				return v
			})...)
		}
		if want[CES] {
			out = append(out, tables[CES].rows(p, func(_ Labels, c *cell) map[string]float64 {
				n := c.sum("responses")
				v := map[string]float64{"responses": n}
				ratio(v, "mean_score", c.sum("score_sum"), n)
				return v
			})...)
		}
	}
	return out, nil
}

// LowConfidenceResponses is the sample size under which an NPS is flagged.
const LowConfidenceResponses = 30

func finishNPS(_ Labels, c *cell) map[string]float64 {
	n, pr, de := c.sum("responses"), c.sum("promoters"), c.sum("detractors")
	v := map[string]float64{"responses": n, "promoters": pr, "detractors": de, "passives": n - pr - de}
	if n > 0 {
		p, d := pr/n, de/n
		v["nps"] = 100 * (p - d)
		v["margin_of_error"] = 196 * math.Sqrt((p+d-(p-d)*(p-d))/n)
	}
	v["low_confidence"] = 0
	if n < LowConfidenceResponses {
		v["low_confidence"] = 1
	}
	return v
}
