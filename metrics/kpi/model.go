// Package kpi owns the computation of every KPI of docs/KPIS.md: the
// vocabulary of results (Row, Labels, the KPI names and their fields), the
// engine that pushes the work into ClickHouse (queries under sql/kpi) and
// finishes business-time arithmetic in Go over per-ticket facts, and the
// snapshot writer. docs/KPI-ENGINE.md pins down every rule the engine follows.
package kpi

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The KPI names. Each Row carries one of them; its descriptor (descriptors.go)
// says what its Values hold.
const (
	NPS           = "nps"
	CSAT          = "csat"
	CES           = "ces"
	FirstResponse = "first_response"
	NextResponse  = "next_response"
	Resolution    = "resolution"
	Reopen        = "reopen"
	FCR           = "fcr"
	Volume        = "volume"
	SLA           = "sla"     // attainment per policy and target over the window
	SLANow        = "sla_now" // breaching now and at risk, per policy and target
	// SLADecisions counts tickets decided (met or breached) in each trailing
	// burn window, by the instant of the decision: the SLI of burn-rate alerts.
	SLADecisions = "sla_decisions"
	Complaints   = "complaints"
	Retention    = "retention"
	Cohort       = "cohort"
	Punctuality  = "punctuality"
	PromiseKept  = "promise_kept"
	// Pending is the time tickets waited on the customer (contract 1.1).
	Pending = "pending"
	// Experience is rolling retention split by service experience: the
	// customers who had a bad experience in the previous window against
	// the others (experience.go).
	Experience = "retention_experience"
)

// Names returns every KPI name in a stable order.
func Names() []string {
	out := make([]string, 0, len(Fields))
	for k := range Fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// All is the label value of a group that spans every branch or every channel.
const All = "all"

// Labels say which group a Row is about. Branch and Channel are always set
// (a name or All); the others only when the KPI or the report groups by them.
type Labels struct {
	Branch   string `json:"branch,omitempty"`
	Channel  string `json:"channel,omitempty"`
	Region   string `json:"region,omitempty"`
	Team     string `json:"team,omitempty"`
	Agent    string `json:"agent,omitempty"`
	Priority string `json:"priority,omitempty"`
	Policy   string `json:"policy,omitempty"` // SLA, SLANow
	Target   string `json:"target,omitempty"` // SLA, SLANow: first_response or resolution
	Cohort   string `json:"cohort,omitempty"` // Cohort: YYYY-MM
	K        int    `json:"k,omitempty"`      // Cohort: months after the cohort month
}

// String is a stable text form, used as a map key in tests and in logs.
func (l Labels) String() string {
	var b strings.Builder
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	add("branch", l.Branch)
	add("channel", l.Channel)
	add("region", l.Region)
	add("team", l.Team)
	add("agent", l.Agent)
	add("priority", l.Priority)
	add("policy", l.Policy)
	add("target", l.Target)
	add("cohort", l.Cohort)
	if l.Cohort != "" {
		add("k", fmt.Sprint(l.K))
	}
	return b.String()
}

// Row is one KPI value set for one group, window and instant.
type Row struct {
	KPI    string             `json:"kpi"`
	Window string             `json:"window"` // e.g. "30d"; "cohort" for cohorts; the lookback for SLANow
	AsOf   time.Time          `json:"as_of"`
	Labels Labels             `json:"labels"`
	Values map[string]float64 `json:"values"`
}

// Key identifies a row within one computation: KPI, window and labels.
func (r Row) Key() string { return r.KPI + "|" + r.Window + "|" + r.Labels.String() }

// SortRows orders rows by Key, so that output and comparisons are stable.
func SortRows(rows []Row) {
	keys := make([]string, len(rows))
	for i := range rows {
		keys[i] = rows[i].Key()
	}
	sort.Sort(byKey{rows, keys})
}

type byKey struct {
	rows []Row
	keys []string
}

func (b byKey) Len() int           { return len(b.rows) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.rows[i], b.rows[j] = b.rows[j], b.rows[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// Window is a rolling window: its label as configured and its length.
type Window struct {
	Label    string
	Duration time.Duration
}

// ParseWindow reads a window label: a Go duration ("90m", "24h") or a whole
// number of days ("30d") or weeks ("2w").
func ParseWindow(s string) (Window, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return Window{}, err
	}
	if d <= 0 {
		return Window{}, fmt.Errorf("window %q: must be positive", s)
	}
	return Window{Label: s, Duration: d}, nil
}

// ParseDuration is time.ParseDuration that also accepts whole days ("30d")
// and weeks ("2w"), the units KPI windows are spoken of in.
func ParseDuration(s string) (time.Duration, error) {
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		var k int64
		if _, err := fmt.Sscanf(s[:n-1], "%d", &k); err == nil && fmt.Sprint(k) == s[:n-1] {
			unit := 24 * time.Hour
			if s[n-1] == 'w' {
				unit *= 7
			}
			return time.Duration(k) * unit, nil
		}
		return 0, fmt.Errorf("duration %q: want a whole number before %q", s, s[n-1:])
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	return d, nil
}
