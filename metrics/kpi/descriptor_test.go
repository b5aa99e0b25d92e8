package kpi

import (
	"context"
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	cxsql "github.com/cxpulse/cxpulse/sql"
)

// TestDescriptorsAreComplete fails for a KPI or field the table leaves
// half described: every field has a unit and help, a metric or the reason
// it has none; summaries have the count and mean their _count and _sum come
// from; every family names queries that exist.
func TestDescriptorsAreComplete(t *testing.T) {
	queries := map[string]bool{}
	for _, q := range cxsql.KPIQueryNames() {
		queries[q] = true
	}
	metricName := regexp.MustCompile(`^cxpulse_[a-z0-9_]+$`)
	type owner struct{ kpi, where string }
	series := map[string]owner{}   // metric and the label value it fixes → its field
	labelOf := map[string]string{} // metric → the label its fields fix
	seen := map[string]bool{}
	for _, d := range Descriptors() {
		require.NotEmpty(t, d.Name)
		require.False(t, seen[d.Name], "KPI %s described twice", d.Name)
		seen[d.Name] = true
		require.NotEmpty(t, d.Help, "%s: no help", d.Name)
		require.NotEmpty(t, d.Job, "%s: no job", d.Name)
		require.NotEmpty(t, d.Families, "%s: no family computes it", d.Name)
		for _, f := range d.Families {
			require.NotNil(t, f.compute, "%s: family %s without a function", d.Name, f.Name)
			require.NotEmpty(t, f.Queries, "%s: family %s names no query", d.Name, f.Name)
			for _, q := range f.Queries {
				require.True(t, queries[q], "%s: family %s reads sql/kpi/%s.sql, which does not exist", d.Name, f.Name, q)
			}
		}
		require.True(t, d.Dims[DimBranch], "%s: every KPI is per branch", d.Name)
		require.NotEmpty(t, d.Fields, "%s: no fields", d.Name)
		summary := false
		names := map[string]bool{}
		for _, f := range d.Fields {
			where := d.Name + "." + f.Name
			require.False(t, names[f.Name], "%s twice", where)
			names[f.Name] = true
			require.NotEmpty(t, f.Unit, "%s: no unit", where)
			require.NotEmpty(t, f.Help, "%s: no help", where)
			if f.Metric == "" {
				require.NotEmpty(t, f.Unexported, "%s: no metric, and no reason for none", where)
				require.Empty(t, f.NoPanel, "%s: no metric, so no panel reason", where)
				continue
			}
			require.Empty(t, f.Unexported, "%s: a metric and a reason for none", where)
			require.Regexp(t, metricName, f.Metric, where)
			summary = summary || f.Summary
			label, value := f.Label, f.LabelValue
			require.Equal(t, label == "", value == "", "%s: a fixed label needs its name and value", where)
			require.NotContains(t, []string{"quantile", "branch", "window", "channel", "region", "team", "agent", "priority", "policy", "target"},
				f.Label, "%s: Label %q is a label the exporter sets itself", where, f.Label)
			require.False(t, f.Summary && label != "", "%s: a summary's fields fix only its quantile", where)
			// the exporter gives a metric the label names of its first field
			if prev, ok := labelOf[f.Metric]; ok {
				require.Equal(t, prev, label, "%s: %s's fields fix different labels", where, f.Metric)
			}
			labelOf[f.Metric] = label
			key := f.Metric + "|" + label + "=" + value
			if f.Summary {
				key = f.Metric + "|summary"
			}
			// a summary's fields share it; any other series has one field
			if prev, ok := series[key]; ok && !(f.Summary && prev.kpi == d.Name) {
				t.Fatalf("%s and %s export the same series %s", prev.where, where, f.Metric)
			}
			series[key] = owner{d.Name, where}
		}
		if c := d.Compare; c != nil {
			require.NotEmpty(t, c.Title, "%s: comparison without a title", d.Name)
			switch c.Method {
			case CompareProportion:
				require.True(t, names[c.Successes], "%s: compares successes %q, no such field", d.Name, c.Successes)
				require.NotEmpty(t, c.Trials, "%s: a proportion without trials", d.Name)
				for _, f := range c.Trials {
					require.True(t, names[f], "%s: compares trials %q, no such field", d.Name, f)
				}
			case CompareNPS:
				require.True(t, names["promoters"] && names["passives"] && names["detractors"], "%s: NPS counts missing", d.Name)
			case CompareMedians:
				require.True(t, d.HasSamples(), "%s: medians of a KPI without samples", d.Name)
			default:
				t.Fatalf("%s: comparison method %q", d.Name, c.Method)
			}
		}
		if summary {
			require.True(t, names["count"] && names["mean_seconds"], "%s: a summary needs count and mean_seconds for its _count and _sum", d.Name)
		}
		// a summary is exported from the samples Engine.Samples gives
		require.Equal(t, summary, d.HasSamples(), "%s: a summary metric and samples go together", d.Name)
	}
	for _, name := range []string{NPS, CSAT, CES, FirstResponse, NextResponse, Resolution, Reopen, FCR, Volume,
		SLA, SLANow, SLADecisions, Complaints, Retention, Cohort, Punctuality, PromiseKept, Pending, Experience} {
		require.True(t, seen[name], "KPI %s has no descriptor", name)
	}
}

// TestUnitsScaleTheirMetric: only percents change on the way to a metric.
func TestUnitsScaleTheirMetric(t *testing.T) {
	require.Equal(t, 0.01, Percent.ExportScale())
	for _, u := range []Unit{Count, Ratio, Seconds, Score, Points, Per100, Flag} {
		require.Equal(t, 1.0, u.ExportScale(), u)
	}
}

// Every query the engine runs is read by some family, or keeps the ticket
// facts those read: a query no descriptor names is dead or undocumented.
func TestEveryQueryHasAFamily(t *testing.T) {
	named := map[string]bool{}
	for _, d := range Descriptors() {
		for _, f := range d.Families {
			for _, q := range f.Queries {
				named[q] = true
			}
		}
	}
	fold := map[string]bool{"ticket_fold": true, "ticket_touched": true, "ticket_fold_state": true,
		"ticket_fold_done": true, "ticket_fold_tombstones": true}
	for _, v := range cxsql.KPIVariants() {
		require.True(t, named[v.Name] || fold[v.Name], "sql/kpi/%s.sql (form %s): no family reads it", v.Name, v.Label)
	}
}

// Engine.Samples refuses a KPI without samples before it reads anything,
// naming those that have them.
func TestSamplesOfAKPIWithout(t *testing.T) {
	require.Equal(t, []string{FirstResponse, NextResponse, Resolution}, sampledKPIs())
	for _, name := range []string{NPS, SLA, "no_such_kpi"} {
		_, err := (&Engine{}).Samples(context.Background(), Params{}, name, Window{})
		require.EqualError(t, err, `samples of "`+name+`": only first_response, next_response, resolution have samples`)
	}
}

// The places of the compare job's screen and of the overview page's tiles
// are 1…n, each once; a tile shows fields of its KPI, and a league (ranked
// under its tile's title) agrees with its tile on which way is better.
func TestScreenAndTiles(t *testing.T) {
	var screen, tiles []int
	for _, d := range Descriptors() {
		if c := d.Compare; c != nil {
			if c.Screen != 0 {
				screen = append(screen, c.Screen)
			}
			if c.League {
				require.NotNil(t, d.Tile, "%s: a league is titled by its tile, and it has none", d.Name)
				require.Equal(t, c.HigherIsBetter, d.Tile.HigherIsBetter, "%s: league and tile disagree on which way is better", d.Name)
			}
		}
		tile := d.Tile
		if tile == nil {
			continue
		}
		tiles = append(tiles, tile.Place)
		require.NotEmpty(t, tile.Title, d.Name)
		require.NotEmpty(t, tile.N, "%s: a tile needs its sample size", d.Name)
		for _, f := range append([]string{tile.Value}, tile.N...) {
			_, ok := d.Field(f)
			require.True(t, ok, "%s: tile shows field %q, no such field", d.Name, f)
		}
		if tile.Margin != "" {
			m, ok := d.Field(tile.Margin)
			v, _ := d.Field(tile.Value)
			require.True(t, ok && m.Unit == v.Unit, "%s: a tile's margin is a field in its value's unit", d.Name)
		}
	}
	for what, places := range map[string][]int{"screen": screen, "tiles": tiles} {
		require.NotEmpty(t, places, what)
		sort.Ints(places)
		for i, p := range places {
			require.Equal(t, i+1, p, "%s places are not 1…%d, each once: %v", what, len(places), places)
		}
	}
}
