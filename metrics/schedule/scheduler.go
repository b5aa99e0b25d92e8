// Package schedule runs cxpulse's KPI jobs on their schedules, the way
// Prometheus runs rule groups: ticks aligned to the clock, one run of a job
// at a time (ticks that come while it runs are skipped and counted), a
// timeout per run, failures and panics logged and retried at the next tick,
// and duration, result and last-success series per job.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Job is one unit of scheduled work, typically computing one KPI family.
type Job struct {
	// Name identifies the job in logs and in the job label; unique, non-empty.
	Name string
	// Spec is the schedule as configured ("5m", "@hourly"), shown in logs.
	// When Schedule is nil, New parses Spec.
	Spec string
	// Schedule gives the ticks; nil means Parse(Spec).
	Schedule Schedule
	// Timeout bounds each run through its context's deadline; must be > 0.
	Timeout time.Duration
	// Run does the work for tick, the scheduled instant, which is meant as the
	// KPI as_of: the same tick gives the same numbers whenever it is run. Run
	// must return soon after ctx is done, or shutdown waits for it.
	Run func(ctx context.Context, tick time.Time) error
}

// Option changes a Scheduler made by New.
type Option func(*Scheduler)

// WithClock drives the ticks from c instead of real time (for tests).
func WithClock(c Clock) Option { return func(s *Scheduler) { s.clock = c } }

// WithRunAtStart runs every job once as soon as Run starts, for the current
// time truncated to the second, before following its schedule; so that KPI
// snapshots exist soon after a restart rather than up to an hour later.
func WithRunAtStart(on bool) Option { return func(s *Scheduler) { s.runAtStart = on } }

// Scheduler runs jobs, each in its own goroutine, until its context ends.
type Scheduler struct {
	jobs       []*job
	byName     map[string]*job
	metrics    *Metrics
	clock      Clock
	runAtStart bool
	maxPhase   time.Duration // WithPhase; 0: every run starts at its tick
	running    atomic.Bool
}

// job is a Job with its logger and state.
type job struct {
	Job
	log         zerolog.Logger
	phase       time.Duration // how long after each tick its run starts (WithPhase)
	lastSuccess atomic.Pointer[time.Time]
}

// New checks jobs and prepares their metrics; it starts nothing (Run does).
// Every problem is reported, naming the job. A nil m means metrics that are
// not registered anywhere.
func New(jobs []Job, m *Metrics, log zerolog.Logger, opts ...Option) (*Scheduler, error) {
	if m == nil {
		m = NewMetrics(nil)
	}
	s := &Scheduler{byName: map[string]*job{}, metrics: m, clock: realClock{}}
	for _, o := range opts {
		o(s)
	}
	var errs []error
	for i, j := range jobs {
		for _, err := range s.add(j) {
			errs = append(errs, fmt.Errorf("job %d (%q): %w", i, j.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, j := range s.jobs {
		j.phase = phase(j.Name, j.Schedule, s.maxPhase)
		j.log = log.With().Str("job", j.Name).Str("schedule", j.Spec).Logger()
		m.init(j.Name)
	}
	return s, nil
}

// add keeps j if it is valid, else returns its problems.
func (s *Scheduler) add(j Job) []error {
	var errs []error
	if j.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	} else if _, dup := s.byName[j.Name]; dup {
		errs = append(errs, errors.New("name is used by another job"))
	}
	if j.Schedule == nil {
		if j.Spec == "" {
			errs = append(errs, errors.New("neither schedule nor spec is set"))
		} else if sch, err := Parse(j.Spec); err != nil {
			errs = append(errs, err)
		} else {
			j.Schedule = sch
		}
	}
	if j.Spec == "" {
		j.Spec = describe(j.Schedule)
	}
	if j.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be > 0, got %s", j.Timeout))
	}
	if j.Run == nil {
		errs = append(errs, errors.New("run func is nil"))
	}
	if len(errs) > 0 {
		return errs
	}
	jj := &job{Job: j}
	s.jobs = append(s.jobs, jj)
	s.byName[j.Name] = jj
	return nil
}

// Run runs the jobs until ctx ends, then cancels the runs in flight, waits
// for them to return, and returns nil. A job's failures never stop Run or the
// other jobs. Run must not be called again while it is running, since that
// would run jobs concurrently with themselves.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("schedule: Run called while already running")
	}
	defer s.running.Store(false)
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		wg.Go(func() { s.loop(ctx, j) })
	}
	wg.Wait()
	return nil
}

// LastSuccess returns the tick of job's last successful run, and false when
// it has not succeeded since the process started (or there is no such job).
func (s *Scheduler) LastSuccess(job string) (time.Time, bool) {
	j, ok := s.byName[job]
	if !ok {
		return time.Time{}, false
	}
	t := j.lastSuccess.Load()
	if t == nil {
		return time.Time{}, false
	}
	return *t, true
}

// Phase returns how long after each of its ticks job's runs start
// (WithPhase), and false when there is no such job.
func (s *Scheduler) Phase(job string) (time.Duration, bool) {
	j, ok := s.byName[job]
	if !ok {
		return 0, false
	}
	return j.phase, true
}

// describe names a schedule given without its spec, for logs.
func describe(s Schedule) string {
	if st, ok := s.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", s)
}

// Forget removes the jobs' last-run and last-success series, once Run has
// returned: a process that no longer runs them (a leader that handed the
// scheduler over) must not look like one whose jobs stopped succeeding.
func (s *Scheduler) Forget() {
	for _, j := range s.jobs {
		s.metrics.forget(j.Name)
	}
}
