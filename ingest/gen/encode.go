package gen

import (
	"bytes"
	"strconv"
	"time"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// comments are survey verbatims by mood, in the languages of the branches;
// none holds <, > or &, which encoding/json would escape.
var comments = []string{
	// promoters: 1–5
	"fast and kind", "rychlé a milé jednání", "gyors és kedves kiszolgálás", "veľmi ochotný personál", "szybko i sprawnie",
	// passives: 6–9
	"ok", "trvalo to, ale vyřešeno", "rendben volt", "mogło być szybciej",
	// detractors: 10–14
	"nobody called me back", "čekal jsem příliš dlouho", "senki nem hívott vissza", "nikto sa mi neozval", "obsługa była niemiła",
}

// attributeSets are the producer attributes some events carry. They are
// shared and never modified.
var attributeSets = []map[string]string{
	{"source": "helpdesk"},
	{"source": "web-form", "lang": "cs"},
	{"source": "pos", "terminal": "T2"},
	{"source": "crm", "campaign": "autumn"},
}

var authors = [3]string{"", event.AuthorAgent, event.AuthorCustomer}

// mix is the splitmix64 finaliser, a bijection on uint64: distinct inputs
// give distinct ids.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// uuid formats two 64-bit words in the 8-4-4-4-12 shape of a UUID, which is
// what producers usually send as event_id.
func uuid(hi, lo uint64) string {
	const hexdigits = "0123456789abcdef"
	var b [36]byte
	pos := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[pos] = '-'
			pos++
		}
		w := hi
		if i >= 16 {
			w = lo
		}
		b[pos] = hexdigits[(w>>(60-4*(i%16)))&0xf]
		pos++
	}
	return string(b[:])
}

// eventID is unique per seed, branch and event number; the high bit of the
// second word is reserved for bad messages.
func (r *run) eventID(branch int, n uint32) string {
	return uuid(mix(r.g.cfg.Seed), mix(uint64(branch)<<32|uint64(n)))
}

// idOf formats branch-scoped ids such as praha-1-T000042.
func idOf(branch string, kind byte, n uint32) string {
	var buf [96]byte
	b := append(buf[:0], branch...)
	b = append(b, '-', kind)
	var num [10]byte
	digits := strconv.AppendUint(num[:0], uint64(n), 10)
	for i := len(digits); i < 6; i++ {
		b = append(b, '0')
	}
	return string(append(b, digits...))
}

// teamOf splits a branch's agents: the last eighth serve VIP customers, the
// quarter before them the back office, the rest the front line.
func teamOf(agent, agents int) string {
	vip := max(1, agents/8)
	switch {
	case agent > agents-vip:
		return "vip"
	case agent > agents-vip-max(1, agents/4):
		return "back"
	}
	return "front"
}

// toEvent rebuilds the event.Event an item stands for in r.ev. Its pointer
// fields point into r, which is reused for every event: encoding one event
// allocates only its strings and bytes.
func (r *run) toEvent(it *item) *event.Event {
	b := &r.branches[it.br]
	ev := &r.ev
	*ev = event.Event{
		EventID:    r.eventID(int(it.br), it.id),
		Type:       event.Types[it.typ],
		OccurredAt: r.timeOf(b, it.at, it.loc),
		Branch:     b.name,
		Author:     authors[it.auth],
	}
	if it.chn > 0 {
		ev.Channel = event.Channels[it.chn-1]
	}
	if it.prio > 0 {
		ev.Priority = event.Priorities[it.prio-1]
	}
	if it.tkt > 0 {
		ev.TicketID = idOf(b.name, 'T', it.tkt)
	}
	if it.cust > 0 {
		ev.CustomerID = idOf(b.name, 'C', it.cust)
	}
	if it.ref > 0 {
		kind := byte('A')
		if it.typ == tCallbackPromised || it.typ == tCallbackCompleted {
			kind = 'B'
		}
		ev.RefID = idOf(b.name, kind, it.ref)
	}
	if it.agnt > 0 {
		ev.AgentID = b.agentIDs[it.agnt-1]
		ev.Team = teamOf(int(it.agnt), len(b.agentIDs))
	}
	if it.scor >= 0 {
		r.score = int(it.scor)
		ev.Score = &r.score
	}
	if it.due != 0 {
		r.due = r.timeOf(b, it.due, it.loc)
		ev.DueAt = &r.due
	}
	if it.cent >= 0 {
		r.amount = float64(it.cent) / 100
		ev.Amount = &r.amount
	}
	if it.cmt > 0 {
		ev.Comment = comments[it.cmt-1]
	}
	if it.attr > 0 {
		ev.Attributes = attributeSets[it.attr-1]
	}
	return ev
}

// timeOf writes half of the times in the branch's own offset and half in
// UTC, so that consumers must honour offsets.
func (r *run) timeOf(b *branchRun, ms int64, local bool) time.Time {
	t := time.UnixMilli(ms)
	if local {
		return t.In(b.clock.loc)
	}
	return t.UTC()
}

// encode renders an item as its Kafka record: the bytes json.Marshal gives
// for the event.Event, written through one reused encoder. Key and Value
// share one allocation.
func (r *run) encode(it *item) Record {
	ev := r.toEvent(it)
	r.buf.Reset()
	if err := r.enc.Encode(ev); err != nil {
		// Every field is generated within the contract, so only a bug gets here.
		panic("gen: marshal event: " + err.Error())
	}
	value := bytes.TrimSuffix(r.buf.Bytes(), []byte("\n")) // Encode ends with a newline, Marshal does not
	key := ev.Key()
	buf := make([]byte, len(key)+len(value))
	copy(buf, key)
	copy(buf[len(key):], value)
	return Record{Key: buf[:len(key):len(key)], Value: buf[len(key):], Valid: true, Dup: it.dup, Type: ev.Type}
}
