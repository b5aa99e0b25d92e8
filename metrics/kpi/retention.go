package kpi

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// retention computes rolling retention per branch (and the fleet, summed over
// branches) for every window, in one query, and from its counts retention by
// service experience when wanted.
func (e *Engine) retention(ctx context.Context, r *run) ([]Row, error) {
	tables, err := e.retentionTables(ctx, r)
	if err != nil {
		return nil, err
	}
	var out []Row
	if r.want[Retention] {
		for _, t := range tables {
			out = append(out, t.rows(r.p, func(_ Labels, c *cell) map[string]float64 {
				prev := c.sum("previous")
				if prev == 0 && c.sum("current") == 0 {
					return nil // nobody active: no value
				}
				v := map[string]float64{"previous": prev, "current": c.sum("current"), "retained": c.sum("retained"),
					"churned": prev - c.sum("retained")}
				ratio(v, "retention_ratio", c.sum("retained"), prev)
				return v
			})...)
		}
	}
	if r.want[Experience] {
		rows, err := e.experience(ctx, r, tables)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// retentionTables counts, per window (in p.Windows order) and group, the
// customers previously active, active now and retained.
func (e *Engine) retentionTables(ctx context.Context, r *run) ([]*table, error) {
	p := r.p
	starts2, starts1 := make([]uint64, len(p.Windows)), make([]uint64, len(p.Windows))
	for i, w := range p.Windows {
		mid := p.AsOf.Add(-w.Duration)
		starts1[i], starts2[i] = uint64(mid.UnixMilli()), uint64(mid.Add(-w.Duration).UnixMilli())
	}
	longest := longestWindow(p.Windows)
	s := span{from: p.AsOf.Add(-2 * longest.Duration), to: p.AsOf}
	tables := make([]*table, len(p.Windows))
	for i, w := range p.Windows {
		tables[i] = newTable(Retention, w.Label)
	}
	err := e.query(ctx, "retention", retentionArgs{starts1: starts1, masks: customerMasksArgs{starts1: starts1, starts2: starts2, s: s}}, func(rows driver.Rows) error {
		var branch string
		var w uint32
		var previous, current, retained uint64
		if err := rows.Scan(&branch, &w, &previous, &current, &retained); err != nil {
			return err
		}
		if w < 1 || int(w) > len(tables) {
			return fmt.Errorf("window index %d out of range", w)
		}
		tables[w-1].each(r.g.labels(r.g.values(branch, "", "", "", ""), branchDims), func(c *cell) {
			c.add("previous", float64(previous))
			c.add("current", float64(current))
			c.add("retained", float64(retained))
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tables, nil
}

// CohortMonths is how many monthly cohorts are computed, ending with the
// month of as_of, and the largest k.
const CohortMonths = 13

// HistoryReach is how far before as_of the KPI jobs read events: the ticket
// facts' range, retention's longest window with the one before it, and the
// cohort months (each as long as a month can be, and a day for the time
// zone). Older history should cost a refresh next to nothing: it is skipped
// by partition and primary key.
func HistoryReach(p Params, asOf time.Time) time.Duration {
	p = p.WithDefaults()
	reach := asOf.Sub(TicketFactsFrom(p, asOf))
	reach = max(reach, 2*longestWindow(p.Windows).Duration)
	return max(reach, time.Duration(CohortMonths*31+1)*24*time.Hour)
}

// cohorts computes the monthly cohort triangle per branch, one query per time
// zone because a month starts at local midnight.
func (e *Engine) cohorts(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	byZone := map[string][]string{}
	for _, b := range p.Calendars.Branches() {
		z := p.Calendars.Location(b).String()
		byZone[z] = append(byZone[z], b)
	}
	zones := make([]string, 0, len(byZone))
	for z := range byZone {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	// customer_months_v2 holds UTC months: the complete ones come from there,
	// the one as_of falls in from the events
	endMonth := utcMonth(p.AsOf)
	t := newTable(Cohort, "cohort")
	add := func(zone string, branches []string) error {
		if len(branches) == 0 {
			return nil
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return fmt.Errorf("cohorts: zone %q: %w", zone, err)
		}
		// the as_of month in every zone differs by a day at most; the first
		// cohort is taken from the zone of the branches queried
		local := p.AsOf.Add(-time.Millisecond).In(loc)
		asOfMonth := local.Year()*12 + int(local.Month()) - 1
		first := asOfMonth - (CohortMonths - 1)
		firstStart := time.Date(first/12, time.Month(first%12+1), 1, 0, 0, 0, 0, loc)
		q := cohortsArgs{zone: zone, branches: branches, firstStart: firstStart, endMonth: endMonth, asOf: p.AsOf}
		return e.query(ctx, "cohorts", q, func(rows driver.Rows) error {
			var branch string
			var cohort uint32
			var k int64
			var active uint64
			if err := rows.Scan(&branch, &cohort, &k, &active); err != nil {
				return err
			}
			ls := r.g.labels(r.g.values(branch, "", "", "", ""), branchDims)
			name := fmt.Sprintf("%04d-%02d", cohort/100, cohort%100)
			for _, l := range ls {
				l.Cohort, l.K = name, int(k)
				t.at(l).add("active", float64(active))
			}
			if k == 0 {
				// every month from the cohort's to as_of's has a cell, a
				// month nobody came back in too (a true 0)
				last := min(CohortMonths-1, asOfMonth-(int(cohort/100)*12+int(cohort%100)-1))
				for kk := 1; kk <= last; kk++ {
					for _, l := range ls {
						l.Cohort, l.K = name, kk
						t.at(l).add("active", 0)
					}
				}
			}
			return nil
		})
	}
	configured := map[string]bool{}
	for _, z := range zones {
		if err := add(z, byZone[z]); err != nil {
			return nil, err
		}
		for _, b := range byZone[z] {
			configured[b] = true
		}
	}
	// branches without a calendar count their months in UTC
	var rest []string
	err := e.query(ctx, "branches", branchesArgs{p.AsOf}, func(rows driver.Rows) error {
		var b string
		if err := rows.Scan(&b); err != nil {
			return err
		}
		if !configured[b] {
			rest = append(rest, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(rest)
	if err := add("UTC", rest); err != nil {
		return nil, err
	}
	return t.rows(p, func(l Labels, c *cell) map[string]float64 {
		size := l
		size.K = 0
		n := t.get(size).sum("active")
		v := map[string]float64{"size": n, "active": c.sum("active")}
		ratio(v, "ratio", c.sum("active"), n)
		return v
	}), nil
}

// utcMonth is the start of t's month in UTC.
func utcMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
