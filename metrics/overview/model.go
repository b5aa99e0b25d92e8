// Package overview renders the built-in overview page of `cxpulse run` and
// `cxpulse demo` at "/": server-side HTML with inline SVG, no front-end
// build step, readable on a laptop and a phone. It draws what it is given
// (Page); the server fills a Page from the KPI engine and the branch
// comparison.
package overview

import (
	"time"

	"github.com/cxpulse/cxpulse/metrics/stats"
)

// Page is everything the overview shows.
type Page struct {
	Title  string
	AsOf   time.Time // the instant the numbers are for
	Window string    // e.g. "30d"
	// Tiles are the fleet KPIs, in display order.
	Tiles []Tile
	// Rankings are branch comparisons (e.g. NPS, CSAT, SLA attainment), one
	// caterpillar chart each.
	Rankings []Ranking
	// Heatmap is SLA attainment, branch × channel.
	Heatmap Heatmap
	// Experience is retention by service experience per branch (KPI retention_experience, docs/KPIS.md).
	Experience Experience
	// Links point into the JSON API and /metrics.
	Links []Link
	// Notes are short remarks shown under the header (e.g. "no data yet").
	Notes []string
}

// Tile is one fleet KPI.
type Tile struct {
	Name string // "NPS", "CSAT", "SLA attainment (first response)" …
	Unit string // "", "%", "s" — how Value is shown ("%": Value is percent, 71.2 not 0.712; "s": seconds)
	// Has is false when the fleet has no data for it: the tile says so
	// instead of showing 0.
	Has   bool
	Value float64
	// Low and High are its confidence interval, when HasInterval.
	HasInterval bool
	Low, High   float64
	N           float64 // sample size
	// Trend is the KPI at earlier instants, oldest first (the sparkline).
	Trend []Point
	// HigherIsBetter colours the trend (NPS up is good, response time up is bad).
	HigherIsBetter bool
}

// Point is one value of a trend.
type Point struct {
	AsOf  time.Time
	Value float64
}

// Ranking is one KPI across branches: each branch's raw estimate with its
// interval, the shrunken estimate, and whether it differs from the standard
// of the typical branch under false-discovery-rate control.
type Ranking struct {
	KPI            string // "nps", "csat", "sla", …
	Title          string // "NPS, 30 days"
	Unit           string // as Tile.Unit: "%" means percent (0…100), "s" seconds
	HigherIsBetter bool
	// Standard is the value of the typical branch that every branch is
	// tested against (drawn as a vertical line), NaN when unknown.
	Standard   float64
	Level, FDR float64 // confidence level of the intervals, FDR of the flags
	// Funnel, when its Groups > 0, draws the funnel plot beside the
	// caterpillar chart: each branch's value against its number of answers
	// with the funnel's 95 % and 99.8 % control limits, in display units
	// (Centre and Sigma as Value, Between in its square).
	Funnel stats.Funnel
	// Rows are ordered best first.
	Rows []RankRow
	// APIURL is the JSON of this comparison.
	APIURL string
}

// RankRow is one branch in a Ranking.
type RankRow struct {
	Branch    string
	N         float64
	Value     float64
	Low, High float64
	Shrunk    float64
	// Flag is "above" or "below" the standard when significant at the FDR,
	// else "".
	Flag string
	// Worse is true when the flag means worse than the fleet (below for
	// NPS, above for response times): drawn in red; better in green.
	Worse  bool
	QValue float64
}

// Heatmap is SLA attainment by branch and channel.
type Heatmap struct {
	Title    string // e.g. "SLA attainment, policy default, first response, 30 days"
	Channels []string
	Rows     []HeatRow
	// Objective colours the cells: at or above green, within 5 points amber, below red.
	Objective float64
}

// HeatRow is one branch of the heatmap, a cell per channel in Channels order.
type HeatRow struct {
	Branch string
	Cells  []Cell
}

// Cell is one attainment value; Has is false for no tickets (drawn empty).
type Cell struct {
	Has   bool
	Value float64 // 0..1
	N     float64 // met + breached
}

// Link is a link shown on the page.
type Link struct {
	Title, URL string
}
