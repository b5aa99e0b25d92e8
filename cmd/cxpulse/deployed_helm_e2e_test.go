//go:build helm

package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The chart's computes (deploy/helm/cxpulse, default values, as
// deploy/helm/check.sh rendered them into CXPULSE_TEST_HELM_RENDERED) run
// from the ConfigMap's configuration: as many as the Deployment's replicas,
// exactly one leads, and SIGTERM of the leader (a rolling update, a drain)
// hands over. Run by deploy/helm/check.sh with the test servers.
func TestChartComputesElectOneLeader(t *testing.T) {
	dir := os.Getenv("CXPULSE_TEST_HELM_RENDERED")
	require.NotEmpty(t, dir, "CXPULSE_TEST_HELM_RENDERED: the folder deploy/helm/check.sh renders the chart into")
	f, err := os.Open(filepath.Join(dir, "default.yaml"))
	require.NoError(t, err)
	defer f.Close()
	var configYAML string
	replicas := -1
	dec := yaml.NewDecoder(f)
	for {
		var obj struct {
			Kind     string
			Metadata struct{ Name string }
			Data     map[string]string
			Spec     struct{ Replicas int }
		}
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch {
		case obj.Kind == "ConfigMap" && obj.Metadata.Name == "cxpulse":
			configYAML = obj.Data["cxpulse.yaml"]
		case obj.Kind == "Deployment" && obj.Metadata.Name == "cxpulse-compute":
			replicas = obj.Spec.Replicas
		}
	}
	require.NotEmpty(t, configYAML, "the ConfigMap cxpulse holds cxpulse.yaml")
	require.Equal(t, 2, replicas, "the chart runs two computes by default")
	path := filepath.Join(t.TempDir(), "cxpulse.yaml") // where the pods mount it: /etc/cxpulse/cxpulse.yaml
	require.NoError(t, os.WriteFile(path, []byte(configYAML), 0o600))

	d := startDeployedComputes(t, path)
	d.requireOneLeader(t)
	d.handOver(t)
}
