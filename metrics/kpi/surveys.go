package kpi

import (
	"context"
	"math"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// surveyCount is one row of sql/kpi/surveys.sql: the counts and score sum
// of a group in window w (1-based, in Params.Windows order).
type surveyCount struct {
	branch, channel, team, agent, typ string
	w                                 uint32
	responses, promoters, detractors  uint64
	satisfied                         uint64
	scoreSum                          float64
}

func (e *Engine) surveyCounts(ctx context.Context, p Params, types []string) ([]surveyCount, error) {
	s := windowSpan(p, longestWindow(p.Windows))
	starts := make([]uint64, len(p.Windows))
	for i, w := range p.Windows {
		starts[i] = uint64(windowSpan(p, w).fromMs())
	}
	var out []surveyCount
	err := e.query(ctx, "surveys", surveysArgs{starts: starts, types: types, s: s}, func(r driver.Rows) error {
		var c surveyCount
		if err := r.Scan(&c.branch, &c.channel, &c.team, &c.agent, &c.typ, &c.w, &c.responses, &c.promoters, &c.detractors, &c.satisfied, &c.scoreSum); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// surveys computes NPS, CSAT and CES, and collects complaint counts for the
// complaint rate, which needs the tickets' counts too.
func (e *Engine) surveys(ctx context.Context, r *run) ([]Row, error) {
	p, g, want := r.p, r.g, r.want
	var types []string
	if want[Complaints] {
		types = append(types, "complaint.filed")
	}
	if want[NPS] || want[CSAT] || want[CES] {
		types = append(types, "survey.nps", "survey.csat", "survey.ces")
	}
	if len(types) == 0 {
		return nil, nil
	}
	counts, err := e.surveyCounts(ctx, p, types)
	if err != nil {
		return nil, err
	}
	var out []Row
	for wi, w := range p.Windows {
		tables := map[string]*table{}
		for _, k := range []string{NPS, CSAT, CES} {
			tables[k] = newTable(k, w.Label)
		}
		for _, c := range counts {
			if int(c.w) != wi+1 {
				continue
			}
			n, sum := float64(c.responses), c.scoreSum
			ls := g.labels(g.values(c.branch, c.channel, c.team, c.agent, ""), surveyDims)
			switch c.typ {
			case "complaint.filed":
				r.complaint(w.Label).each(ls, func(x *cell) { x.add("complaints", n) })
			case "survey.nps":
				tables[NPS].each(ls, func(x *cell) {
					x.add("responses", n)
					x.add("promoters", float64(c.promoters))
					x.add("detractors", float64(c.detractors))
				})
			case "survey.csat":
				tables[CSAT].each(ls, func(x *cell) {
					x.add("responses", n)
					x.add("satisfied", float64(c.satisfied))
					x.add("score_sum", sum)
				})
			case "survey.ces":
				tables[CES].each(ls, func(x *cell) {
					x.add("responses", n)
					x.add("score_sum", sum)
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
