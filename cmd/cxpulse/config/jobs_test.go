package config

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// The jobs the KPI descriptors name, and the scorecards job, are the jobs
// with a default schedule (besides compare, which writes no snapshot): a KPI
// whose descriptor names a job nobody schedules would never be computed.
func TestEveryDescribedJobIsScheduled(t *testing.T) {
	var described, scheduled []string
	for name := range JobKPIs {
		described = append(described, name)
	}
	for name := range DefaultJobs() {
		if name != CompareJob {
			scheduled = append(scheduled, name)
		}
	}
	sort.Strings(described)
	sort.Strings(scheduled)
	require.Equal(t, scheduled, described)
}
