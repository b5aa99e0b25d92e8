package kpitest_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/reference"
)

// TestGoldenReference holds the plain-Go reference to the hand-derived rows
// of the golden fixture.
func TestGoldenReference(t *testing.T) {
	for _, g := range kpitest.LoadAll(t) {
		t.Run(filepath.Base(g.Dir), func(t *testing.T) {
			rows, err := reference.Compute(g.Events, g.Params)
			require.NoError(t, err)
			kpitest.RequireRowsMatch(t, g.Expected, rows)
		})
	}
}
