package gen

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// end is a fixed End a little after a daylight-saving change, so that the
// default 30 days cross it (Europe switched back on 2026-10-25).
var end = time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)

func small() Config { return Config{Branches: 3, Days: 7, End: end, Seed: 1} }

// collect runs the generator and returns every record and the truth.
func collect(t testing.TB, cfg Config) (*Generator, []Record, Truth) {
	t.Helper()
	g, err := New(cfg)
	require.NoError(t, err)
	var recs []Record
	truth, err := g.Run(context.Background(), func(r Record) error {
		recs = append(recs, r)
		return nil
	})
	require.NoError(t, err)
	return g, recs, truth
}

// decoded is a valid record with its decoded event.
type decoded struct {
	rec Record
	ev  event.Event
}

// originals decodes the valid records that are not duplicates.
func originals(t testing.TB, recs []Record, now time.Time) []decoded {
	t.Helper()
	var out []decoded
	for _, r := range recs {
		if !r.Valid || r.Dup {
			continue
		}
		ev, err := event.Decode(r.Value, now, event.DefaultLimits)
		require.NoError(t, err, "%s", r.Value)
		out = append(out, decoded{r, ev})
	}
	return out
}

func TestValidRecordsDecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"small", small()},
		{"dups and bad", Config{Branches: 5, Days: 10, End: end, Seed: 7, BadRatio: 0.02, DupRatio: 0.05}},
		{"one branch", Config{Branches: 1, Days: 3, End: end.Add(17 * time.Minute), Seed: 3, TicketsPerBranchDay: 5}},
		{"defaults", Config{End: end}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, recs, _ := collect(t, tc.cfg)
			offsets, utc := 0, 0
			for _, r := range recs {
				if !r.Valid {
					continue
				}
				ev, err := event.Decode(r.Value, g.Config().End, event.DefaultLimits)
				require.NoError(t, err, "%s", r.Value)
				require.Equal(t, r.Type, ev.Type)
				require.Equal(t, ev.Key(), string(r.Key))
				require.True(t, ev.OccurredAt.Before(g.Config().End), "at or after End: %s", r.Value)
				require.False(t, ev.OccurredAt.Before(g.Start()), "before the start: %s", r.Value)
				if strings.Contains(string(r.Value), `Z","branch"`) {
					utc++
				} else {
					offsets++
				}
				if ev.DueAt != nil {
					require.True(t, ev.DueAt.After(ev.OccurredAt), "due_at not after occurred_at: %s", r.Value)
				}
			}
			require.Positive(t, utc, "no time written in Z")
			require.Positive(t, offsets, "no time written with an offset")
		})
	}
}

func TestBadRecordsAreRejectedWithTheirReason(t *testing.T) {
	// Enough bad messages to go through every variant of every reason.
	_, recs, truth := collect(t, Config{Branches: 3, Days: 7, End: end, Seed: 2, BadRatio: 0.1})
	now := end
	seen := map[event.Reason]map[string]bool{}
	for _, r := range recs {
		if r.Valid {
			continue
		}
		require.Empty(t, r.Type)
		_, err := event.Decode(r.Value, now, event.DefaultLimits)
		var e *event.Error
		require.True(t, errors.As(err, &e), "accepted: %.200s", r.Value)
		require.Equal(t, r.Reason, e.Reason, "%v: %.200s", err, r.Value)
		if seen[r.Reason] == nil {
			seen[r.Reason] = map[string]bool{}
		}
		seen[r.Reason][e.Field+": "+e.Msg[:min(len(e.Msg), 12)]] = true
	}
	for _, reason := range event.Reasons {
		require.NotEmpty(t, seen[reason], "reason %s never produced", reason)
		require.Positive(t, truth.Bad[reason])
	}
	require.Greater(t, truth.BadTotal, 7*len(badVariants[event.ReasonInvalidField]))
	require.Len(t, seen[event.ReasonInvalidField], len(badVariants[event.ReasonInvalidField]))
}

func TestInFutureFollowsNow(t *testing.T) {
	now := end.Add(72 * time.Hour)
	_, recs, _ := collect(t, Config{Branches: 2, Days: 2, End: end, Now: now, Seed: 4, BadRatio: 0.05})
	n := 0
	for _, r := range recs {
		if r.Reason != event.ReasonInFuture {
			continue
		}
		n++
		_, err := event.Decode(r.Value, now.Add(23*time.Hour), event.DefaultLimits)
		require.ErrorContains(t, err, "in_future")
		_, err = event.Decode(r.Value, now.Add(24*time.Hour), event.DefaultLimits)
		require.NoError(t, err, "in_future message not dated Now+24h: %s", r.Value)
	}
	require.Positive(t, n)
}

func TestAllTypesAppearInASmallConfig(t *testing.T) {
	_, recs, truth := collect(t, small())
	types := map[event.Type]int{}
	for _, r := range recs {
		types[r.Type]++
	}
	for _, typ := range event.Types {
		require.Positive(t, types[typ], "type %s missing", typ)
		require.Positive(t, truth.Types[typ])
	}
}

func TestTruthMatchesTheStream(t *testing.T) {
	cfg := Config{Branches: 4, Days: 10, End: end, Seed: 5, BadRatio: 0.03, DupRatio: 0.1}
	_, recs, truth := collect(t, cfg)
	first := map[string][]byte{} // event_id → value of the first sending
	perType := map[event.Type]int{}
	bad := map[event.Reason]int{}
	dups := 0
	for _, r := range recs {
		if !r.Valid {
			bad[r.Reason]++
			continue
		}
		ev, err := event.Decode(r.Value, end, event.DefaultLimits)
		require.NoError(t, err)
		if v, ok := first[ev.EventID]; ok {
			require.True(t, r.Dup, "event_id %s sent twice without Dup", ev.EventID)
			require.Equal(t, v, r.Value, "a duplicate differs from the original")
			dups++
			continue
		}
		require.False(t, r.Dup, "Dup set on a first sending")
		first[ev.EventID] = r.Value
		perType[ev.Type]++
	}
	for _, typ := range event.Types {
		require.Equal(t, truth.Types[typ], perType[typ], "type %s", typ)
	}
	for _, reason := range event.Reasons {
		require.Equal(t, truth.Bad[reason], bad[reason], "reason %s", reason)
	}
	require.Equal(t, len(first), truth.Valid)
	require.Equal(t, dups, truth.Dups)
	require.Equal(t, len(recs), truth.Messages)
	require.Equal(t, truth.Valid+truth.Dups+truth.BadTotal, truth.Messages)
	require.InDelta(t, 0.1, float64(dups)/float64(truth.Valid), 0.02)
	require.InDelta(t, 0.03, float64(truth.BadTotal)/float64(truth.Valid), 0.001)
}

func digest(recs []Record) uint64 {
	h := fnv.New64a()
	for _, r := range recs {
		h.Write(r.Key)
		h.Write(r.Value)
		h.Write([]byte{0, byte(len(r.Reason))})
	}
	return h.Sum64()
}

func TestSameSeedSameBytes(t *testing.T) {
	cfg := Config{Branches: 5, Days: 5, End: end, Seed: 42, BadRatio: 0.02, DupRatio: 0.05}
	_, a, _ := collect(t, cfg)
	_, b, _ := collect(t, cfg)
	require.Equal(t, len(a), len(b))
	for i := range a {
		require.Equal(t, a[i], b[i], "record %d", i)
	}
	cfg.Seed = 43
	_, c, _ := collect(t, cfg)
	require.NotEqual(t, digest(a), digest(c))

	// One Generator runs the same way twice.
	g, err := New(cfg)
	require.NoError(t, err)
	var d1, d2 []Record
	_, err = g.Run(context.Background(), func(r Record) error { d1 = append(d1, r); return nil })
	require.NoError(t, err)
	_, err = g.Run(context.Background(), func(r Record) error { d2 = append(d2, r); return nil })
	require.NoError(t, err)
	require.Equal(t, digest(d1), digest(d2))
	require.Equal(t, digest(c), digest(d1))
}

func TestRunStops(t *testing.T) {
	g, err := New(small())
	require.NoError(t, err)
	stop := errors.New("stop")
	n := 0
	truth, err := g.Run(context.Background(), func(Record) error {
		if n++; n == 100 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 100, truth.Messages)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = g.Run(ctx, func(Record) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
}

func TestDeliveryIsRoughlyInOrder(t *testing.T) {
	_, recs, _ := collect(t, Config{Branches: 4, Days: 10, End: end, Seed: 6})
	evs := originals(t, recs, end)
	var latest time.Time
	late := 0
	for _, d := range evs {
		if d.ev.OccurredAt.Before(latest) {
			late++
		}
		latest = maxTime(latest, d.ev.OccurredAt)
	}
	share := float64(late) / float64(len(evs))
	require.Greater(t, share, 0.005, "no late deliveries")
	require.Less(t, share, 0.05, "too many out of order")
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestTargetEvents(t *testing.T) {
	for _, target := range []int{20_000, 150_000} {
		_, _, truth := collect(t, Config{End: end, Seed: 8, TargetEvents: target})
		require.InDelta(t, target, truth.Valid, 0.1*float64(target))
	}
}

// openAt answers from the exported Calendar alone, independently of the
// generator's precomputed intervals, whether a branch is open at t.
func openAt(cal Calendar, t time.Time) bool {
	loc, err := time.LoadLocation(cal.TimeZone)
	if err != nil {
		panic(err)
	}
	lt := t.In(loc)
	if slices.Contains(cal.Holidays, lt.Format(time.DateOnly)) {
		return false
	}
	m := lt.Hour()*60 + lt.Minute()
	for _, s := range cal.Week[lt.Weekday()] {
		if m >= s.From && m < s.To {
			return true
		}
	}
	return false
}

func TestWorkHappensInOpeningHours(t *testing.T) {
	// The 30 days before end cross the end of daylight-saving time.
	g, recs, _ := collect(t, Config{Branches: 5, End: end, Seed: 9})
	cals := map[string]Calendar{}
	for _, b := range g.Branches() {
		cals[b.Name] = b.Calendar
	}
	var opened, openedIn, staff, staffIn int
	for _, d := range originals(t, recs, end) {
		in := openAt(cals[d.ev.Branch], d.ev.OccurredAt)
		switch {
		case d.ev.Type == event.TicketOpened:
			opened++
			if in {
				openedIn++
			}
		case d.ev.Type == event.TicketMessage && d.ev.Author == event.AuthorAgent,
			d.ev.Type == event.TicketResolved, d.ev.Type == event.CustomerVisit && d.ev.Channel == "in_person":
			staff++
			if in {
				staffIn++
			}
		case d.ev.Type == event.AppointmentScheduled:
			require.True(t, openAt(cals[d.ev.Branch], *d.ev.DueAt), "appointment due while closed: %s", d.rec.Value)
		}
	}
	require.Greater(t, float64(openedIn)/float64(opened), 0.8)
	require.Greater(t, float64(staffIn)/float64(staff), 0.99)
}
