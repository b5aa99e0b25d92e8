package kpi

import (
	"fmt"
	"time"

	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// The dimensions a computation can group by. Branch and Channel are the
// default pair; the others are for reports and scorecards.
const (
	DimBranch   = "branch"
	DimChannel  = "channel"
	DimRegion   = "region"
	DimTeam     = "team"
	DimAgent    = "agent"
	DimPriority = "priority"
)

// Dims lists every dimension in label order.
var Dims = []string{DimBranch, DimChannel, DimRegion, DimTeam, DimAgent, DimPriority}

// Missing is the label value of an event that has no value for a dimension
// it is grouped by (a survey without a team, a branch without a region).
const Missing = "-"

// Params is everything a computation depends on besides the events.
type Params struct {
	// AsOf is the instant the numbers are computed for; only events that
	// occurred before it exist.
	AsOf time.Time
	// Windows are the rolling windows to compute.
	Windows []Window
	// By are the dimensions to group by (default branch and channel). Every
	// dimension is crossed with "all": by branch and channel gives the four
	// group kinds (branch × channel, branch × all, all × channel, all × all).
	// A dimension that does not apply to a KPI (channel for retention,
	// priority for surveys) is "all" on its rows.
	By []string
	// Calendars give each branch its business hours (nil: all open 24/7).
	Calendars *calendar.Set
	// Policies are the SLA policies in match order.
	Policies []sla.Policy
	// Regions maps a branch to its region (DimRegion).
	Regions map[string]string
	// TicketLookback is how far before a window the engine looks for a
	// ticket's opening events (default 30d).
	TicketLookback time.Duration
	// BreachingLookback is how far back SLANow looks for open tickets (default 30d).
	BreachingLookback Window
	// BurnWindows are the trailing windows of SLADecisions, the SLI that
	// burn-rate alerts read (default 5m, 30m, 1h, 2h, 6h, 1d, 3d).
	BurnWindows []Window
	// AtRiskFraction is the share of a target after which an open ticket is at risk (default 0.8).
	AtRiskFraction float64
	// PunctualityGrace is how late an appointment may start and still be on time (default 300s).
	PunctualityGrace time.Duration
}

// DefaultWindows are the rolling windows of KPIS.md.
var DefaultWindows = []string{"1h", "24h", "7d", "30d", "90d"}

// DefaultBurnWindows are the windows of the SRE workbook's multi-window,
// multi-burn-rate alerts for a 30-day objective.
var DefaultBurnWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}

// The defaults of the other Params fields; cxpulse's configuration starts
// from these (cmd/cxpulse/config).
const (
	DefaultTicketLookback    = "30d"
	DefaultBreachingLookback = "30d"
	DefaultAtRiskFraction    = 0.8
	DefaultPunctualityGrace  = 300 * time.Second
)

// WithDefaults returns p with every unset field given its default.
func (p Params) WithDefaults() Params {
	if len(p.Windows) == 0 {
		for _, s := range DefaultWindows {
			w, _ := ParseWindow(s)
			p.Windows = append(p.Windows, w)
		}
	}
	if len(p.By) == 0 {
		p.By = []string{DimBranch, DimChannel}
	}
	if p.TicketLookback == 0 {
		p.TicketLookback, _ = ParseDuration(DefaultTicketLookback)
	}
	if p.BreachingLookback.Duration == 0 {
		p.BreachingLookback, _ = ParseWindow(DefaultBreachingLookback)
	}
	if len(p.BurnWindows) == 0 {
		for _, s := range DefaultBurnWindows {
			w, _ := ParseWindow(s)
			p.BurnWindows = append(p.BurnWindows, w)
		}
	}
	if p.AtRiskFraction == 0 {
		p.AtRiskFraction = DefaultAtRiskFraction
	}
	if p.PunctualityGrace == 0 {
		p.PunctualityGrace = DefaultPunctualityGrace
	}
	return p
}

// Validate checks the dimensions and numbers of p.
// MaxWindows is how many windows one computation takes: retention keeps two
// bits per window in a 64-bit mask (sql/kpi/retention.sql).
const MaxWindows = 32

func (p Params) Validate() error {
	seen := map[string]bool{}
	for _, d := range p.By {
		known := false
		for _, k := range Dims {
			known = known || d == k
		}
		if !known {
			return fmt.Errorf("group by %q: want one of %v", d, Dims)
		}
		if seen[d] {
			return fmt.Errorf("group by %q: named twice", d)
		}
		seen[d] = true
	}
	if len(p.Windows) > MaxWindows {
		return fmt.Errorf("windows: at most %d, got %d", MaxWindows, len(p.Windows))
	}
	if p.AtRiskFraction <= 0 || p.AtRiskFraction >= 1 {
		return fmt.Errorf("at-risk fraction %v: want between 0 and 1", p.AtRiskFraction)
	}
	if p.AsOf.IsZero() {
		return fmt.Errorf("as_of: not set")
	}
	return nil
}
