package config

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/schedule"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// Branch is what the configuration says about one branch.
type Branch struct {
	// Region rolls branches up in reports (--by region).
	Region string `yaml:"region"`
}

// KPI configures the KPI engine and its jobs (docs/KPI-ENGINE.md).
type KPI struct {
	// Windows are the rolling windows computed (default 1h, 24h, 7d, 30d, 90d).
	Windows []string `yaml:"windows"`
	// TicketLookback is how far before a window the engine looks for the
	// opening events of its tickets (default 30d).
	TicketLookback string `yaml:"ticket_lookback"`
	// BreachingLookback is how old an open ticket may be and still count as
	// breaching now or at risk (default 30d).
	BreachingLookback string `yaml:"breaching_lookback"`
	// BurnWindows are the trailing windows of the SLA decision counts that
	// burn-rate alerts read (default 5m, 30m, 1h, 2h, 6h, 1d, 3d).
	BurnWindows []string `yaml:"burn_windows"`
	// AtRiskFraction is the share of an SLA target after which a waiting
	// ticket is at risk (default 0.8).
	AtRiskFraction float64 `yaml:"at_risk_fraction"`
	// PunctualityGrace is how late an appointment may start and be on time (default 300s).
	PunctualityGrace time.Duration `yaml:"punctuality_grace"`
	// Jobs are the scheduled KPI jobs by name: sla_now, tickets,
	// satisfaction, retention, scorecards, compare (defaults in DefaultJobs).
	Jobs map[string]Job `yaml:"jobs"`
	// Leader elects the one process that runs the jobs (leader.go).
	Leader Leader `yaml:"leader"`
}

// Metrics configures the KPI series on /metrics (docs/METRICS.md).
type Metrics struct {
	// TeamSeries and AgentSeries add series per team and per agent (with a
	// team or agent label) to the satisfaction and tickets jobs' series; off
	// by default, since they multiply the series count. Dashboards read
	// scorecards from the scorecards job's snapshots instead.
	TeamSeries  bool `yaml:"team_series"`
	AgentSeries bool `yaml:"agent_series"`
	// MaxSeries bounds the KPI series (default 500000); the excess is
	// dropped, counted in cxpulse_kpi_series_dropped_total and logged once.
	MaxSeries int `yaml:"max_series"`
}

// Job schedules one KPI job.
type Job struct {
	// Schedule is an interval ("30s", aligned to the clock) or a cron expression ("0 * * * *").
	Schedule string `yaml:"schedule"`
	// Timeout bounds one run.
	Timeout time.Duration `yaml:"timeout"`
	// Disabled turns the job off.
	Disabled bool `yaml:"disabled"`
}

// DefaultJobs are the KPI jobs' schedules when the configuration says nothing:
// breaching now and at risk, which alerts watch, every 10 s (a new ticket
// shows within about 12 s: docs/BENCHMARKS.md); response times and SLA
// attainment every 30 s; satisfaction every minute; retention and cohorts
// (which read the whole history) hourly; the branch screen and the team,
// agent and priority scorecards (snapshots only, for the dashboards) every
// 5 minutes.
func DefaultJobs() map[string]Job {
	return map[string]Job{
		"sla_now":      {Schedule: "10s", Timeout: 9 * time.Second},
		"tickets":      {Schedule: "30s", Timeout: 25 * time.Second},
		"satisfaction": {Schedule: "1m", Timeout: 50 * time.Second},
		"retention":    {Schedule: "1h", Timeout: 10 * time.Minute},
		"scorecards":   {Schedule: "5m", Timeout: 4 * time.Minute},
		"compare":      {Schedule: "5m", Timeout: 4 * time.Minute},
	}
}

// CompareJob is the job that screens branches against the fleet (package
// compare) for cxpulse_branch_flagged; it writes no snapshot.
const CompareJob = "compare"

// ScorecardsJob computes the team, agent and priority scorecards into
// kpi_snapshots only: its rows are not served on /metrics.
const ScorecardsJob = kpi.ScorecardsJob

// JobKPIs says which KPIs each job computes: each KPI's descriptor names
// its job (metrics/kpi/descriptors.go); the scorecards job recomputes, in
// its own groupings, the KPIs that split by team, agent or priority.
var JobKPIs = func() map[string][]string {
	m := kpi.JobKPIs()
	m[ScorecardsJob] = kpi.ScorecardKPIs()
	return m
}()

// defaultKPI starts from the engine's defaults (kpi.Params.WithDefaults).
func defaultKPI() KPI {
	return KPI{
		Windows:           append([]string(nil), kpi.DefaultWindows...),
		BurnWindows:       append([]string(nil), kpi.DefaultBurnWindows...),
		TicketLookback:    kpi.DefaultTicketLookback,
		BreachingLookback: kpi.DefaultBreachingLookback,
		AtRiskFraction:    kpi.DefaultAtRiskFraction,
		PunctualityGrace:  kpi.DefaultPunctualityGrace,
		Jobs:              DefaultJobs(),
		Leader:            defaultLeader(),
	}
}

// fillJobDefaults gives a job named in the file the default schedule and
// timeout for the fields it leaves out.
func (k *KPI) fillJobDefaults() {
	for name, j := range k.Jobs {
		d, ok := DefaultJobs()[name]
		if !ok {
			continue
		}
		if j.Schedule == "" {
			j.Schedule = d.Schedule
		}
		if j.Timeout == 0 {
			j.Timeout = d.Timeout
		}
		k.Jobs[name] = j
	}
}

// validateKPI checks the KPI sections, naming each bad field.
func (c *Config) validateKPI() []error {
	errs := c.validateLeader()
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if len(c.KPI.Windows) == 0 {
		bad("kpi.windows", "at least one window is required")
	}
	if len(c.KPI.Windows) > kpi.MaxWindows {
		bad("kpi.windows", "at most %d windows, got %d", kpi.MaxWindows, len(c.KPI.Windows))
	}
	seen := map[string]bool{}
	for i, w := range c.KPI.Windows {
		if _, err := kpi.ParseWindow(w); err != nil {
			bad(fmt.Sprintf("kpi.windows[%d]", i), "%v", err)
		}
		if seen[w] {
			bad(fmt.Sprintf("kpi.windows[%d]", i), "%q named twice", w)
		}
		seen[w] = true
	}
	for i, w := range c.KPI.BurnWindows {
		if _, err := kpi.ParseWindow(w); err != nil {
			bad(fmt.Sprintf("kpi.burn_windows[%d]", i), "%v", err)
		}
	}
	for field, v := range map[string]string{"kpi.ticket_lookback": c.KPI.TicketLookback, "kpi.breaching_lookback": c.KPI.BreachingLookback} {
		if d, err := kpi.ParseDuration(v); err != nil || d <= 0 {
			bad(field, "%q is not a positive duration like 30d", v)
		}
	}
	if c.Metrics.MaxSeries <= 0 {
		bad("metrics.max_series", "must be positive, got %d", c.Metrics.MaxSeries)
	}
	if c.KPI.AtRiskFraction <= 0 || c.KPI.AtRiskFraction >= 1 {
		bad("kpi.at_risk_fraction", "%v is not between 0 and 1", c.KPI.AtRiskFraction)
	}
	if c.KPI.PunctualityGrace < 0 {
		bad("kpi.punctuality_grace", "must not be negative, got %s", c.KPI.PunctualityGrace)
	}
	names := make([]string, 0, len(c.KPI.Jobs))
	for name := range c.KPI.Jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		j := c.KPI.Jobs[name]
		field := "kpi.jobs." + name
		if _, ok := JobKPIs[name]; !ok && name != CompareJob {
			bad(field, "unknown job (known: sla_now, tickets, satisfaction, retention, scorecards, compare)")
			continue
		}
		if j.Schedule == "" {
			bad(field+".schedule", "must not be empty")
		} else if _, err := schedule.Parse(j.Schedule); err != nil {
			// the scheduler parses it too, but only once it runs, and
			// without the field's name
			bad(field+".schedule", "%v", err)
		}
		if j.Timeout <= 0 {
			bad(field+".timeout", "must be positive, got %s", j.Timeout)
		}
	}
	if _, err := calendar.NewSet(c.Calendars); err != nil {
		errs = append(errs, err)
	}
	if err := sla.Validate(c.SLAPolicies); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// KPIParams turns the validated configuration into the engine's parameters
// (AsOf and By are the caller's).
func (c *Config) KPIParams() (kpi.Params, error) {
	var p kpi.Params
	for _, s := range c.KPI.Windows {
		w, err := kpi.ParseWindow(s)
		if err != nil {
			return p, fmt.Errorf("kpi.windows: %w", err)
		}
		p.Windows = append(p.Windows, w)
	}
	for _, s := range c.KPI.BurnWindows {
		w, err := kpi.ParseWindow(s)
		if err != nil {
			return p, fmt.Errorf("kpi.burn_windows: %w", err)
		}
		p.BurnWindows = append(p.BurnWindows, w)
	}
	cals, err := calendar.NewSet(c.Calendars)
	if err != nil {
		return p, err
	}
	p.Calendars = cals
	p.Policies = sla.WithDefaults(c.SLAPolicies)
	p.Regions = map[string]string{}
	for b, info := range c.Branches {
		p.Regions[b] = info.Region
	}
	var errs []error
	if p.TicketLookback, err = kpi.ParseDuration(c.KPI.TicketLookback); err != nil {
		errs = append(errs, fmt.Errorf("kpi.ticket_lookback: %w", err))
	}
	if p.BreachingLookback, err = kpi.ParseWindow(c.KPI.BreachingLookback); err != nil {
		errs = append(errs, fmt.Errorf("kpi.breaching_lookback: %w", err))
	}
	p.AtRiskFraction = c.KPI.AtRiskFraction
	p.PunctualityGrace = c.KPI.PunctualityGrace
	return p, errors.Join(errs...)
}
