package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// --version on the root command prints what `cxpulse version` prints.
func TestVersionFlagMatchesVersionCommand(t *testing.T) {
	run := func(args ...string) string {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs(args)
		require.NoError(t, root.Execute())
		return out.String()
	}
	flag, command := run("--version"), run("version")
	require.Equal(t, command, flag)
	require.True(t, strings.HasPrefix(flag, "cxpulse "+version), flag)
	require.Contains(t, flag, "event contract v1")
}

// cxpulse_build_info carries the version, revision and Go version.
func TestBuildInfoLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newBuildInfoCollector())
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.Len(t, mfs, 1)
	require.Equal(t, "cxpulse_build_info", mfs[0].GetName())
	labels := map[string]string{}
	for _, l := range mfs[0].GetMetric()[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	require.Equal(t, version, labels["version"])
	require.NotEmpty(t, labels["revision"])
	require.True(t, strings.HasPrefix(labels["goversion"], "go"), labels["goversion"])
	require.Equal(t, 1.0, mfs[0].GetMetric()[0].GetGauge().GetValue())
}
