package stats

import (
	"cmp"
	"math"
	"slices"
)

// pairDiffs stands for the n·m differences x_i − y_j of two sorted samples,
// whose order statistics give the Hodges–Lehmann shift and Moses' interval.
// They are never built: every question runs over the rows of the smaller
// sample and binary-searches the larger one. When the smaller is y,
// questions are mirrored onto y − x, since x_i − y_j = −(y_j − x_i) exactly
// in floating point. Comparisons are made on the computed difference itself,
// so counts and returned values agree even where subtraction rounds.
type pairDiffs struct {
	x, y []float64
	// gather is how few candidates kth sorts outright; 0: max(1024, 8·rows).
	// Tests set it low to exercise the search.
	gather int64
}

func (d pairDiffs) pairs() int64 { return int64(len(d.x)) * int64(len(d.y)) }

func (d pairDiffs) rowsOfX() bool { return len(d.x) <= len(d.y) }

// count returns #{(i, j): x_i − y_j ≤ t} (strict: < t).
func (d pairDiffs) count(t float64, strict bool) int64 {
	if d.rowsOfX() {
		return countByRows(d.x, d.y, t, strict)
	}
	// x − y ≤ t ⇔ y − x ≥ −t: all pairs but those with y − x < −t.
	return d.pairs() - countByRows(d.y, d.x, -t, !strict)
}

func (d pairDiffs) countLE(t float64) int64 { return d.count(t, false) }
func (d pairDiffs) countLT(t float64) int64 { return d.count(t, true) }

// countByRows is #{(i, j): x_i − y_j ≤ t} (strict: < t) by rows of x.
func countByRows(x, y []float64, t float64, strict bool) int64 {
	var c int64
	for _, xi := range x {
		c += int64(len(y) - firstAtMost(xi, y, 0, len(y), t, strict))
	}
	return c
}

// kth is the k-th smallest difference (1 ≤ k ≤ n·m).
func (d pairDiffs) kth(k int64) float64 {
	if d.rowsOfX() {
		v, _ := newBracket(d.x, d.y, d.gather).kth(k)
		return v
	}
	v, _ := newBracket(d.y, d.x, d.gather).kth(d.pairs() - k + 1)
	return -v
}

// kthPair is the k-th and the (k+1)-th smallest difference (1 ≤ k < n·m),
// for a median at the cost of one search. Mirrored, they are the negated
// (n·m − k + 1)-th and (n·m − k)-th of y − x.
func (d pairDiffs) kthPair(k int64) (float64, float64) {
	if d.rowsOfX() {
		return newBracket(d.x, d.y, d.gather).kth(k)
	}
	v, next := newBracket(d.y, d.x, d.gather).kth(d.pairs() - k)
	return -next, -v
}

// bracket is the selection state of kth over the differences x_i − y_j,
// row by row of x (in a row the differences fall as j grows): the
// candidates are one window [top, bot) of j per row; cLo differences lie
// below them and cHi up to their largest, hi. Probes are actual differences:
// one at or above the answer becomes the new top, one below the new bottom.
type bracket struct {
	x, y          []float64
	top, bot, cut []int
	cLo, cHi      int64
	hi            float64
	gather        int64
	probes        []probe
}

func newBracket(x, y []float64, gather int64) *bracket {
	n, m := len(x), len(y)
	if gather == 0 {
		gather = int64(max(1024, 8*n))
	}
	b := &bracket{
		x: x, y: y, top: make([]int, n), bot: make([]int, n), cut: make([]int, n),
		cHi: int64(n) * int64(m), hi: x[n-1] - y[0], gather: gather, probes: make([]probe, 0, n),
	}
	for i := range b.bot {
		b.bot[i] = m
	}
	return b
}

// kth returns the k-th and the (k+1)-th smallest difference (+Inf when k is
// the last). It narrows the bracket round by round until few candidates are
// left, then gathers and sorts them. A round probes twice, either side of
// the estimated answer (the weighted quantile of each row's candidate at the
// answer's relative rank, which lands within a percent or so), so that one
// round usually cuts the bracket to a few percent. A round that fails to
// halve it is followed by one probe at the weighted median of the row
// medians, which leaves out at least about a quarter (Johnson & Mizoguchi
// 1978, SIAM J Comput 7:147–153), so the worst case stays logarithmic. When
// many differences tie at the answer the bracket cannot shrink below them;
// the search then stops when the top is the answer, that is when fewer than
// k differences lie below it.
func (b *bracket) kth(k int64) (float64, float64) {
	const spread = 0.02 // probe this share of the bracket either side
	safe := false
	for {
		gap := b.cHi - b.cLo
		if gap <= b.gather {
			return b.sorted(k)
		}
		var pivots []float64
		if safe {
			pivots = []float64{b.pivot(0.5)}
		} else {
			share := (float64(k-b.cLo) - 0.5) / float64(gap)
			pivots = []float64{b.pivot(math.Max(share-spread, 0)), b.pivot(math.Min(share+spread, 1))}
		}
		for _, p := range pivots {
			// The second pivot is above the first: skip it when the first
			// became the top.
			if p <= b.hi && b.probe(p, k) {
				if b.cHi > k {
					return p, p
				}
				return p, b.above()
			}
		}
		safe = !safe && b.cHi-b.cLo > gap/2
	}
}

// pivot is the weighted quantile at share of the row candidates at share;
// when that is the top itself, which would leave nothing out, it is the
// largest candidate below the top (or the top, when nothing is below).
func (b *bracket) pivot(share float64) float64 {
	b.probes = b.probes[:0]
	for i, xi := range b.x {
		if w := b.bot[i] - b.top[i]; w > 0 {
			j := max(b.top[i], b.bot[i]-1-int(share*float64(w))) // rank counted from the smallest
			b.probes = append(b.probes, probe{xi - b.y[j], float64(w)})
		}
	}
	p := weightedQuantile(b.probes, share)
	if p < b.hi {
		return p
	}
	below := math.Inf(-1)
	for i, xi := range b.x {
		if j := firstAtMost(xi, b.y, b.top[i], b.bot[i], b.hi, true); j < b.bot[i] {
			below = math.Max(below, xi-b.y[j])
		}
	}
	if math.IsInf(below, -1) {
		return b.hi
	}
	return below
}

// probe counts the differences ≤ p (a candidate), moves the bracket to the
// side of p where the answer lies, and reports whether p is the answer:
// whether, with p the new top, fewer than k differences lie below it. Both
// counts come from one pass; the ties at p in a row are galloped over.
func (b *bracket) probe(p float64, k int64) bool {
	atMost, below := b.cLo, b.cLo
	for i, xi := range b.x {
		b.cut[i] = firstAtMost(xi, b.y, b.top[i], b.bot[i], p, false)
		atMost += int64(b.bot[i] - b.cut[i])
		below += int64(b.bot[i] - firstBelow(xi, b.y, b.cut[i], b.bot[i], p))
	}
	if atMost < k {
		b.cLo = atMost
		copy(b.bot, b.cut)
		return false
	}
	b.hi, b.cHi = p, atMost
	copy(b.top, b.cut)
	return below < k
}

// above is the smallest difference above the bracket (+Inf if none): in
// each row the one just before the window.
func (b *bracket) above() float64 {
	v := math.Inf(1)
	for i, xi := range b.x {
		if b.top[i] > 0 {
			v = math.Min(v, xi-b.y[b.top[i]-1])
		}
	}
	return v
}

// sorted gathers the candidates left, sorts them, and returns the k-th and
// the (k+1)-th smallest difference.
func (b *bracket) sorted(k int64) (float64, float64) {
	left := make([]float64, 0, b.cHi-b.cLo)
	for i, xi := range b.x {
		for _, yj := range b.y[b.top[i]:b.bot[i]] {
			left = append(left, xi-yj)
		}
	}
	slices.Sort(left)
	if r := k - b.cLo; r < int64(len(left)) {
		return left[r-1], left[r]
	}
	return left[len(left)-1], b.above()
}

// probe is a candidate difference with the weight of its row's window.
type probe struct{ value, weight float64 }

// weightedQuantile is the smallest value whose cumulative weight reaches
// share of the total; it sorts ps, which must not be empty.
func weightedQuantile(ps []probe, share float64) float64 {
	slices.SortFunc(ps, func(a, b probe) int { return cmp.Compare(a.value, b.value) })
	var total float64
	for _, p := range ps {
		total += p.weight
	}
	var cum float64
	for _, p := range ps {
		if cum += p.weight; cum >= share*total {
			return p.value
		}
	}
	return ps[len(ps)-1].value
}

// firstAtMost is the first j in [from, to) with xi − y_j ≤ t (strict: < t),
// or to; in a row of x the differences fall as j grows.
func firstAtMost(xi float64, y []float64, from, to int, t float64, strict bool) int {
	for from < to {
		h := int(uint(from+to) >> 1)
		if v := xi - y[h]; v < t || (!strict && v == t) {
			to = h
		} else {
			from = h + 1
		}
	}
	return from
}

// firstBelow is the first j in [from, to) with xi − y_j < t, given that from
// is the first with xi − y_j ≤ t: it gallops over the ties at t, usually
// none or a few, and bisects the last step.
func firstBelow(xi float64, y []float64, from, to int, t float64) int {
	lo, hi, step := from, from, 1
	for hi < to && !(xi-y[hi] < t) {
		lo, hi = hi+1, from+step
		step *= 2
	}
	return firstAtMost(xi, y, lo, min(hi, to), t, true)
}
