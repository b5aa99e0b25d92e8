package gen

// Outcome shares of appointments and callbacks; the planted branches use
// their own.
const (
	apptNoShow        = 0.03 // booked, never started
	apptLate          = 0.12 // started 6–15 min late
	lateApptNoShow    = 0.05
	lateApptLate      = 0.60 // started 15–30 min late
	callbackNever     = 0.05
	callbackLate      = 0.10
	brokenNever       = 0.30
	brokenLate        = 0.45
	rescheduledShare  = 6 // percent of appointments moved once
	visitAmountShare  = 85
	medianVisitAmount = 3000 // cents
)

// visit is a customer's visit or purchase, mostly in person, usually with
// the amount spent. The visit of a customer who left (gone) makes the same
// draws and is not sent.
func (r *run) visit(b *branchRun, cust uint32, at int64, gone bool) {
	rng := b.rng
	it := item{typ: tVisit, at: at, cust: cust, chn: chInPerson + 1, scor: -1, cent: -1}
	if rng.IntN(5) == 0 {
		it.chn = chWeb + 1
	}
	if rng.IntN(100) < visitAmountShare {
		it.cent = int32(min(lognormal(rng, medianVisitAmount, 0.8), 1e8))
	}
	r.pushKept(b, it, !gone)
}

// appointment books a slot one to fourteen days ahead at tb, sometimes moves
// it once, and starts it on time, late, or never.
func (r *run) appointment(b *branchRun, tb int64) {
	rng := b.rng
	b.appts++
	base := item{ref: b.appts, cust: b.customer(), scor: -1, cent: -1}
	due := b.clock.slotFrom(rng, tb+int64(1+rng.IntN(14))*day-6*hour+rng.Int64N(12*hour))
	if due == never {
		return
	}
	booked := base
	booked.typ, booked.at, booked.due = tApptScheduled, tb, due
	booked.chn = uint8([]int{chPhone, chWeb, chInPerson}[rng.IntN(3)] + 1)
	if !r.push(b, booked) {
		return
	}
	if rng.IntN(100) < rescheduledShare {
		// Moved to a later slot, by a call while the branch is open, before
		// the original start.
		moved := b.clock.add(tb+int64(float64(due-tb)*(0.2+0.6*rng.Float64())), 0)
		later := b.clock.slotFrom(rng, due+int64(1+rng.IntN(3))*day)
		if moved < due && later != never {
			booked.at, booked.due = moved, later
			if !r.push(b, booked) {
				return
			}
			due = later
		}
	}
	noShow, late, lateFrom, lateSpan := apptNoShow, apptLate, 6*minute, 9*minute
	if b.late {
		noShow, late, lateFrom, lateSpan = lateApptNoShow, lateApptLate, 15*minute, 15*minute
	}
	u := rng.Float64()
	var delay int64
	switch {
	case u < noShow:
		return
	case u < noShow+late:
		delay = lateFrom + rng.Int64N(lateSpan)
		b.upset(base.cust, due+delay)
	default:
		// On time: up to 4 minutes either way, inside the 5-minute grace.
		delay = -4*minute + rng.Int64N(8*minute)
	}
	started := base
	started.typ, started.at, started.agnt = tApptStarted, due+delay, b.agent(false)
	r.push(b, started)
}

// callback promises a call back one to four hours after tp and keeps the
// promise, keeps it late, or forgets it.
func (r *run) callback(b *branchRun, tp int64) {
	rng := b.rng
	b.callbacks++
	base := item{ref: b.callbacks, cust: b.customer(), agnt: b.agent(false), chn: chPhone + 1, scor: -1, cent: -1}
	const quarter = 15 * minute
	due := (tp + hour + rng.Int64N(3*hour) + quarter - 1) / quarter * quarter
	promised := base
	promised.typ, promised.at, promised.due = tCallbackPromised, tp, due
	if !r.push(b, promised) {
		return
	}
	forget, late := callbackNever, callbackLate
	if b.broken {
		forget, late = brokenNever, brokenLate
	}
	done := base
	done.typ = tCallbackCompleted
	switch u := rng.Float64(); {
	case u < forget:
		b.upset(base.cust, due)
		return
	case u < forget+late:
		// Late: whenever staff get round to it, in opening hours.
		b.upset(base.cust, due)
		done.at = b.clock.add(due+minute, ms(rng, hour, 1))
	default:
		done.at = tp + int64(float64(due-tp)*(0.15+0.8*rng.Float64()))
	}
	r.push(b, done)
}
