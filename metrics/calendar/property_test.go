package calendar

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// zones for random calendars: no daylight saving, northern and southern
// changes at 02:00, a 30-minute change (Lord Howe), changes at midnight
// (Santiago, Havana) and a 45-minute offset.
var zones = []string{
	"UTC", "Europe/Prague", "America/New_York", "Australia/Sydney",
	"Australia/Lord_Howe", "America/Santiago", "America/Havana", "Asia/Kathmandu",
}

// randomSpec makes a valid calendar whose boundaries fall on quarter hours,
// so that some land in daylight-saving gaps and repeats, with holidays in
// the years tests look at.
func randomSpec(r *rand.Rand) Spec {
	spec := Spec{Timezone: zones[r.IntN(len(zones))], Hours: map[string][]string{}}
	for _, day := range dayKeys {
		if r.IntN(5) == 0 {
			continue
		}
		bounds := make([]int, 2*(1+r.IntN(3)))
		for i := range bounds {
			bounds[i] = 15 * r.IntN(24*4+1)
			if r.IntN(3) == 0 {
				// Most zones change clocks between midnight and 04:00.
				bounds[i] = 15 * r.IntN(4*4+1)
			}
		}
		slices.Sort(bounds)
		for i := 0; i < len(bounds); i += 2 {
			if bounds[i] < bounds[i+1] {
				spec.Hours[day] = append(spec.Hours[day], clock(bounds[i])+"-"+clock(bounds[i+1]))
			}
		}
	}
	for range r.IntN(12) {
		d := time.Date(2025+r.IntN(3), 1, 1+r.IntN(365), 0, 0, 0, 0, time.UTC)
		spec.Holidays = append(spec.Holidays, d.Format(time.DateOnly))
	}
	return spec
}

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// naive is the package comment's definition of open, written as plainly as
// possible and sharing no code with the package: t is open when an interval
// of a non-holiday local date near t, turned into instants by time.Date,
// contains it.
type naive struct {
	loc      *time.Location
	hours    map[time.Weekday][][4]int // h1 m1 h2 m2
	holidays map[string]bool
}

func newNaive(spec Spec, loc *time.Location) naive {
	n := naive{loc: loc, hours: map[time.Weekday][][4]int{}, holidays: map[string]bool{}}
	for wd, key := range dayKeys {
		for _, iv := range spec.Hours[key] {
			var v [4]int
			if _, err := fmt.Sscanf(iv, "%d:%d-%d:%d", &v[0], &v[1], &v[2], &v[3]); err != nil {
				panic(err)
			}
			n.hours[time.Weekday(wd)] = append(n.hours[time.Weekday(wd)], v)
		}
	}
	for _, h := range spec.Holidays {
		n.holidays[h] = true
	}
	return n
}

func (n naive) open(t time.Time) bool {
	y, m, d := t.In(n.loc).Date()
	for off := -2; off <= 2; off++ {
		day := time.Date(y, m, d+off, 12, 0, 0, 0, time.UTC)
		if n.holidays[day.Format(time.DateOnly)] {
			continue
		}
		for _, v := range n.hours[day.Weekday()] {
			from := time.Date(day.Year(), day.Month(), day.Day(), v[0], v[1], 0, 0, n.loc)
			to := time.Date(day.Year(), day.Month(), day.Day(), v[2], v[3], 0, 0, n.loc)
			if !t.Before(from) && t.Before(to) {
				return true
			}
		}
	}
	return false
}

// randomInstant is uniform over 2025-2027 half of the time and otherwise
// within two days of a daylight-saving change of loc, where mistakes hide.
func randomInstant(r *rand.Rand, loc *time.Location) time.Time {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t := base.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
	if r.IntN(2) == 0 {
		if _, end := t.In(loc).ZoneBounds(); !end.IsZero() {
			t = end.Add(time.Duration(r.Int64N(int64(96*time.Hour))) - 48*time.Hour)
		}
	}
	return t
}

func newRandom(t *testing.T, r *rand.Rand) (Spec, naive, *Calendar) {
	t.Helper()
	spec := randomSpec(r)
	c, err := New(spec)
	require.NoError(t, err, "%+v", spec)
	return spec, newNaive(spec, c.loc), c
}

// TestBruteForce compares BusinessSeconds with a minute-by-minute sum of
// naive.open over random spans of up to three days starting on a minute. Every
// boundary of these calendars falls on a minute, so the sum is exact.
func TestBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		spec, n, c := newRandom(t, r)
		for range 3 {
			start := randomInstant(r, c.loc).Truncate(time.Minute)
			minutes := r.IntN(3 * 24 * 60)
			var want float64
			for i := range minutes {
				if n.open(start.Add(time.Duration(i) * time.Minute)) {
					want += 60
				}
			}
			end := start.Add(time.Duration(minutes) * time.Minute)
			require.Equal(t, want, c.BusinessSeconds(start, end), "%+v\n%v → %v", spec, start, end)
		}
	}
}

func TestIsOpenMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		spec, n, c := newRandom(t, r)
		for range 100 {
			at := randomInstant(r, c.loc).Truncate(time.Millisecond)
			require.Equal(t, n.open(at), c.IsOpen(at), "%+v\n%v", spec, at)
		}
	}
}

// TestAdditive checks that splitting a span anywhere changes nothing, with
// millisecond instants and spans of up to 120 days, which cross chunks.
func TestAdditive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 100 {
		_, _, c := newRandom(t, r)
		for range 20 {
			a := randomInstant(r, c.loc).UnixMilli()
			b := a + r.Int64N(60*86400e3)
			d := b + r.Int64N(60*86400e3)
			require.Equal(t, c.openMillis(a, d), c.openMillis(a, b)+c.openMillis(b, d))
			ta, tb, td := time.UnixMilli(a), time.UnixMilli(b), time.UnixMilli(d)
			require.InDelta(t, c.BusinessSeconds(ta, td), c.BusinessSeconds(ta, tb)+c.BusinessSeconds(tb, td), 1e-6)
		}
	}
}

// TestChunkBoundary checks spans that cross chunk boundaries, including one
// that passes through whole chunks, against a minute-by-minute sum.
func TestChunkBoundary(t *testing.T) {
	spec := Spec{Timezone: "Europe/Prague", Hours: map[string][]string{
		"mon": {"08:00-18:00"}, "tue": {"00:00-24:00"}, "sat": {"22:00-24:00"}, "sun": {"00:00-03:00"},
	}, Holidays: []string{"2026-08-11"}}
	c, err := New(spec)
	require.NoError(t, err)
	n := newNaive(spec, c.loc)
	// Chunk 52 starts 2026-08-14 11:19:55 UTC, a Friday.
	boundary := time.UnixMilli(52 << chunkBits)
	for _, span := range [][2]time.Duration{{-time.Hour, time.Hour}, {-10 * 24 * time.Hour, 10 * 24 * time.Hour}, {0, time.Hour}, {-time.Hour, 0}} {
		start, end := boundary.Add(span[0]).Truncate(time.Minute), boundary.Add(span[1])
		var want int64
		for m := start; m.Before(end); m = m.Add(time.Minute) {
			if n.open(m) {
				want += min(60e3, end.Sub(m).Milliseconds())
			}
		}
		require.Equal(t, want, c.openMillis(start.UnixMilli(), end.UnixMilli()), "%v → %v", start, end)
	}
	// 2020 to 2030 passes through several chunks that only add their totals.
	weekly, err := New(Spec{Timezone: "Europe/Prague", Hours: spec.Hours})
	require.NoError(t, err)
	from, to := time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 7, 0, 0, 0, 0, time.UTC)
	var want float64
	for d := from; d.Before(to); d = d.AddDate(0, 0, 7) {
		want += weekly.BusinessSeconds(d, d.AddDate(0, 0, 7))
	}
	require.InDelta(t, want, weekly.BusinessSeconds(from, to), 1e-6)
}

// TestAlwaysOpen checks that a calendar open 00:00-24:00 every day measures
// real elapsed time in every zone, daylight-saving days included.
func TestAlwaysOpen(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	hours := map[string][]string{}
	for _, d := range dayKeys {
		hours[d] = []string{"00:00-24:00"}
	}
	for _, zone := range zones {
		c, err := New(Spec{Timezone: zone, Hours: hours})
		require.NoError(t, err)
		var nilCal *Calendar
		for range 200 {
			a := randomInstant(r, c.loc)
			b := a.Add(time.Duration(r.Int64N(int64(100 * 24 * time.Hour))))
			require.Equal(t, nilCal.BusinessSeconds(a, b), c.BusinessSeconds(a, b), "%s %v → %v", zone, a, b)
			require.True(t, c.IsOpen(a))
		}
	}
	// A zero start is far in the past: it costs one total per chunk, and stays right.
	c, err := New(Spec{Hours: hours})
	require.NoError(t, err)
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	require.Equal(t, float64(end.UnixMilli()-time.Time{}.UnixMilli())/1000, c.BusinessSeconds(time.Time{}, end))
}

// TestConcurrent builds chunks from many goroutines at once; run with -race.
func TestConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	spec := randomSpec(r)
	ref, err := New(spec)
	require.NoError(t, err)
	type span struct{ a, b time.Time }
	var spans []span
	var want []float64
	for range 400 {
		a := randomInstant(r, ref.loc)
		b := a.Add(time.Duration(r.Int64N(int64(90 * 24 * time.Hour))))
		spans = append(spans, span{a, b})
		want = append(want, ref.BusinessSeconds(a, b))
	}
	c, err := New(spec)
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([][]float64, 8)
	for g := range got {
		wg.Go(func() {
			for i := range spans {
				s := spans[(i+g*50)%len(spans)]
				got[g] = append(got[g], c.BusinessSeconds(s.a, s.b))
			}
		})
	}
	wg.Wait()
	for g := range got {
		for i := range spans {
			require.Equal(t, want[(i+g*50)%len(spans)], got[g][i])
		}
	}
}
