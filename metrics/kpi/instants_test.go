package kpi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAppendInstants(t *testing.T) {
	got, err := appendInstants([]uint64{7}, 1000, "0,25,1000")
	require.NoError(t, err)
	require.Equal(t, []uint64{7, 1000, 1025, 2000}, got)
	got, err = appendInstants(nil, 5, "")
	require.NoError(t, err)
	require.Empty(t, got)
	for _, bad := range []string{",", "1,", "1,,2", "-1", "1 2", "a"} {
		_, err := appendInstants(nil, 0, bad)
		require.Error(t, err, bad)
	}
}
