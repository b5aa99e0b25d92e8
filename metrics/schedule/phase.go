package schedule

import (
	"hash/fnv"
	"time"
)

// MaxPhase is the largest phase offset cxpulse gives a job (WithPhase): long
// enough to spread the five KPI jobs over a few seconds, short enough that
// breaching-now, computed every 10 s, is never more than a second late.
const MaxPhase = 10 * time.Second

// WithPhase delays each job's runs by an offset of its own, so that jobs on
// the same schedule (every job ticks at :00 of each minute, for example) do
// not all query ClickHouse at one instant, as Prometheus offsets its rule
// groups. The offset is the job name's FNV-1a hash modulo the bound: max, or
// a tenth of the job's period when that is shorter (a 10 s job moves by at
// most 1 s). The same name gives the same offset on every process and
// restart. Only the moment a run starts moves: the tick it is given (the
// KPI as_of) is still the aligned instant, so the numbers, the snapshots'
// keys and the last-run series are those of the tick. The run at start
// (WithRunAtStart) is not delayed.
func WithPhase(max time.Duration) Option { return func(s *Scheduler) { s.maxPhase = max } }

// phase is the offset of the job named name on schedule sch under max.
func phase(name string, sch Schedule, max time.Duration) time.Duration {
	bound := min(max, period(sch)/10)
	if bound <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return time.Duration(h.Sum64() % uint64(bound))
}

// period is the gap between the schedule's first two ticks after the Unix
// epoch: the interval itself, or a cron expression's usual gap. Zero when
// the schedule has no two ticks.
func period(sch Schedule) time.Duration {
	epoch := time.Unix(0, 0).UTC()
	first := sch.Next(epoch)
	if !first.After(epoch) {
		return 0
	}
	second := sch.Next(first)
	if !second.After(first) {
		return 0
	}
	return second.Sub(first)
}

// fire is when the run for tick starts: the tick plus the job's phase.
func (j *job) fire(tick time.Time) time.Time { return tick.Add(j.phase) }
