package overview

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTileNumbers(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		tile Tile
		want string // value, unit, interval, n as the tile shows them
	}{
		{"NPS with its margin", Tile{Name: "NPS", Has: true, Value: 22.6, HasInterval: true, Low: 17.1, High: 28.1, N: 1284}, "22.6 ± 5.5 n = 1 284"},
		{"wide NPS interval: no false precision", Tile{Has: true, Value: 41.04, HasInterval: true, Low: 29.4, High: 51.6, N: 212}, "41 ± 12 n = 212"},
		{"asymmetric interval as a range", Tile{Has: true, Value: 12, HasInterval: true, Low: 2, High: 30, N: 40}, "12 2–30 n = 40"},
		{"negative range reads as a range", Tile{Has: true, Value: -3.1, HasInterval: true, Low: -16.1, High: 8, N: 161}, "-3 -16 to 8 n = 161"},
		{"percent", Tile{Unit: "%", Has: true, Value: 71, N: 1102}, "71 % n = 1 102"},
		{"percent with a tight interval: one decimal at most", Tile{Unit: "%", Has: true, Value: 93.1, HasInterval: true, Low: 92.39, High: 93.75, N: 5412}, "93.1 % ± 0.7 n = 5 412"},
		{"seconds", Tile{Unit: "s", Has: true, Value: 42.25, N: 9}, "42.2 s n = 9"},
		{"minutes", Tile{Unit: "s", Has: true, Value: 5460, N: 5412}, "91 min n = 5 412"},
		{"hours", Tile{Unit: "s", Has: true, Value: 4.5 * 3600, HasInterval: true, Low: 4 * 3600, High: 5 * 3600, N: 30}, "4.50 h ± 0.50 n = 30"},
		{"small mean", Tile{Has: true, Value: 0.456, N: 3}, "0.46 n = 3"},
		{"weighted n", Tile{Has: true, Value: 5, N: 12.5}, "5 n = 12.5"},
		{"zero is a value when there is data", Tile{Has: true, Value: 0, N: 10}, "0 n = 10"},
		{"minus zero is zero", Tile{Has: true, Value: math.Copysign(0, -1), N: 10}, "0 n = 10"},
		{"unbounded interval is not shown", Tile{Has: true, Value: 5, HasInterval: true, Low: -inf, High: inf, N: 1}, "5.0 n = 1"},
		{"half-open interval", Tile{Has: true, Value: 5, HasInterval: true, Low: nan, High: 9, N: 1}, "5.0 ≤ 9.0 n = 1"},
		{"half-open interval, the other end", Tile{Has: true, Value: 5, HasInterval: true, Low: 1, High: inf, N: 1}, "5.0 ≥ 1.0 n = 1"},
		{"unknown n", Tile{Has: true, Value: 5, N: nan}, "5"},
		{"NaN value is no data", Tile{Has: true, Value: nan, N: 4}, "no data yet"},
		{"Inf value is no data", Tile{Has: true, Value: inf, N: 4}, "no data yet"},
		{"no data", Tile{}, "no data yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newTileView(tc.tile)
			got := "no data yet"
			if v.Has {
				got = strings.Join(strings.Fields(strings.Join([]string{v.Value, v.Unit, v.Interval, v.N}, " ")), " ")
			}
			require.Equal(t, tc.want, strings.ReplaceAll(got, nbsp, " "))
		})
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[float64]string{
		0: "0", 7: "7", 999: "999", 1000: "1 000", 12345: "12 345", 1234567: "1 234 567",
		-4200: "-4 200", 2.5: "2.5", math.NaN(): "–", math.Inf(1): "–",
	} {
		require.Equal(t, want, strings.ReplaceAll(count(n), nbsp, " "), "%v", n)
	}
}

func TestSparkline(t *testing.T) {
	pct := displayFor("%", 0)
	up := weekly(90, 92, 95)
	down := weekly(95, 92, 90)
	flat := weekly(50, 50)

	require.Equal(t, "good", newSpark(up, pct, true).Class)
	require.Equal(t, "bad", newSpark(up, pct, false).Class, "a response time going up")
	require.Equal(t, "bad", newSpark(down, pct, true).Class)
	require.Equal(t, "good", newSpark(down, pct, false).Class)
	require.Equal(t, "flat", newSpark(flat, pct, true).Class)

	s := newSpark(up, pct, true)
	require.Equal(t, "▲ +5 pts since 2026-11-02", strings.ReplaceAll(s.Text, nbsp, " "))
	require.Equal(t, "trend up: 90 % → 95 % since 2026-11-02", strings.ReplaceAll(s.Label, nbsp, " "))
	require.Equal(t, "3.0,33.0 80.0,21.0 157.0,3.0", s.Points, "oldest at the left, highest at the top")
	require.Equal(t, []string{"157.0", "3.0"}, []string{s.LastX, s.LastY}, "the last point is marked")

	require.Nil(t, newSpark(nil, pct, true), "no trend, no line")
	require.Nil(t, newSpark(weekly(0.5), pct, true), "one point is no trend")
	require.Nil(t, newSpark(weekly(math.NaN(), 0.5, math.Inf(1)), pct, true), "one finite point is no trend")

	// Points without increasing instants are spread evenly and the date is
	// left out.
	even := newSpark([]Point{{Value: 1}, {Value: 3}, {Value: 2}}, displayFor("", 0), true)
	require.Equal(t, "3.0,33.0 80.0,3.0 157.0,18.0", even.Points)
	require.Equal(t, "▲ +1", even.Text)
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi   float64
		ticks    []float64
		dlo, dhi float64
	}{
		{-26, 55.3, []float64{-40, -20, 0, 20, 40, 60}, -40, 60},
		{72.7, 98.2, []float64{70, 75, 80, 85, 90, 95, 100}, 70, 100},
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, 1},
		{7, 7, []float64{6, 6.5, 7, 7.5, 8}, 6, 8},
		{0.1, 0.3, []float64{0.1, 0.15, 0.2, 0.25, 0.3}, 0.1, 0.3},
		{math.NaN(), math.Inf(1), []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, 1},
	} {
		ticks, dlo, dhi := niceTicks(tc.lo, tc.hi, 5)
		require.InDeltaSlice(t, tc.ticks, ticks, 1e-9, "%v..%v", tc.lo, tc.hi)
		require.InDelta(t, tc.dlo, dlo, 1e-9)
		require.InDelta(t, tc.dhi, dhi, 1e-9)
	}
}

func TestRankingAxisStaysWithinPercent(t *testing.T) {
	r := Ranking{KPI: "sla", Unit: "%", Standard: 98, Rows: []RankRow{
		{Branch: "a", N: 10, Value: 99, Low: 70, High: 100, Shrunk: 98, QValue: 0.2},
	}}
	v := newRankingView(r, 0)
	require.Equal(t, "100"+nbsp+"%", v.Wide.Ticks[len(v.Wide.Ticks)-1].Label, "never beyond 100 %")
	require.Equal(t, "standard 98.0"+nbsp+"%", v.Wide.FleetLabel)
	require.Equal(t, "a: 99 % (70–100 %), shrunk 98 %, n = 10, q = 0.20", strings.ReplaceAll(v.Wide.Rows[0].Tip, nbsp, " "))
}

func TestQValue(t *testing.T) {
	for q, want := range map[float64]string{0.31: "= 0.31", 0.004: "= 0.004", 0.0004: "< 0.001", 1: "= 1.00", math.NaN(): "", -1: ""} {
		require.Equal(t, want, qValue(q), "%v", q)
	}
}
