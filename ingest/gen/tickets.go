package gen

// Channel indexes, in the order of event.Channels.
const (
	chPhone = iota
	chEmail
	chChat
	chSocial
	chWeb
	chInPerson
	chSelfService
	chOther
)

// Channel mixes of tickets opened while the branch is open, and while it is
// closed (only channels that work without staff).
var (
	openHoursMix = [8]float64{0.22, 0.22, 0.24, 0.04, 0.08, 0.10, 0.06, 0.04}
	offHoursMix  = [8]float64{0, 0.40, 0.25, 0.08, 0.15, 0, 0.12, 0}
)

// priorityMix follows event.Priorities: low, normal, high, urgent.
var priorityMix = []float64{0.12, 0.68, 0.15, 0.05}

// priorityPace speeds up (or slows down) responses by priority.
var priorityPace = [4]float64{1.4, 1, 0.7, 0.4}

// Median durations per channel, in ms. Staff times are business time;
// customers answer whenever they like, so theirs are calendar time.
var (
	firstResponse = [8]int64{25 * second, 3 * hour, 100 * second, 40 * minute, 2 * hour, 90 * second, 5 * hour, 2 * hour}
	// slowFirstAnswer is the open time past which a first answer is a bad
	// experience (see UnhappyLeaveShare): the first-response targets of the
	// demo's SLA policies (chat 10 min, phone 30 min, else 4 h)
	slowFirstAnswer = [8]int64{30 * minute, 4 * hour, 10 * minute, 4 * hour, 4 * hour, 4 * hour, 4 * hour, 4 * hour}
	nextResponse    = [8]int64{30 * second, 2 * hour, 80 * second, 30 * minute, hour, minute, 3 * hour, hour}
	customerReply   = [8]int64{2 * minute, 4 * hour, 2 * minute, hour, 3 * hour, 3 * minute, 5 * hour, 2 * hour}
	resolveAfter    = [8]int64{2 * minute, hour, 3 * minute, 20 * minute, 40 * minute, 2 * minute, hour, 30 * minute}
)

// exchangeMix is how many customer-agent exchanges follow the first
// response: none for first-contact resolutions, up to three.
var exchangeMix = []float64{0.45, 0.30, 0.15, 0.10}

// Moods of survey answers: promoter, passive, detractor.
var (
	moodMix         = []float64{0.55, 0.28, 0.17}
	moodMixReopened = []float64{0.35, 0.30, 0.35}
	moodMixLow      = []float64{0.22, 0.28, 0.50}
	moodMixLowReop  = []float64{0.15, 0.25, 0.60}
)

const (
	authorAgent    = 1
	authorCustomer = 2
)

func digital(ch int) bool {
	return ch == chEmail || ch == chChat || ch == chSocial || ch == chWeb || ch == chSelfService
}

// ticket generates one ticket's life from its opening at t0: messages,
// resolution, maybe a reopening, surveys and a complaint. The story stops at
// the first event that would fall at or after End: the ticket is still open.
func (r *run) ticket(b *branchRun, t0 int64, mix *[8]float64) {
	rng := b.rng
	ch := choose(rng, mix[:])
	prio := choose(rng, priorityMix)
	b.tickets++
	var cust uint32
	if rng.IntN(10) > 0 {
		cust = b.customer()
	}
	agent := b.agent(prio == 3)
	base := item{tkt: b.tickets, scor: -1, cent: -1}
	msg := func(at int64, author uint8) bool {
		it := base
		it.typ, it.at, it.auth = tMessage, at, author
		if author == authorAgent {
			it.agnt = agent
		} else {
			it.cust = cust
		}
		return r.push(b, it)
	}

	op := base
	op.typ, op.at, op.chn, op.prio, op.cust = tOpened, t0, uint8(ch+1), uint8(prio+1), cust
	if rng.IntN(8) == 0 {
		op.attr = uint8(1 + rng.IntN(len(attributeSets)))
	}
	if !r.push(b, op) {
		return
	}
	last := t0
	if digital(ch) && rng.Float64() < 0.6 {
		last = t0 + second + rng.Int64N(20*second)
		if !msg(last, authorCustomer) {
			return
		}
	}
	fate := rng.Float64()
	if fate < 0.04 {
		// Never answered; some customers nudge once.
		if cust > 0 {
			b.upset(cust, b.clock.add(t0, slowFirstAnswer[ch]))
		}
		if rng.IntN(2) == 0 {
			msg(last+ms(rng, 3*customerReply[ch], 1), authorCustomer)
		}
		return
	}
	pace := priorityPace[prio]
	if b.slowChat && ch == chChat {
		pace *= SlowChatFactor
	}
	var waited int64 // open time until the answer
	respond := func(from int64, median int64) bool {
		waited = ms(rng, int64(float64(median)*pace), 0.8)
		last = max(b.clock.add(from, waited), from+second)
		return msg(last, authorAgent)
	}
	if !respond(last, firstResponse[ch]) {
		return
	}
	if cust > 0 && waited > slowFirstAnswer[ch] {
		b.upset(cust, last)
	}
	for e := choose(rng, exchangeMix); e > 0; e-- {
		asked := last
		last += ms(rng, customerReply[ch], 1)
		if !r.waitOnCustomer(b, base, e, asked, last) || !msg(last, authorCustomer) {
			return
		}
		if rng.IntN(4) == 0 { // a run of two customer messages
			last += 20*second + rng.Int64N(5*minute)
			if !msg(last, authorCustomer) {
				return
			}
		}
		if rng.IntN(8) == 0 {
			agent = b.backOffice() // escalated
		}
		if !respond(last, nextResponse[ch]) {
			return
		}
	}
	if fate < 0.09 {
		return // answered, never resolved
	}
	resolve := func(from int64) bool {
		last = b.clock.add(from, ms(rng, resolveAfter[ch], 0.7))
		it := base
		it.typ, it.at, it.agnt = tResolved, last, agent
		return r.push(b, it)
	}
	if !resolve(last) {
		return
	}
	reopened := rng.IntN(100) < 8
	if reopened {
		it := base
		it.typ, it.at, it.cust = tReopened, last+ms(rng, 6*hour, 1), cust
		if !r.push(b, it) {
			return
		}
		last = it.at + 5*second + rng.Int64N(minute)
		if !msg(last, authorCustomer) || !respond(last, nextResponse[ch]) || !resolve(last) {
			return
		}
	}
	r.surveys(b, base, cust, ch, last, reopened)
	if rng.IntN(1000) < 15 || (reopened && rng.IntN(100) < 10) {
		it := base
		it.typ, it.at, it.cust, it.chn = tComplaint, last+ms(rng, 3*hour, 1), cust, uint8(ch+1)
		r.push(b, it)
	}
}

// waitOnCustomer marks about one exchange in twelve pending from just after
// the agent's message (asked) until the customer replies (at): half of them
// resumed by that reply alone, half by a ticket.resumed shortly before it
// (the customer phoned). It draws nothing from the branch's random stream,
// so that every other event stays as it was. false: the story ended (End).
func (r *run) waitOnCustomer(b *branchRun, base item, exchange int, asked, at int64) bool {
	h := mix(r.g.cfg.Seed ^ uint64(b.idx)<<48 ^ uint64(base.tkt)<<8 ^ uint64(exchange))
	from := asked + second
	if h%12 != 0 || from >= at {
		return true
	}
	it := base
	it.typ, it.at = tPending, from
	if !r.pushSteady(b, it) {
		return false
	}
	if resumed := at - 30*second; h>>8%2 == 0 && resumed > from {
		it.typ, it.at = tResumed, resumed
		return r.pushSteady(b, it)
	}
	return true
}

// surveys sends a third of resolved tickets' customers a survey; they answer
// one to three questions in one sitting. One mood drives every score, so
// NPS, CSAT and CES of a branch move together.
func (r *run) surveys(b *branchRun, base item, cust uint32, ch int, resolved int64, reopened bool) {
	rng := b.rng
	if rng.IntN(100) >= 35 {
		return
	}
	mix := moodMix
	switch {
	case b.lowNPS && reopened:
		mix = moodMixLowReop
	case b.lowNPS:
		mix = moodMixLow
	case reopened:
		mix = moodMixReopened
	}
	mood := choose(rng, mix)
	nps, csat, ces := rng.IntN(10) < 7, rng.IntN(10) < 6, rng.IntN(10) < 4
	if !nps && !csat && !ces {
		nps = true
	}
	at := resolved + ms(rng, 2*hour, 1)
	send := func(typ uint8, score int) {
		it := base
		it.typ, it.at, it.cust, it.chn, it.scor = typ, at, cust, uint8(ch+1), int8(score)
		if rng.IntN(4) == 0 {
			it.cmt = uint8(1 + commentRange[mood][0] + rng.IntN(commentRange[mood][1]))
		}
		r.push(b, it)
		at += 5*second + rng.Int64N(40*second)
	}
	if nps {
		score := npsScores[mood][rng.IntN(len(npsScores[mood]))]
		if score <= 6 && cust > 0 {
			b.upset(cust, at)
		}
		send(tNPS, score)
	}
	if csat {
		send(tCSAT, csatScores[mood][rng.IntN(len(csatScores[mood]))])
	}
	if ces {
		send(tCES, cesScores[mood][rng.IntN(len(cesScores[mood]))])
	}
}

// Scores per mood, drawn uniformly from each list (repeats weight them).
// CES is "how easy was it", so higher is better, as with the others.
var (
	npsScores    = [3][]int{{9, 10, 10}, {7, 8}, {6, 6, 5, 5, 4, 3, 2, 1, 0}}
	csatScores   = [3][]int{{5, 5, 4}, {4, 4, 3}, {1, 2, 2, 3}}
	cesScores    = [3][]int{{7, 7, 6}, {5, 4}, {1, 2, 3, 3}}
	commentRange = [3][2]int{{0, 5}, {5, 4}, {9, 5}} // first index into comments, how many
)
