package web

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// The tiles, as the descriptors place them, show what the page has always
// shown: the same titles in the same order, each in its field's unit (CSAT,
// a percent already, at scale 1; the ratios as percents).
func TestTilesFromDescriptors(t *testing.T) {
	type shownTile struct {
		title, kpi, field, unit string
		scale                   float64
	}
	var got []shownTile
	for _, d := range tiles() {
		f, ok := d.Field(d.Tile.Value)
		require.True(t, ok, d.Name)
		unit, scale := shown(f.Unit)
		got = append(got, shownTile{d.Tile.Title, d.Name, d.Tile.Value, unit, scale})
	}
	require.Equal(t, []shownTile{
		{"NPS", kpi.NPS, "nps", "", 1},
		{"CSAT", kpi.CSAT, "csat_percent", "%", 1},
		{"SLA attainment, first response", kpi.SLA, "attainment_ratio", "%", 100},
		{"First response, median", kpi.FirstResponse, "p50_seconds", "s", 1},
		{"Retention", kpi.Retention, "retention_ratio", "%", 100},
		{"Appointments on time", kpi.Punctuality, "on_time_ratio", "%", 100},
		{"Callbacks kept", kpi.PromiseKept, "ratio", "%", 100},
	}, got)
}
