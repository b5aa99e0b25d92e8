package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The compare job screens the KPIs whose descriptors give a Screen place,
// in the order /metrics has always served their series.
func TestScreenedKPIs(t *testing.T) {
	var names []string
	for _, d := range screenedKPIs {
		names = append(names, d.Name)
	}
	require.Equal(t, []string{"nps", "csat", "sla", "fcr", "punctuality", "promise_kept", "first_response"}, names)
}
