package kpi

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// retention computes rolling retention per branch (and the fleet, summed over
// branches) for every window.
func (e *Engine) retention(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	var out []Row
	for _, w := range p.Windows {
		mid := p.AsOf.Add(-w.Duration)
		s := span{from: mid.Add(-w.Duration), to: p.AsOf}
		t := newTable(Retention, w.Label)
		err := e.query(ctx, "retention", func(rows driver.Rows) error {
			var branch string
			var prev, cur, kept uint64
			if err := rows.Scan(&branch, &prev, &cur, &kept); err != nil {
				return err
			}
			t.each(r.g.labels(r.g.values(branch, "", "", "", ""), branchDims), func(c *cell) {
				c.add("previous", float64(prev))
				c.add("current", float64(cur))
				c.add("retained", float64(kept))
			})
			return nil
		}, mid.UnixMilli(), mid.UnixMilli(), s.fromS(), s.toS(), s.fromMs(), s.toMs())
		if err != nil {
			return nil, err
		}
		out = append(out, t.rows(p, func(_ Labels, c *cell) map[string]float64 {
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
	return out, nil
}

// CohortMonths is how many monthly cohorts are computed, ending with the
// month of as_of, and the largest k.
const CohortMonths = 13

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
	t := newTable(Cohort, "cohort")
	add := func(zone string, branches []string, inclusive bool) error {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return fmt.Errorf("cohorts: zone %q: %w", zone, err)
		}
		// the as_of month in every zone differs by a day at most; the first
		// cohort is taken from the zone of the branches queried
		local := p.AsOf.Add(-time.Millisecond).In(loc)
		asOfMonth := local.Year()*12 + int(local.Month()) - 1
		first := asOfMonth - (CohortMonths - 1)
		incl := uint8(0)
		if inclusive {
			incl = 1
		}
		if len(branches) == 0 {
			// no branch is named "" (EVENTS.md), and old servers reject has([], x)
			branches = []string{""}
		}
		return e.query(ctx, "cohorts", func(rows driver.Rows) error {
			var branch string
			var cohort uint32
			var k int64
			var n uint64
			if err := rows.Scan(&branch, &cohort, &k, &n); err != nil {
				return err
			}
			ls := r.g.labels(r.g.values(branch, "", "", "", ""), branchDims)
			name := fmt.Sprintf("%04d-%02d", cohort/100, cohort%100)
			for _, l := range ls {
				l.Cohort, l.K = name, int(k)
				t.at(l).add("active", float64(n))
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
		}, zone, zone, branches, incl, p.AsOf.UnixMilli()/1000, p.AsOf.UnixMilli(), first)
	}
	var configured []string
	for _, z := range zones {
		if err := add(z, byZone[z], true); err != nil {
			return nil, err
		}
		configured = append(configured, byZone[z]...)
	}
	// branches without a calendar count their months in UTC
	if err := add("UTC", configured, false); err != nil {
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
