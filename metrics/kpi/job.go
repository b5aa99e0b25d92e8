package kpi

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// JobSpec is one scheduled KPI job: which KPIs it computes into its snapshot.
type JobSpec struct {
	Name string
	KPIs []string
	// Extra are groupings computed besides the default branch × channel
	// one (team and agent series), for the KPIs that can be split by them.
	Extra [][]string
}

// RunJob computes the job's KPIs as of asOf and stores them as the job's
// snapshot at asOf. It is what a scheduled tick and a backfill step do, so
// that both give the same rows for the same instant.
func RunJob(ctx context.Context, e *Engine, s *Snapshots, job JobSpec, p Params, asOf time.Time, log zerolog.Logger) ([]Row, error) {
	start := time.Now()
	p.AsOf = asOf
	p.By = nil
	if readsTickets(job.KPIs) {
		if err := e.EnsureTicketFacts(ctx, TicketFactsFrom(p, asOf)); err != nil {
			return nil, fmt.Errorf("%s as of %s: ticket facts: %w", job.Name, asOf.Format(time.RFC3339), err)
		}
	}
	rows, err := e.compute(ctx, p, true, job.KPIs...)
	if err != nil {
		return nil, fmt.Errorf("compute %s as of %s: %w", job.Name, asOf.Format(time.RFC3339), err)
	}
	for _, by := range job.Extra {
		var split []string // KPIs that the grouping can split
		for _, k := range job.KPIs {
			if splitsBy(k, by) {
				split = append(split, k)
			}
		}
		if len(split) == 0 {
			continue
		}
		q := p
		q.By = by
		more, err := e.compute(ctx, q, true, split...)
		if err != nil {
			return nil, fmt.Errorf("compute %s by %v as of %s: %w", job.Name, by, asOf.Format(time.RFC3339), err)
		}
		rows = append(rows, more...)
	}
	computed := time.Since(start)
	if err := s.Write(ctx, job.Name, asOf, rows, computed); err != nil {
		return nil, err
	}
	log.Debug().Str("job", job.Name).Time("as_of", asOf).Int("rows", len(rows)).
		Dur("compute", computed).Dur("total", time.Since(start)).Msg("kpi snapshot written")
	return rows, nil
}

// splitsBy reports whether every dimension of by applies to the KPI.
func splitsBy(k string, by []string) bool {
	dims := surveyDims
	switch k {
	case NPS, CSAT, CES, Complaints:
	case Retention, Cohort, Punctuality, PromiseKept, Experience:
		dims = branchDims
	default:
		dims = ticketDims
	}
	for _, d := range by {
		if !dims[d] {
			return false
		}
	}
	return true
}

// readsTickets reports whether any of the KPIs (all when none) is computed
// from per-ticket facts.
func readsTickets(kpis []string) bool {
	if len(kpis) == 0 {
		return true
	}
	for _, k := range kpis {
		switch k {
		case NPS, CSAT, CES, Retention, Cohort, Punctuality, PromiseKept:
		default:
			return true
		}
	}
	return false
}
