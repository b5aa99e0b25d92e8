package overview

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/stats"
)

// The funnel plot draws every branch with answers at (log n, value), the
// standard as a line and four limit curves that narrow with n and lie on
// the funnel's own limits; flagged branches carry their flag and colour.
func TestFunnelView(t *testing.T) {
	r := samplePage().Rankings[0]
	v, ok := newFunnelView(r, "f")
	require.True(t, ok)
	require.Len(t, v.Points, len(r.Rows))
	for i, p := range v.Points {
		require.Equal(t, r.Rows[i].Branch, p.Branch)
		require.Equal(t, r.Rows[i].Flag, p.Flag)
		if r.Rows[i].Flag != "" {
			require.Equal(t, map[bool]string{true: "worse", false: "better"}[r.Rows[i].Worse], p.Class)
		}
	}
	// x: 12 … 240 answers span the decades 10 … 1,000
	require.Equal(t, []string{"10", "100", "1" + nbsp + "000"}, []string{v.XTicks[0].Label, v.XTicks[1].Label, v.XTicks[2].Label})

	// the upper 95 % curve: y falls (the value rises) less and less as n grows,
	// and its last point is the funnel's limit at n = 1,000
	ys := curveYs(t, v.Hi95)
	for i := 1; i < len(ys); i++ {
		require.GreaterOrEqual(t, ys[i], ys[i-1], "the upper limit comes down toward the standard")
	}
	_, hi := r.Funnel.Limits(1000, 0.95)
	yTop, yBottom := tickValue(t, v.YTicks[len(v.YTicks)-1]), tickValue(t, v.YTicks[0])
	want := funnelB - (hi-yBottom)/(yTop-yBottom)*(funnelB-funnelT)
	require.InDelta(t, want, ys[len(ys)-1], 0.06)
	require.Contains(t, v.Desc, "1 outside the 99.8")

	// no funnel without a fitted one
	r.Funnel = stats.Funnel{}
	_, ok = newFunnelView(r, "f")
	require.False(t, ok)
}

func curveYs(t *testing.T, points string) []float64 {
	t.Helper()
	var ys []float64
	for _, p := range strings.Fields(points) {
		_, y, ok := strings.Cut(p, ",")
		require.True(t, ok)
		f, err := strconv.ParseFloat(y, 64)
		require.NoError(t, err)
		ys = append(ys, f)
	}
	require.NotEmpty(t, ys)
	return ys
}

func tickValue(t *testing.T, tick axisTick) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.ReplaceAll(tick.Label, nbsp+"%", ""), "%"), 64)
	require.NoError(t, err)
	require.False(t, math.IsNaN(f))
	return f
}
