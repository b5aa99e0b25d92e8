package reference

import (
	"time"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// ticketGroup accumulates the ticket KPIs of one group: the tickets opened
// in the window that count in it.
type ticketGroup struct {
	frt, next, resolution samples
	resolved, reopened    float64 // reopened counts resolved tickets only
	fcr                   float64
	opened, selfService   float64
	pending               samples // of the tickets that were pending
	pendingNow            float64
}

// ticketKPIs adds the first_response, next_response, resolution, reopen, fcr
// and volume rows of window w: over tickets opened in [from, as_of), in the
// groups of their opening event (team and agent of their first response).
func (c *computation) ticketKPIs(w kpi.Window, from time.Time) {
	t := table[ticketGroup]{}
	for _, tk := range c.tickets {
		if !in(tk.opened, from, c.p.AsOf) {
			continue
		}
		t.add(c.g.labels(tk.m, scopeTicket), func(a *ticketGroup) {
			a.opened++
			if tk.m.channel == selfService {
				a.selfService++
			}
			if tk.responded {
				a.frt = append(a.frt, tk.frt)
			}
			a.next = append(a.next, tk.next...)
			if len(tk.pauses) > 0 {
				a.pending = append(a.pending, tk.pending)
				if tk.pendingAtAsOf {
					a.pendingNow++
				}
			}
			if tk.resolved {
				a.resolved++
				a.resolution = append(a.resolution, tk.resolution)
				if tk.reopened {
					a.reopened++
				}
				if tk.fcr {
					a.fcr++
				}
			}
		})
	}

	emit(c, kpi.FirstResponse, w.Label, t, func(_ kpi.Labels, a *ticketGroup) map[string]float64 {
		if len(a.frt) == 0 {
			return nil
		}
		v := map[string]float64{"count": float64(len(a.frt))}
		setMean(v, "mean_seconds", a.frt)
		setQuantile(v, "p50_seconds", a.frt, 50)
		setQuantile(v, "p90_seconds", a.frt, 90)
		setQuantile(v, "p95_seconds", a.frt, 95)
		return v
	})
	emit(c, kpi.NextResponse, w.Label, t, func(_ kpi.Labels, a *ticketGroup) map[string]float64 {
		if len(a.next) == 0 {
			return nil
		}
		v := map[string]float64{"count": float64(len(a.next))}
		setMean(v, "mean_seconds", a.next)
		setQuantile(v, "p90_seconds", a.next, 90)
		return v
	})
	emit(c, kpi.Resolution, w.Label, t, func(_ kpi.Labels, a *ticketGroup) map[string]float64 {
		if len(a.resolution) == 0 {
			return nil
		}
		v := map[string]float64{"count": float64(len(a.resolution))}
		setMean(v, "mean_seconds", a.resolution)
		setQuantile(v, "p50_seconds", a.resolution, 50)
		setQuantile(v, "p90_seconds", a.resolution, 90)
		return v
	})
	emit(c, kpi.Pending, w.Label, t, func(_ kpi.Labels, a *ticketGroup) map[string]float64 {
		if len(a.pending) == 0 {
			return nil
		}
		v := map[string]float64{"tickets": float64(len(a.pending)), "pending_now": a.pendingNow}
		setMean(v, "mean_seconds", a.pending)
		setQuantile(v, "p90_seconds", a.pending, 90)
		return v
	})
	emit(c, kpi.Reopen, w.Label, t, func(_ kpi.Labels, a *ticketGroup) map[string]float64 {
		if a.resolved == 0 {
			return nil
		}
		v := map[string]float64{"resolved": a.resolved, "reopened": a.reopened}
		setRatio(v, "ratio", a.reopened, a.resolved)
		return v
	})
	emit(c, kpi.FCR, w.Label, t, func(_ kpi.Labels, a *ticketGroup) map[string]float64 {
		if a.resolved == 0 {
			return nil
		}
		v := map[string]float64{"resolved": a.resolved, "fcr": a.fcr}
		setRatio(v, "ratio", a.fcr, a.resolved)
		return v
	})
	emit(c, kpi.Volume, w.Label, t, func(l kpi.Labels, a *ticketGroup) map[string]float64 {
		if a.opened == 0 {
			return nil
		}
		v := map[string]float64{"opened": a.opened}
		if l.Channel == kpi.All {
			v["self_service"] = a.selfService
			setRatio(v, "self_service_share", a.selfService, a.opened)
			return v
		}
		// share: of the same group over all channels.
		all := l
		all.Channel = kpi.All
		if b := t[all]; b != nil {
			setRatio(v, "share", a.opened, b.opened)
		}
		return v
	})
}

// selfService is the channel whose share of volume is published.
const selfService = "self_service"
