package kpitest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/reference"
)

// TestGoldenReference holds the plain-Go reference to the hand-derived rows
// of the golden fixture.
func TestGoldenReference(t *testing.T) {
	g := kpitest.Load(t)
	rows, err := reference.Compute(g.Events, g.Params)
	require.NoError(t, err)
	kpitest.RequireRowsMatch(t, g.Expected, rows)
}
