package gen

import (
	"math"
	"math/rand/v2"
	"slices"
)

// branchRun is one branch's mutable state during a run. Each branch draws
// from its own random stream, so a branch's data does not change when other
// branches are added.
type branchRun struct {
	idx      int
	name     string
	clock    *clock
	rng      *rand.Rand
	agentIDs []string
	// Counters behind event, ticket, appointment, callback and customer ids.
	events, tickets, appts, callbacks, lastCustomer uint32

	customers []customer
	poolSize  float64 // the steady number of active customers
	// unhappy are the customers who had a bad experience: the instant (ms)
	// of the earliest one not yet decided on, or left once they chose to
	// leave (see UnhappyLeaveShare); decided from their own stream urng, so
	// that rng, and every event it makes, stays as without them
	unhappy map[uint32]int64
	urng    *rand.Rand
	// The planted differences this branch carries.
	slowChat, lowNPS, late, broken bool
}

// customer is an active customer of a branch; churned ones are dropped.
type customer struct {
	id   uint32
	rate float64 // visits per day
}

const (
	visitsPerTicket    = 0.75  // customer visits per ticket, same period
	apptsPerTicket     = 0.2   // appointments booked per ticket
	callbacksPerTicket = 0.15  // callbacks promised per ticket
	offHoursShare      = 0.15  // tickets opened on digital channels while closed
	churnPerDay        = 0.012 // a customer's daily chance to leave for good
	medianVisitsWeek   = 0.7   // median visits per week of a customer
)

func newBranchRun(r *run, i int) branchRun {
	g := r.g
	b := branchRun{
		idx:   i,
		name:  g.branches[i].Name,
		clock: &g.clocks[i],
		rng:   rand.New(rand.NewPCG(g.cfg.Seed, mix(uint64(i)+1))),
		urng:  rand.New(rand.NewPCG(g.cfg.Seed, mix(uint64(i)+1)^unhappyStream)),
	}
	b.slowChat, b.lowNPS = i == SlowChatBranch, i == LowNPSBranch
	b.late, b.broken = i == LateAppointmentsBranch, i == BrokenCallbacksBranch
	// One agent per ~6 tickets a day, as a small office would staff.
	agents := min(max(3, int(math.Ceil(r.tickets/6))), 500)
	for a := 1; a <= agents; a++ {
		b.agentIDs = append(b.agentIDs, b.name+"-a"+itoa(a))
	}
	// Enough customers that, at their visit rates, they make the visits.
	meanRate := medianVisitsWeek / 7 * math.Exp(0.7*0.7/2)
	b.poolSize = max(5, r.tickets*visitsPerTicket/meanRate)
	for range int(b.poolSize) {
		b.newCustomer()
	}
	return b
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

func (b *branchRun) newCustomer() {
	b.lastCustomer++
	rate := lognormal(b.rng, medianVisitsWeek/7, 0.7)
	b.customers = append(b.customers, customer{id: b.lastCustomer, rate: rate})
}

// customer picks an active customer for a ticket, booking or callback; one
// who left after a bad experience is replaced by another (from urng).
func (b *branchRun) customer() uint32 {
	id := b.customers[b.rng.IntN(len(b.customers))].id
	for try := 0; b.gone(id) && try < 20; try++ {
		id = b.customers[b.urng.IntN(len(b.customers))].id
	}
	return id
}

// unhappyStream tells the stream of the unhappy customers' departures apart
// from the branch's own.
const unhappyStream = 0x6c65617665 // "leave"

// left marks, in unhappy, a customer who left after a bad experience.
const left = -1

// gone reports whether the customer left after a bad experience.
func (b *branchRun) gone(cust uint32) bool {
	at, ok := b.unhappy[cust]
	return ok && at == left
}

// upset records that a customer had a bad experience at instant at (ms).
func (b *branchRun) upset(cust uint32, at int64) {
	if b.unhappy == nil {
		b.unhappy = map[uint32]int64{}
	}
	if cur, ok := b.unhappy[cust]; ok && (cur == left || cur <= at) {
		return
	}
	b.unhappy[cust] = at
}

// unhappyLeave is UnhappyLeaveShare; tests set it to 0 to see what the
// plant changes.
var unhappyLeave = UnhappyLeaveShare

// leave decides, for each customer whose bad experience happened before
// now, whether they leave for good (UnhappyLeaveShare) or stay as before.
// One who left stays in the pool as it was (so that the branch's stream
// draws as before) but makes no more visits and is picked for nothing.
func (b *branchRun) leave(now int64) {
	var ids []uint32
	for id, at := range b.unhappy {
		if at != left && at < now {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // map order is random; the draws must not be
	for _, id := range ids {
		if b.urng.Float64() < unhappyLeave {
			b.unhappy[id] = left
		} else {
			delete(b.unhappy, id)
		}
	}
}

// agent picks who handles work: urgent tickets mostly go to the VIP desk,
// everything else to the front line, now and then to anyone.
func (b *branchRun) agent(urgent bool) uint16 {
	n := len(b.agentIDs)
	vip, back := max(1, n/8), max(1, n/4)
	front := n - vip - back
	switch {
	case urgent && b.rng.IntN(5) > 0:
		return uint16(n - vip + 1 + b.rng.IntN(vip))
	case b.rng.IntN(10) == 0:
		return uint16(1 + b.rng.IntN(n))
	}
	return uint16(1 + b.rng.IntN(front))
}

// backOffice picks an agent of the back team, for escalated tickets.
func (b *branchRun) backOffice() uint16 {
	n := len(b.agentIDs)
	vip, back := max(1, n/8), max(1, n/4)
	return uint16(n - vip - back + 1 + b.rng.IntN(back))
}

// slot generates everything that starts at branch b in [a, z): customer
// turnover, tickets, visits, appointments and callbacks. Volumes follow the
// open time of the slot, so weekends and holidays are quiet.
func (r *run) slot(b *branchRun, a, z int64) {
	rng := b.rng
	ivs, open := b.clock.clip(r.ivs[:0], a, z)
	r.ivs = ivs
	f := float64(open) / b.clock.dayOpen

	for i := 0; i < len(b.customers); {
		if rng.Float64() < churnPerDay {
			delete(b.unhappy, b.customers[i].id)
			last := len(b.customers) - 1
			b.customers[i] = b.customers[last]
			b.customers = b.customers[:last]
			continue
		}
		i++
	}
	// Arrivals slightly outpace churn: a growing chain.
	for range count(rng, b.poolSize*churnPerDay*1.05) {
		b.newCustomer()
	}

	for range count(rng, r.tickets*offHoursShare) {
		r.ticket(b, a+rng.Int64N(z-a), &offHoursMix)
	}
	if open == 0 {
		return
	}
	at := func() int64 { return pick(ivs, rng.Int64N(open)) }
	for range count(rng, r.tickets*(1-offHoursShare)*f) {
		r.ticket(b, at(), &openHoursMix)
	}
	b.leave(a)
	for _, c := range b.customers {
		if rng.Float64() < c.rate*f {
			r.visit(b, c.id, at(), b.gone(c.id))
		}
	}
	for range count(rng, r.tickets*apptsPerTicket*f) {
		r.appointment(b, at())
	}
	for range count(rng, r.tickets*callbacksPerTicket*f) {
		r.callback(b, at())
	}
}

// lognormal draws a positive duration or amount around its median; sigma
// sets the spread (0.8 gives p90 ≈ 2.8× the median).
func lognormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// ms draws a lognormal duration in milliseconds.
func ms(r *rand.Rand, median int64, sigma float64) int64 {
	return int64(lognormal(r, float64(median), sigma))
}

// count rounds a mean count to an integer with the right expectation.
func count(r *rand.Rand, x float64) int {
	n := int(x)
	if r.Float64() < x-float64(n) {
		n++
	}
	return n
}

// choose draws an index with the given weights, which sum to 1.
func choose(r *rand.Rand, weights []float64) int {
	u := r.Float64()
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
