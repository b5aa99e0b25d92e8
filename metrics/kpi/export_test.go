package kpi

import "strings"

// WithCollidingIDHashes makes the first 64-bit hash of every ticket, ref
// and customer id its length, so that ids of one length collide: what two
// ids whose cityHash64 is equal would do, without searching for such a pair.
// With bothWeak the second hash (sipHash64) collides too, as if the engine
// grouped by one hash only (the code before issue 16).
func (e *Engine) WithCollidingIDHashes(bothWeak bool) *Engine {
	var pairs []string
	for _, id := range []string{"ticket_id", "ref_id", "customer_id"} {
		pairs = append(pairs, "cityHash64("+id+")", "toUInt64(length("+id+"))")
		if bothWeak {
			pairs = append(pairs, "sipHash64("+id+")", "toUInt64(length("+id+"))")
		}
	}
	e.rewrite = strings.NewReplacer(pairs...).Replace
	return e
}
