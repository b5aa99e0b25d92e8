package expose

import (
	"sort"

	dto "github.com/prometheus/client_model/go"
)

// layout builds the metrics of one family straight into their protobuf
// form, label pairs sorted by name as client_golang would, without the
// validation and copying of a const metric: Update makes a few hundred
// thousand of them per snapshot.
type layout struct {
	names []*string // label names, sorted
	order []int     // order[i]: index in the sorted names of the i-th label value given
}

func newLayout(labels []string) layout {
	idx := make([]int, len(labels))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return labels[idx[a]] < labels[idx[b]] })
	l := layout{names: make([]*string, len(labels)), order: make([]int, len(labels))}
	for pos, i := range idx {
		name := labels[i]
		l.names[pos] = &name
		l.order[i] = pos
	}
	return l
}

func (l layout) metric(values []string, v float64) *dto.Metric {
	m := &dto.Metric{Label: make([]*dto.LabelPair, len(values)), Gauge: &dto.Gauge{Value: &v}}
	for i, val := range values {
		pos := l.order[i]
		val := val
		m.Label[pos] = &dto.LabelPair{Name: l.names[pos], Value: &val}
	}
	return m
}

// summary is a summary sample without quantiles yet (the caller adds them).
func (l layout) summary(values []string, count, sum float64) *dto.Metric {
	m := l.metric(values, 0)
	n := uint64(count)
	m.Gauge = nil
	m.Summary = &dto.Summary{SampleCount: &n, SampleSum: &sum}
	return m
}
