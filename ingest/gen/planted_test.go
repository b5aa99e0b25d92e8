package gen

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// kpis are the per-branch figures the planted differences must move,
// computed from the stream as docs/KPIS.md defines them (in calendar time,
// which is enough to see the differences).
type kpis struct {
	chatFRT     time.Duration // median first response on chat
	nps         float64
	onTime      float64 // share of started appointments with delay ≤ 5 min
	promiseKept float64 // share of due callbacks completed by due_at
}

func measure(evs []decoded, end time.Time) map[string]*kpis {
	type ticket struct {
		branch, channel string
		opened, first   time.Time
	}
	tickets := map[string]*ticket{}
	type pair struct {
		branch        string
		booked, due   time.Time
		started, done time.Time
	}
	appts, callbacks := map[string]*pair{}, map[string]*pair{}
	promoters, detractors, answers := map[string]int{}, map[string]int{}, map[string]int{}
	get := func(m map[string]*pair, ref, branch string) *pair {
		if m[ref] == nil {
			m[ref] = &pair{branch: branch}
		}
		return m[ref]
	}
	earliest := func(cur *time.Time, t time.Time) {
		if cur.IsZero() || t.Before(*cur) {
			*cur = t
		}
	}
	// Messages may arrive before their ticket.opened, so tickets first.
	for _, d := range evs {
		if d.ev.Type == event.TicketOpened {
			tickets[d.ev.TicketID] = &ticket{branch: d.ev.Branch, channel: d.ev.Channel, opened: d.ev.OccurredAt}
		}
	}
	for _, d := range evs {
		ev := d.ev
		switch ev.Type {
		case event.TicketMessage:
			if tk := tickets[ev.TicketID]; tk != nil && ev.Author == event.AuthorAgent && !ev.OccurredAt.Before(tk.opened) {
				earliest(&tk.first, ev.OccurredAt)
			}
		case event.SurveyNPS:
			answers[ev.Branch]++
			if *ev.Score >= 9 {
				promoters[ev.Branch]++
			} else if *ev.Score <= 6 {
				detractors[ev.Branch]++
			}
		case event.AppointmentScheduled, event.CallbackPromised:
			m := appts
			if ev.Type == event.CallbackPromised {
				m = callbacks
			}
			// The scheduling that occurred last wins (a reschedule).
			if p := get(m, ev.RefID, ev.Branch); ev.OccurredAt.After(p.booked) {
				p.booked, p.due = ev.OccurredAt, *ev.DueAt
			}
		case event.AppointmentStarted:
			earliest(&get(appts, ev.RefID, ev.Branch).started, ev.OccurredAt)
		case event.CallbackCompleted:
			earliest(&get(callbacks, ev.RefID, ev.Branch).done, ev.OccurredAt)
		}
	}
	out := map[string]*kpis{}
	at := func(b string) *kpis {
		if out[b] == nil {
			out[b] = &kpis{}
		}
		return out[b]
	}
	frts := map[string][]time.Duration{}
	for _, tk := range tickets {
		if tk.channel == "chat" && !tk.first.IsZero() {
			frts[tk.branch] = append(frts[tk.branch], tk.first.Sub(tk.opened))
		}
	}
	for b, ds := range frts {
		slices.Sort(ds)
		at(b).chatFRT = ds[len(ds)/2]
	}
	for b, n := range answers {
		at(b).nps = 100 * float64(promoters[b]-detractors[b]) / float64(n)
	}
	share := func(m map[string]*pair, ok func(*pair) (counted, good bool), set func(*kpis, float64)) {
		num, den := map[string]int{}, map[string]int{}
		for _, p := range m {
			if counted, good := ok(p); counted {
				den[p.branch]++
				if good {
					num[p.branch]++
				}
			}
		}
		for b, n := range den {
			set(at(b), float64(num[b])/float64(n))
		}
	}
	share(appts, func(p *pair) (bool, bool) {
		return !p.due.IsZero() && !p.started.IsZero(), p.started.Sub(p.due) <= 5*time.Minute
	}, func(k *kpis, v float64) { k.onTime = v })
	share(callbacks, func(p *pair) (bool, bool) {
		return !p.due.IsZero() && p.due.Before(end), !p.done.IsZero() && !p.done.After(p.due)
	}, func(k *kpis, v float64) { k.promiseKept = v })
	return out
}

func TestPlantedDifferencesAreVisible(t *testing.T) {
	g, recs, _ := collect(t, Config{End: end, Seed: 11})
	planted := g.Planted()
	got := measure(originals(t, recs, end), end)
	for _, b := range g.Branches() {
		k := got[b.Name]
		t.Logf("%-13s chat FRT p50 %8s  NPS %6.1f  on time %.2f  promise kept %.2f", b.Name, k.chatFRT.Round(time.Second), k.nps, k.onTime, k.promiseKept)
	}
	for _, b := range g.Branches() {
		k, name := got[b.Name], b.Name
		if name != planted.SlowChat {
			require.GreaterOrEqual(t, got[planted.SlowChat].chatFRT, 3*k.chatFRT, "chat of %s as slow as the planted one", name)
		}
		if name != planted.LowNPS {
			require.Greater(t, k.nps-got[planted.LowNPS].nps, 30.0, "NPS of %s close to the planted one", name)
		}
		if name != planted.LateAppointments {
			require.Greater(t, k.onTime-got[planted.LateAppointments].onTime, 0.3, "punctuality of %s close to the planted one", name)
		}
		if name != planted.BrokenCallbacks {
			require.Greater(t, k.promiseKept-got[planted.BrokenCallbacks].promiseKept, 0.3, "promise kept of %s close to the planted one", name)
		}
	}
}

// BenchmarkGenerate measures generation speed; -benchmem gives the
// allocations per run, allocs/event per event. The 2M case is what the
// pipeline benchmark asks for; it also reports the heap in use at the end of
// each day, which must not grow with the total.
func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name   string
		target int
	}{{"200k", 200_000}, {"2M", 2_000_000}} {
		b.Run(bc.name, func(b *testing.B) {
			g, err := New(Config{End: end, Seed: 1, TargetEvents: bc.target, DupRatio: 0.01, BadRatio: 0.001})
			if err != nil {
				b.Fatal(err)
			}
			var events int
			var peak uint64
			var ms runtime.MemStats
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				n := 0
				if _, err := g.Run(context.Background(), func(Record) error {
					if n++; n%100_000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				events += n
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
		})
	}
}
