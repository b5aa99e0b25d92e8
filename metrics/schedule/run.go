package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// loop follows one job's schedule until ctx ends. The job runs in this
// goroutine, so it can never overlap with itself: a tick that passes while it
// runs is simply not waited for.
func (s *Scheduler) loop(ctx context.Context, j *job) {
	next := j.next(s.now().Add(-j.phase))
	fire := j.fire(next)
	if s.runAtStart {
		next = s.now().Truncate(time.Second)
		fire = next
	}
	j.log.Info().Time("next", next).Dur("phase", j.phase).Dur("timeout", j.Timeout).Msg("kpi job scheduled")
	for {
		if next.IsZero() {
			j.log.Error().Msg("kpi job schedule has no further tick, job stops")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(fire.Sub(s.clock.Now())):
		}
		// Both cases of the select may have been ready.
		if ctx.Err() != nil {
			return
		}
		tick := s.newestDue(j, next)
		s.runOnce(ctx, j, tick)
		if ctx.Err() != nil {
			return
		}
		next = s.skipPassed(j, tick)
		fire = j.fire(next)
	}
}

// now reads the clock in UTC, so that ticks, which schedules return in the
// location of the time they are given, reach jobs and logs in UTC whatever
// the host's zone.
func (s *Scheduler) now() time.Time { return s.clock.Now().UTC() }

// next is the job's first tick after t, or zero. A schedule that does not
// move forward counts as finished, so that the skip loops always end.
func (j *job) next(t time.Time) time.Time {
	n := j.Schedule.Next(t)
	if !n.After(t) {
		return time.Time{}
	}
	return n
}

// newestDue returns the newest tick that is due, starting from next, and
// counts the older ones as skipped. They exist only when the loop woke late
// (a suspended VM, a starved process); running the newest keeps as_of fresh
// without a burst of catch-up runs, as Prometheus does with rule groups.
func (s *Scheduler) newestDue(j *job, next time.Time) time.Time {
	now := s.now()
	tick, skipped := next, 0
	for n := j.next(tick); !n.IsZero() && !j.fire(n).After(now); n = j.next(n) {
		tick = n
		skipped++
	}
	if skipped > 0 {
		s.metrics.skipped.WithLabelValues(j.Name).Add(float64(skipped))
		j.log.Warn().Int("skipped", skipped).Time("from", next).Time("tick", tick).
			Msg("kpi job woke late, running the newest due tick only")
	}
	return tick
}

// skipPassed returns the job's next tick after the run for tick ended, and
// counts the ticks that came while it ran as skipped: never overlapping,
// and never starting a run late, leaves the database room to recover when a
// job outgrows its interval.
func (s *Scheduler) skipPassed(j *job, tick time.Time) time.Time {
	end := s.now()
	next, skipped := j.next(tick), 0
	for !next.IsZero() && j.fire(next).Before(end) {
		next = j.next(next)
		skipped++
	}
	if skipped > 0 {
		s.metrics.skipped.WithLabelValues(j.Name).Add(float64(skipped))
		j.log.Warn().Int("skipped", skipped).Time("tick", tick).Time("next", next).
			Msg("kpi job run outlasted its schedule, ticks skipped")
	}
	return next
}

// runOnce runs the job for tick under its timeout and records the result. A
// failure is only logged and counted: the next tick is the retry.
func (s *Scheduler) runOnce(ctx context.Context, j *job, tick time.Time) {
	running := s.metrics.running.WithLabelValues(j.Name)
	running.Set(1)
	defer running.Set(0)
	runCtx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	// Elapsed is real time even with a fake clock: it measures real work.
	start := time.Now()
	err := call(runCtx, j, tick)
	elapsed := time.Since(start)

	var p *panicError
	result := ResultFailure
	switch {
	case err == nil:
		result = ResultSuccess
		j.lastSuccess.Store(&tick)
		j.log.Debug().Time("tick", tick).Dur("elapsed", elapsed).Msg("kpi job done")
	case errors.As(err, &p):
		j.log.Error().Err(err).Time("tick", tick).Dur("elapsed", elapsed).Str("stack", string(p.stack)).
			Msg("kpi job panicked, will retry at next tick")
	case ctx.Err() != nil:
		// Shutdown, not a fault of the job: neither counted nor retried.
		j.log.Warn().Err(err).Time("tick", tick).Dur("elapsed", elapsed).Msg("kpi job run cancelled by shutdown")
		return
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		result = ResultTimeout
		j.log.Error().Err(err).Time("tick", tick).Dur("elapsed", elapsed).Dur("timeout", j.Timeout).
			Msg("kpi job timed out, will retry at next tick")
	default:
		j.log.Error().Err(err).Time("tick", tick).Dur("elapsed", elapsed).Msg("kpi job failed, will retry at next tick")
	}
	s.metrics.ended(j.Name, result, tick, elapsed)
}

// call runs the job, turning a panic into an error, so that one bad job
// cannot take the process and the other jobs down with it.
func call(ctx context.Context, j *job, tick time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
		}
	}()
	return j.Run(ctx, tick)
}

// panicError is a recovered panic of a job, with the stack where it happened.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }
