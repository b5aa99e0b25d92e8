package expose

import (
	"strconv"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// family maps one field of one KPI to a Prometheus family, as the KPI's
// descriptor says. docs/METRICS.md lists them; a test keeps the two equal.
type family struct {
	name, help string
	kpi, field string
	scale      float64 // from the field's unit to the metric's
	// constLabel is a label whose value the field fixes: the quantile of a
	// summary's quantile field, or the field's Label (the outcome of a
	// decision count, the experience group of a retention count).
	constLabel, constValue string
	perPolicy              bool // the series carry policy and target labels
}

// families is every KPI series, from the descriptors' fields in table
// order. Counts are plain gauges of the window; a summary's count field
// only fills its _count, so it is no family of its own.
var families = func() []family {
	var out []family
	for _, d := range kpi.Descriptors() {
		for _, f := range d.Fields {
			if f.Metric == "" || (f.Summary && f.Quantile == 0) {
				continue
			}
			fam := family{name: f.Metric, help: f.Help, kpi: d.Name, field: f.Name, scale: f.Unit.ExportScale(), perPolicy: d.PerPolicy}
			if f.Summary {
				fam.constLabel, fam.constValue = "quantile", strconv.FormatFloat(f.Quantile, 'g', -1, 64)
			} else {
				fam.constLabel, fam.constValue = f.Label, f.LabelValue
			}
			out = append(out, fam)
		}
	}
	return out
}()
