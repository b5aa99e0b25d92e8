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
}

// RunJob computes the job's KPIs as of asOf and stores them as the job's
// snapshot at asOf. It is what a scheduled tick and a backfill step do, so
// that both give the same rows for the same instant.
func RunJob(ctx context.Context, e *Engine, s *Snapshots, job JobSpec, p Params, asOf time.Time, log zerolog.Logger) (int, error) {
	start := time.Now()
	p.AsOf = asOf
	rows, err := e.Compute(ctx, p, job.KPIs...)
	if err != nil {
		return 0, fmt.Errorf("compute %s as of %s: %w", job.Name, asOf.Format(time.RFC3339), err)
	}
	computed := time.Since(start)
	if err := s.Write(ctx, job.Name, asOf, rows, computed); err != nil {
		return 0, err
	}
	log.Debug().Str("job", job.Name).Time("as_of", asOf).Int("rows", len(rows)).
		Dur("compute", computed).Dur("total", time.Since(start)).Msg("kpi snapshot written")
	return len(rows), nil
}
