package schedule

// prometheus/testutil would do what these helpers do, but it imports
// github.com/kylelemons/godebug, which go.mod does not list; these use only
// client_model and expfmt, which it does.

import (
	"bytes"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
)

// value is the value of the single series c collects (a counter or gauge).
func value(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	ms := collect(t, c)
	require.Len(t, ms, 1)
	switch m := ms[0]; {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("series is neither counter nor gauge: %v", ms[0])
	return 0
}

// count is the number of series c collects.
func count(t *testing.T, c prometheus.Collector) int {
	t.Helper()
	return len(collect(t, c))
}

func collect(t *testing.T, c prometheus.Collector) []*dto.Metric {
	t.Helper()
	ch := make(chan prometheus.Metric)
	go func() { c.Collect(ch); close(ch) }()
	var out []*dto.Metric
	for m := range ch {
		var d dto.Metric
		require.NoError(t, m.Write(&d))
		out = append(out, &d)
	}
	return out
}

// exposition is the text format of the named families of g, as /metrics
// would serve them.
func exposition(t *testing.T, g prometheus.Gatherer, names ...string) string {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if slices.Contains(names, mf.GetName()) {
			require.NoError(t, enc.Encode(mf))
		}
	}
	return buf.String()
}

// lint returns promlint's complaints about the metrics of g.
func lint(t *testing.T, g prometheus.Gatherer) []promlint.Problem {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	require.NoError(t, err)
	return problems
}
