package kpi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAppendInstants(t *testing.T) {
	got, err := appendInstants([]uint64{7}, 1000, "0,25,1000")
	require.NoError(t, err)
	require.Equal(t, []uint64{7, 1000, 1025, 2000}, got)
	got, err = appendInstants(nil, 5, "")
	require.NoError(t, err)
	require.Empty(t, got)
	for _, bad := range []string{",", "1,", "1,,2", "-1", "1 2", "a"} {
		_, err := appendInstants(nil, 0, bad)
		require.Error(t, err, bad)
	}
}

func TestParseTicketGroup(t *testing.T) {
	g, err := parseTicketGroup("praha-1/chat/high/4/a/12front/b")
	require.NoError(t, err)
	require.Equal(t, ticketGroup{branch: "praha-1", channel: "chat", priority: "high", agent: "a/12", team: "front/b"}, *g)
	g, err = parseTicketGroup("b/phone/normal/0/")
	require.NoError(t, err)
	require.Equal(t, ticketGroup{branch: "b", channel: "phone", priority: "normal"}, *g)
	for _, bad := range []string{"", "b/phone/normal", "b/phone/normal/x/", "b/phone/normal/5/abc", "b/phone/normal/-1/"} {
		_, err := parseTicketGroup(bad)
		require.Error(t, err, bad)
	}
}

func TestNewestVersions(t *testing.T) {
	g1, g2, g3 := &ticketGroup{branch: "a"}, &ticketGroup{branch: "b"}, &ticketGroup{branch: "c"}
	in := []ticketResult{{key: ticketKey{h: 1}, version: 5, opened: 10}, {key: ticketKey{h: 2}, version: 5}, {key: ticketKey{h: 1}, version: 7, opened: 9}, {key: ticketKey{h: 3}}, {key: ticketKey{h: 1}, version: 6}}
	got, groups := newestVersions(in, []*ticketGroup{g1, g2, g3, g1, g2})
	require.Equal(t, []ticketResult{{key: ticketKey{h: 2}, version: 5}, {key: ticketKey{h: 1}, version: 7, opened: 9}, {key: ticketKey{h: 3}}}, got)
	require.Equal(t, []*ticketGroup{g2, g3, g1}, groups)
	unique := []ticketResult{{key: ticketKey{h: 1}}, {key: ticketKey{h: 2}}}
	got, _ = newestVersions(unique, []*ticketGroup{g1, g2})
	require.Equal(t, unique, got)

	// two tickets whose first hashes collide stay two tickets
	collide := []ticketResult{{key: ticketKey{h: 1, check: 7}, version: 5}, {key: ticketKey{h: 1, check: 8}, version: 6}}
	got, _ = newestVersions(collide, []*ticketGroup{g1, g2})
	require.Equal(t, collide, got)

	// a tombstone beats the older folds in its month and is dropped; it
	// loses to the fold that moved the ticket (its version plus one)
	moved := []ticketResult{{key: ticketKey{h: 4}, version: 3, opened: 20}, {key: ticketKey{h: 4}, version: 8, gone: true}}
	got, _ = newestVersions(moved, []*ticketGroup{g1, g1})
	require.Empty(t, got)
	moved = append(moved, ticketResult{key: ticketKey{h: 4}, version: 9, opened: 10})
	got, _ = newestVersions(moved, []*ticketGroup{g1, g1, g2})
	require.Equal(t, []ticketResult{{key: ticketKey{h: 4}, version: 9, opened: 10}}, got)
}

// HistoryReach is the longest of what the jobs read back: the cohort months
// for the usual windows, retention's window and the one before it for a
// long one, the ticket lookback before a longest window otherwise.
func TestHistoryReach(t *testing.T) {
	day := 24 * time.Hour
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	reach := func(windows ...time.Duration) time.Duration {
		p := Params{AsOf: asOf, TicketLookback: 30 * day}
		for _, w := range windows {
			p.Windows = append(p.Windows, Window{Label: w.String(), Duration: w})
		}
		return HistoryReach(p, asOf)
	}
	require.Equal(t, 404*day, reach(time.Hour, 30*day, 90*day))
	require.Equal(t, 730*day, reach(7*day, 365*day))
	p := Params{AsOf: asOf, Windows: []Window{{Label: "200d", Duration: 200 * day}}, TicketLookback: 300 * day}
	require.Equal(t, 500*day, HistoryReach(p, asOf))
}
