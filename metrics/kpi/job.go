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
	// NoDefault leaves out the default branch × channel grouping: the job
	// computes only its Extra groupings (the scorecards job, whose default
	// rows the tickets and satisfaction jobs already write).
	NoDefault bool
}

// ScorecardsJob is the job that computes the team, agent and priority
// scorecards into kpi_snapshots for the dashboards. Its rows are never
// exported to /metrics: a series per agent or priority would multiply them.
const ScorecardsJob = "scorecards"

// ScorecardGroupings are the groupings of the scorecards job.
var ScorecardGroupings = [][]string{{DimBranch, DimTeam}, {DimBranch, DimAgent}, {DimBranch, DimPriority}}

// ScorecardKPIs are the KPIs of the scorecards job: every windowed KPI
// that splits by team, agent or priority (its descriptor's Dims). The
// sla_now job's KPI is left out: a count of the tickets breaching now is a
// live figure, which a scorecard computed every few minutes would show stale.
func ScorecardKPIs() []string {
	var out []string
	for _, d := range descriptors {
		if d.Job != "sla_now" && (d.Dims[DimTeam] || d.Dims[DimAgent] || d.Dims[DimPriority]) {
			out = append(out, d.Name)
		}
	}
	return out
}

// ScorecardsSpec is the scorecards job: its KPIs in its groupings only.
func ScorecardsSpec() JobSpec {
	return JobSpec{Name: ScorecardsJob, KPIs: ScorecardKPIs(), Extra: ScorecardGroupings, NoDefault: true}
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
	var rows []Row
	if !job.NoDefault {
		var err error
		if rows, err = e.compute(ctx, p, true, job.KPIs...); err != nil {
			return nil, fmt.Errorf("compute %s as of %s: %w", job.Name, asOf.Format(time.RFC3339), err)
		}
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
	d, ok := Describe(k)
	if !ok {
		return false
	}
	for _, dim := range by {
		if !d.Dims[dim] {
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
		if d, ok := Describe(k); !ok || d.ReadsTickets {
			return true
		}
	}
	return false
}
