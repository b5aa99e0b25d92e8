package reference

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// asOf is the instant every test computes for: a Monday, 12:00 UTC.
var asOf = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

// ev builds one event at asOf+offset ("-90m", "-2d", "+1h", "0") from
// key=value fields: id, branch (default b1), channel, ticket, ref, customer,
// agent, team, priority, author, score, due (an offset like the occurrence).
// Without id the event gets a fresh one.
func ev(typ event.Type, offset string, fields ...string) event.Event {
	e := event.Event{Type: typ, OccurredAt: at(offset), Branch: "b1"}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			panic("field without =: " + f)
		}
		switch k {
		case "id":
			e.EventID = v
		case "branch":
			e.Branch = v
		case "channel":
			e.Channel = v
		case "ticket":
			e.TicketID = v
		case "ref":
			e.RefID = v
		case "customer":
			e.CustomerID = v
		case "agent":
			e.AgentID = v
		case "team":
			e.Team = v
		case "priority":
			e.Priority = v
		case "author":
			e.Author = v
		case "score":
			n, err := strconv.Atoi(v)
			if err != nil {
				panic(err)
			}
			e.Score = &n
		case "due":
			d := at(v)
			e.DueAt = &d
		default:
			panic("unknown field " + k)
		}
	}
	if e.EventID == "" {
		nextID++
		e.EventID = fmt.Sprintf("e%d", nextID)
	}
	return e
}

var nextID int

// at is asOf plus an offset in kpi.ParseDuration syntax with a sign ("-2d").
func at(offset string) time.Time {
	if offset == "0" {
		return asOf
	}
	sign := time.Duration(1)
	switch offset[0] {
	case '-':
		sign, offset = -1, offset[1:]
	case '+':
		offset = offset[1:]
	}
	d, err := kpi.ParseDuration(offset)
	if err != nil {
		panic(err)
	}
	return asOf.Add(sign * d)
}

// windows parses window labels.
func windows(labels ...string) []kpi.Window {
	var out []kpi.Window
	for _, l := range labels {
		w, err := kpi.ParseWindow(l)
		if err != nil {
			panic(err)
		}
		out = append(out, w)
	}
	return out
}

// result indexes the rows of one Compute by kpi.Row.Key.
type result map[string]kpi.Row

// compute runs Compute at asOf with the 24h window unless p names others.
func compute(t *testing.T, evs []event.Event, p kpi.Params) result {
	t.Helper()
	p.AsOf = asOf
	if p.Windows == nil {
		p.Windows = windows("24h")
	}
	rows, err := Compute(evs, p)
	require.NoError(t, err)
	out := result{}
	for _, r := range rows {
		require.Equal(t, asOf, r.AsOf)
		for name := range r.Values {
			require.Contains(t, kpi.Fields[r.KPI], name, "row %s", r.Key())
		}
		_, dup := out[r.Key()]
		require.False(t, dup, "row %s twice", r.Key())
		out[r.Key()] = r
	}
	return out
}

// get returns the values of the row kpi|window|labels ("branch=b1,channel=all").
func (r result) get(t *testing.T, name, window, labels string) map[string]float64 {
	t.Helper()
	row, ok := r[name+"|"+window+"|"+labels]
	require.True(t, ok, "no row %s|%s|%s; have %v", name, window, labels, r.keys(name))
	return row.Values
}

// has reports whether the row exists.
func (r result) has(name, window, labels string) bool {
	_, ok := r[name+"|"+window+"|"+labels]
	return ok
}

// keys lists the row keys of one KPI, for failure messages.
func (r result) keys(name string) []string {
	var out []string
	for k, row := range r {
		if row.KPI == name {
			out = append(out, k)
		}
	}
	return out
}

// count is the number of rows of one KPI.
func (r result) count(name string) int { return len(r.keys(name)) }

// Group labels used throughout.
const (
	b1chat = "branch=b1,channel=chat"
	b1all  = "branch=b1,channel=all"
	allAll = "branch=all,channel=all"
)
