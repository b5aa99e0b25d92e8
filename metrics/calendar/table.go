package calendar

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// chunkBits sets the chunk length to 2^35 ms, about 398 days: long enough
// that a 90-day span touches at most two chunks, short enough that building
// one (two time.Date calls per interval per day) stays well under a
// millisecond. Chunks are aligned on Unix time, so finding the chunk of an
// instant is a shift, not a time-zone lookup.
const chunkBits = 35

func chunkOf(ms int64) int64 { return ms >> chunkBits }

// interval is an open interval [from, to) in Unix milliseconds; before is
// the open time of the chunk before from, so that a prefix sum is one lookup.
type interval struct{ from, to, before int64 }

// chunk holds the open time of the instants [start, start+2^chunkBits ms):
// disjoint intervals sorted by time, clipped to the chunk.
type chunk struct {
	ivs []interval
	sum int64
}

// total returns the open milliseconds of the whole chunk.
func (ch *chunk) total() int64 { return ch.sum }

// find returns the index of the first interval that ends after t.
func (ch *chunk) find(t int64) int {
	return sort.Search(len(ch.ivs), func(i int) bool { return ch.ivs[i].to > t })
}

// prefix returns the open milliseconds of the chunk before t; t must lie in
// the chunk or at its end.
func (ch *chunk) prefix(t int64) int64 {
	i := ch.find(t)
	if i == len(ch.ivs) {
		return ch.sum
	}
	iv := ch.ivs[i]
	return iv.before + max(0, t-iv.from)
}

func (ch *chunk) open(t int64) bool {
	i := ch.find(t)
	return i < len(ch.ivs) && ch.ivs[i].from <= t
}

// cache keeps built chunks. Readers take no lock: the map behind the pointer
// is never changed once published; a writer copies it, adds a chunk and
// publishes the copy. Chunks are few (one per branch per year of data), so
// copying is cheap, and a million lookups per refresh do not contend on a
// lock.
type cache struct {
	mu     sync.Mutex
	chunks atomic.Pointer[map[int64]*chunk]
	// totals holds the open time of chunks that a very long span only passes
	// through (a zero start time, say): their tables are not kept, so such a
	// span costs memory per chunk of one number, not of a table.
	totals map[int64]int64
}

// chunk returns chunk k, building and keeping it on first use.
func (c *Calendar) chunk(k int64) *chunk {
	if m := c.cache.chunks.Load(); m != nil {
		if ch, ok := (*m)[k]; ok {
			return ch
		}
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	old := c.cache.chunks.Load()
	if old != nil {
		if ch, ok := (*old)[k]; ok {
			return ch
		}
	}
	ch := c.buildChunk(k)
	m := map[int64]*chunk{}
	if old != nil {
		m = maps.Clone(*old)
	}
	m[k] = ch
	c.cache.chunks.Store(&m)
	return ch
}

// chunkTotal returns the open milliseconds of chunk k without keeping its table.
func (c *Calendar) chunkTotal(k int64) int64 {
	if m := c.cache.chunks.Load(); m != nil {
		if ch, ok := (*m)[k]; ok {
			return ch.sum
		}
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	if n, ok := c.cache.totals[k]; ok {
		return n
	}
	if c.cache.totals == nil {
		c.cache.totals = map[int64]int64{}
	}
	n := c.buildChunk(k).sum
	c.cache.totals[k] = n
	return n
}

// buildChunk computes the open intervals of chunk k. It walks the local
// dates of the chunk with two days to spare on each side, because time.Date
// may move a boundary past midnight (a gap at midnight, or Samoa skipping a
// whole day in 2011), then merges overlaps and clips to the chunk.
func (c *Calendar) buildChunk(k int64) *chunk {
	start, end := k<<chunkBits, (k+1)<<chunkBits
	first := localDay(time.UnixMilli(start).In(c.loc)) - 2
	last := localDay(time.UnixMilli(end).In(c.loc)) + 2
	var raw []interval
	for day := first; day <= last; day++ {
		u := time.Unix(day*86400, 0).UTC()
		y, m, d := u.Date()
		if c.holidays[dateKey(y, m, d)] {
			continue
		}
		for _, s := range c.week[u.Weekday()] {
			from := time.Date(y, m, d, 0, s.from, 0, 0, c.loc).UnixMilli()
			to := time.Date(y, m, d, 0, s.to, 0, 0, c.loc).UnixMilli()
			if to > from {
				raw = append(raw, interval{from: from, to: to})
			}
		}
	}
	slices.SortFunc(raw, func(a, b interval) int { return cmp.Compare(a.from, b.from) })
	ch := &chunk{}
	for _, iv := range raw {
		iv.from, iv.to = max(iv.from, start), min(iv.to, end)
		if iv.to <= iv.from {
			continue
		}
		if n := len(ch.ivs); n > 0 && iv.from <= ch.ivs[n-1].to {
			// Touching or overlapping: extend, so each instant counts once.
			if iv.to > ch.ivs[n-1].to {
				ch.sum += iv.to - ch.ivs[n-1].to
				ch.ivs[n-1].to = iv.to
			}
			continue
		}
		iv.before = ch.sum
		ch.ivs = append(ch.ivs, iv)
		ch.sum += iv.to - iv.from
	}
	ch.ivs = slices.Clip(ch.ivs)
	return ch
}

// localDay returns the days since 1970-01-01 of t's local date.
func localDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
