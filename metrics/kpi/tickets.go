package kpi

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/cxpulse/cxpulse/metrics/sla"
)

// tickets computes the response-time, resolution, reopen, FCR, volume and SLA
// attainment KPIs, and the ticket counts of the complaint rate.
//
// One query over the longest window serves every window: a ticket's facts
// do not depend on the window, only whether it was opened inside it. Each
// ticket is reduced once to its finest group (every grouping dimension
// set); counts of coarser groups add up from the finest ones, and quantiles
// gather the samples of their member groups, so the work per ticket does not
// multiply with the number of groups.
func (e *Engine) tickets(ctx context.Context, r *run) ([]Row, error) {
	p := r.p
	fine := newFineGroups(r, ticketDims)
	results, next, err := e.ticketResults(ctx, r, fine)
	if err != nil {
		return nil, err
	}
	// newest first: the tickets of a window are then a prefix of every
	// group's list; ties by key, so that sums add up in the same order on
	// every run (ClickHouse returns the rows in any order) and the same
	// as_of gives the same numbers to the last bit. An index is sorted, not
	// the results, which are five times wider.
	type order struct {
		opened uint64
		key    ticketKey
		i      int32
	}
	byAge := make([]order, len(results))
	for i := range results {
		byAge[i] = order{results[i].opened, results[i].key, int32(i)}
	}
	slices.SortFunc(byAge, func(a, b order) int {
		if c := cmp.Compare(b.opened, a.opened); c != 0 {
			return c
		}
		return a.key.compare(b.key)
	})
	sizes := make([]int, len(fine.values))
	for i := range results {
		sizes[results[i].fine]++
	}
	members := make([][]int32, len(fine.values))
	for f, n := range sizes {
		members[f] = make([]int32, 0, n)
	}
	for _, o := range byAge {
		f := results[o.i].fine
		members[f] = append(members[f], o.i)
	}
	// the windows are independent: computed side by side, each into its
	// own rows and its own complaint table, joined in window order
	perWindow := make([][]Row, len(p.Windows))
	for _, w := range p.Windows {
		r.complaint(w.Label)
	}
	var wg sync.WaitGroup
	limit := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, w := range p.Windows {
		wg.Add(1)
		limit <- struct{}{}
		go func() {
			defer func() { <-limit; wg.Done() }()
			from := uint64(windowSpan(p, w).fromMs())
			in := make([][]int32, len(members)) // per finest group, its tickets in the window
			for f, m := range members {
				n := sort.Search(len(m), func(k int) bool { return results[m[k]].opened < from })
				in[f] = m[:n]
			}
			perWindow[i] = r.ticketRows(w, fine, results, next, in)
		}()
	}
	wg.Wait()
	var out []Row
	for _, rows := range perWindow {
		out = append(out, rows...)
	}
	if r.want[SLADecisions] {
		out = append(out, r.decisionRows(fine, results)...)
	}
	return out, nil
}

// newestVersions keeps, of the results computed from several versions of a
// ticket's kept facts (folds not yet merged away), the newest one, with its
// group (groups is parallel to results), and drops it when it is a
// tombstone. A tombstone has the version of the fold that moved the ticket
// less one: it beats the older folds in its month, and loses to that fold.
func newestVersions(results []ticketResult, groups []*ticketGroup) ([]ticketResult, []*ticketGroup) {
	newest := make(map[ticketKey]int32, len(results))
	repeated, gone := false, false
	for i := range results {
		k := results[i].key
		gone = gone || results[i].gone
		j, ok := newest[k]
		if !ok {
			newest[k] = int32(i)
			continue
		}
		repeated = true
		if newer(results[i].version, results[i].gone, results[j].version, results[j].gone) {
			newest[k] = int32(i)
		}
	}
	if !repeated && !gone {
		return results, groups
	}
	kept, keptGroups := results[:0], groups[:0]
	for i := range results {
		if newest[results[i].key] == int32(i) && !results[i].gone {
			kept = append(kept, results[i])
			keptGroups = append(keptGroups, groups[i])
		}
	}
	return kept, keptGroups
}

// newer reports whether a fold (version, tombstone or not) supersedes another.
func newer(v uint64, gone bool, than uint64, thanGone bool) bool {
	return v > than || (v == than && thanGone && !gone)
}

// decisionRows counts, per burn window, the tickets whose SLA outcome was
// decided inside it, by group, policy, target and outcome.
func (r *run) decisionRows(fine *fineGroups, results []ticketResult) []Row {
	asOf := uint64(r.p.AsOf.UnixMilli())
	groups := fine.coarse()
	var out []Row
	for _, w := range r.p.BurnWindows {
		from := asOf - uint64(w.Duration.Milliseconds())
		counts := map[[3]int]*[4]float64{}
		for i := range results {
			t := &results[i]
			if t.policy < 0 {
				continue
			}
			for k, o := range t.sla {
				if (o != slaMet && o != slaBreached) || t.decidedAt[k] < from || t.decidedAt[k] >= asOf {
					continue
				}
				key := [3]int{int(t.fine), t.policy, k}
				c := counts[key]
				if c == nil {
					c = &[4]float64{}
					counts[key] = c
				}
				c[o]++
			}
		}
		out = append(out, r.slaRows(SLADecisions, w.Label, groups, counts, func(s *[4]float64) map[string]float64 {
			return map[string]float64{"met": s[slaMet], "breached": s[slaBreached]}
		})...)
	}
	return out
}

// slaRows rolls per-finest-group SLA counts (keyed by finest group, policy,
// target) up into every group and turns them into rows.
func (r *run) slaRows(kpi, window string, groups []coarseGroup, fine map[[3]int]*[4]float64, values func(*[4]float64) map[string]float64) []Row {
	coarse := map[slaKey]*[4]float64{}
	var order []slaKey
	for _, g := range groups {
		for _, f := range g.members {
			for pi := range r.p.Policies {
				for k := 0; k < 2; k++ {
					s := fine[[3]int{f, pi, k}]
					if s == nil {
						continue
					}
					key := slaKey{g.labels, pi, k}
					acc := coarse[key]
					if acc == nil {
						acc = &[4]float64{}
						coarse[key] = acc
						order = append(order, key)
					}
					for o := range s {
						acc[o] += s[o]
					}
				}
			}
		}
	}
	out := make([]Row, 0, len(order))
	for _, key := range order {
		l := key.group
		l.Policy = r.p.Policies[key.policy].Name
		l.Target = sla.TargetFirstResponse
		if key.target == 1 {
			l.Target = sla.TargetResolution
		}
		out = append(out, Row{KPI: kpi, Window: window, AsOf: r.p.AsOf, Labels: l, Values: values(coarse[key])})
	}
	return out
}

// ticketCounts are the counters of one group in one window.
type ticketCounts struct {
	opened, selfService, resolved, reopened, fcr float64
}

func (c *ticketCounts) add(o ticketCounts) {
	c.opened += o.opened
	c.selfService += o.selfService
	c.resolved += o.resolved
	c.reopened += o.reopened
	c.fcr += o.fcr
}

// slaKey is a group's SLA cell: policy and target within a group.
type slaKey struct {
	group  Labels
	policy int
	target int
}

// ticketRows computes the rows of one window from the tickets in it.
func (r *run) ticketRows(w Window, fine *fineGroups, results []ticketResult, next []float64, in [][]int32) []Row {
	p, want := r.p, r.want
	// counters of the finest groups, then of every group
	counts := make([]ticketCounts, len(in))
	slaFine := map[[3]int]*[4]float64{} // fine group, policy, target → outcome counts
	for f, ids := range in {
		c := &counts[f]
		for _, i := range ids {
			t := &results[i]
			c.opened++
			if t.selfService {
				c.selfService++
			}
			if t.resolved {
				c.resolved++
				if t.reopened {
					c.reopened++
				}
				if t.fcr {
					c.fcr++
				}
			}
			if t.policy >= 0 {
				for k, o := range t.sla {
					if o == slaNone {
						continue
					}
					key := [3]int{f, t.policy, k}
					s := slaFine[key]
					if s == nil {
						s = &[4]float64{}
						slaFine[key] = s
					}
					s[o]++
				}
			}
		}
	}
	groups := fine.coarse()
	var out []Row
	row := func(kpi string, l Labels, v map[string]float64) {
		out = append(out, Row{KPI: kpi, Window: w.Label, AsOf: p.AsOf, Labels: l, Values: v})
	}
	totals := map[Labels]ticketCounts{}
	for _, g := range groups {
		var c ticketCounts
		for _, f := range g.members {
			c.add(counts[f])
		}
		totals[g.labels] = c
	}
	var buf []float64
	for _, g := range groups {
		c := totals[g.labels]
		if c.opened == 0 {
			continue
		}
		l := g.labels
		if want[Volume] {
			v := map[string]float64{"opened": c.opened}
			if l.Channel == All {
				v["self_service"] = c.selfService
				ratio(v, "self_service_share", c.selfService, c.opened)
			} else {
				all := l
				all.Channel = All
				ratio(v, "share", c.opened, totals[all].opened)
			}
			row(Volume, l, v)
		}
		if c.resolved > 0 {
			if want[Reopen] {
				v := map[string]float64{"resolved": c.resolved, "reopened": c.reopened}
				ratio(v, "ratio", c.reopened, c.resolved)
				row(Reopen, l, v)
			}
			if want[FCR] {
				v := map[string]float64{"resolved": c.resolved, "fcr": c.fcr}
				ratio(v, "ratio", c.fcr, c.resolved)
				row(FCR, l, v)
			}
		}
		gather := func(pick func(t *ticketResult, dst []float64) []float64) []float64 {
			buf = buf[:0]
			for _, f := range g.members {
				for _, i := range in[f] {
					buf = pick(&results[i], buf)
				}
			}
			return buf
		}
		durations := func(kpi string, xs []float64, qs ...string) {
			if len(xs) == 0 {
				return
			}
			v := map[string]float64{"count": float64(len(xs)), "mean_seconds": mean(xs)}
			for i, x := range quantiles(xs, qs) {
				v[qs[i]] = x
			}
			row(kpi, l, v)
		}
		scalar := func(get func(t *ticketResult) float64) func(t *ticketResult, dst []float64) []float64 {
			return func(t *ticketResult, dst []float64) []float64 {
				if x := get(t); !math.IsNaN(x) {
					dst = append(dst, x)
				}
				return dst
			}
		}
		if want[FirstResponse] {
			durations(FirstResponse, gather(scalar(func(t *ticketResult) float64 { return t.frt })), "p50_seconds", "p90_seconds", "p95_seconds")
		}
		if want[Resolution] {
			durations(Resolution, gather(scalar(func(t *ticketResult) float64 { return t.resolution })), "p50_seconds", "p90_seconds")
		}
		if want[NextResponse] {
			durations(NextResponse, gather(func(t *ticketResult, dst []float64) []float64 { return append(dst, next[t.next[0]:t.next[1]]...) }), "p90_seconds")
		}
		if want[Pending] {
			if xs := gather(scalar(func(t *ticketResult) float64 { return t.pending })); len(xs) > 0 {
				now := 0.0
				for _, f := range g.members {
					for _, i := range in[f] {
						if results[i].pendingNow {
							now++
						}
					}
				}
				v := map[string]float64{"tickets": float64(len(xs)), "pending_now": now, "mean_seconds": mean(xs)}
				v["p90_seconds"] = quantiles(xs, []string{"p90_seconds"})[0]
				row(Pending, l, v)
			}
		}
	}
	if want[SLA] {
		out = append(out, r.slaRows(SLA, w.Label, groups, slaFine, func(s *[4]float64) map[string]float64 {
			v := map[string]float64{"met": s[slaMet], "breached": s[slaBreached], "pending": s[slaPending]}
			ratio(v, "attainment_ratio", s[slaMet], s[slaMet]+s[slaBreached])
			return v
		})...)
	}
	// the complaint rate's ticket counts, grouped like complaints
	complaints := r.complaint(w.Label)
	for f, ids := range in {
		if len(ids) == 0 {
			continue
		}
		n := float64(len(ids))
		complaints.each(r.g.labels(fine.values[f], surveyDims), func(c *cell) { c.add("tickets_opened", n) })
	}
	return out
}
