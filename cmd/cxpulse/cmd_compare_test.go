package main

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/stats"
)

// The table says what the branches are tested against (the standard of the
// typical branch, its between-branch SD), puts the shrunken estimate — the
// league order — before the raw one, and the csv names vs_standard.
func TestWriteComparison(t *testing.T) {
	res := compare.Result{KPI: "csat", Title: "CSAT (share satisfied)", Unit: "ratio", HigherIsBetter: true, Window: "30d",
		AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Level: 0.95, FDR: 0.05,
		Fleet:    compare.Estimate{Has: true, Value: 0.78, Low: 0.77, High: 0.79, N: 4000},
		Standard: stats.Funnel{Centre: 0.8, Sigma: 0.4, Between: 0.0004, Phi: 1.2, Groups: 3},
		Branches: []compare.Branch{
			{Branch: "praha-1", Estimate: compare.Estimate{Has: true, Value: 0.81, Low: 0.79, High: 0.83, N: 2000}, Shrunk: 0.808},
			{Branch: "lucky", Estimate: compare.Estimate{Has: true, Value: 1, Low: 0.68, High: 1, N: 8}, Shrunk: 0.803},
			{Branch: "brno-1", Estimate: compare.Estimate{Has: true, Value: 0.6, Low: 0.57, High: 0.63, N: 1000}, Shrunk: 0.61,
				VsStandard: compare.Test{Effect: -0.2, QValue: 0.0001}, Flag: stats.Below, Worse: true},
		}}
	var out bytes.Buffer
	require.NoError(t, writeComparison(&out, "table", res))
	text := out.String()
	require.Contains(t, text, "standard (the typical branch): 80%, between-branch SD 2%, overdispersion 1.200")
	lines := strings.Split(text, "\n")
	var header string
	for _, l := range lines {
		if strings.Contains(l, "branch") && strings.Contains(l, "shrunk") {
			header = l
		}
	}
	require.Less(t, strings.Index(header, "shrunk"), strings.Index(header, "estimate"), "the league's key first")
	require.Contains(t, header, "vs standard")
	require.Less(t, strings.Index(text, "praha-1"), strings.Index(text, "lucky"), "the given order is kept")
	require.Contains(t, text, "worse below")

	out.Reset()
	require.NoError(t, writeComparison(&out, "csv", res))
	recs, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Contains(t, recs[0], "vs_standard")
	require.Len(t, recs, 4)
}
