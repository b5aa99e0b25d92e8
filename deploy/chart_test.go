//go:build helm

package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

// The chart as deploy/helm/check.sh rendered it (helm template) into
// CXPULSE_TEST_HELM_RENDERED: default.yaml (default values) and ci.yaml
// (deploy/helm/ci-values.yaml).

type manifest struct {
	kind, name string
	raw        []byte // JSON
	obj        map[string]any
}

func rendered(t *testing.T, values string) []manifest {
	t.Helper()
	dir := os.Getenv("CXPULSE_TEST_HELM_RENDERED")
	require.NotEmpty(t, dir, "CXPULSE_TEST_HELM_RENDERED: the folder deploy/helm/check.sh renders the chart into")
	f, err := os.Open(filepath.Join(dir, values+".yaml"))
	require.NoError(t, err)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var out []manifest
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if obj == nil {
			continue
		}
		raw, err := json.Marshal(obj)
		require.NoError(t, err)
		meta, _ := obj["metadata"].(map[string]any)
		out = append(out, manifest{kind: obj["kind"].(string), name: meta["name"].(string), raw: raw, obj: obj})
	}
	require.NotEmpty(t, out)
	return out
}

func ofKind(ms []manifest, kind string) []manifest {
	var out []manifest
	for _, m := range ms {
		if m.kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// strict decodes a manifest into a Go API type, refusing unknown fields: for
// the CRDs, prometheus-operator's own types are their schema.
func strict(t *testing.T, m manifest, into any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(m.raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(into), "%s %s", m.kind, m.name)
}

// normal re-encodes any YAML/JSON value as JSON with sorted keys.
func normal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestChartRulesAreTheRuleFiles(t *testing.T) {
	for _, values := range []string{"default", "ci"} {
		rules := ofKind(rendered(t, values), "PrometheusRule")
		require.Len(t, rules, 1, values)
		var pr monitoringv1.PrometheusRule
		strict(t, rules[0], &pr)

		files, err := filepath.Glob("prometheus/rules/*.yml")
		require.NoError(t, err)
		sort.Strings(files)
		var want []any
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			var doc struct{ Groups []any }
			require.NoError(t, yaml.Unmarshal(data, &doc))
			require.NotEmpty(t, doc.Groups, f)
			want = append(want, doc.Groups...)
		}
		spec := rules[0].obj["spec"].(map[string]any)
		require.Equal(t, normal(t, want), normal(t, spec["groups"]), "%s: the PrometheusRule's groups are deploy/prometheus/rules", values)
	}
}

func TestChartDashboardsAreTheDashboardFiles(t *testing.T) {
	files, err := filepath.Glob("grafana/dashboards/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	got := map[string]string{}
	for _, m := range ofKind(rendered(t, "default"), "ConfigMap") {
		var cm corev1.ConfigMap
		strict(t, m, &cm)
		if cm.Labels["grafana_dashboard"] != "1" {
			continue
		}
		require.Equal(t, "cxpulse", cm.Annotations["grafana_folder"])
		require.Len(t, cm.Data, 1, cm.Name)
		for k, v := range cm.Data {
			got[k] = v
		}
	}
	require.Len(t, got, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.Equal(t, string(data), got[filepath.Base(f)], "ConfigMap of %s holds the file byte for byte", f)
	}
}

func TestChartServiceMonitorScrapesTheServices(t *testing.T) {
	ms := rendered(t, "ci")
	sms := ofKind(ms, "ServiceMonitor")
	require.Len(t, sms, 1)
	var sm monitoringv1.ServiceMonitor
	strict(t, sms[0], &sm)
	require.Equal(t, "kube-prometheus-stack", sm.Labels["release"])
	require.Equal(t, "app.kubernetes.io/name", sm.Spec.JobLabel)
	require.Len(t, sm.Spec.Endpoints, 1)
	require.Equal(t, "http", sm.Spec.Endpoints[0].Port)
	require.Equal(t, "/metrics", sm.Spec.Endpoints[0].Path)

	var scraped []string
	for _, m := range ofKind(ms, "Service") {
		var svc corev1.Service
		strict(t, m, &svc)
		matches := true
		for k, v := range sm.Spec.Selector.MatchLabels {
			matches = matches && svc.Labels[k] == v
		}
		if matches {
			scraped = append(scraped, svc.Labels["app.kubernetes.io/component"])
			// job="cxpulse": what CxpulseDown and the recording rules read
			require.Equal(t, "cxpulse", svc.Labels[sm.Spec.JobLabel])
			require.Equal(t, "http", svc.Spec.Ports[0].Name)
		}
	}
	sort.Strings(scraped)
	require.Equal(t, []string{"compute", "ingest"}, scraped)
}

func podChecks(t *testing.T, name string, spec corev1.PodSpec) {
	t.Helper()
	require.NotNil(t, spec.SecurityContext.RunAsNonRoot, name)
	require.True(t, *spec.SecurityContext.RunAsNonRoot, "%s runs as non-root", name)
	require.NotZero(t, *spec.SecurityContext.RunAsUser, name)
	for _, c := range spec.Containers {
		require.True(t, *c.SecurityContext.ReadOnlyRootFilesystem, "%s/%s: read-only root filesystem", name, c.Name)
		require.False(t, *c.SecurityContext.AllowPrivilegeEscalation, "%s/%s", name, c.Name)
		require.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop, "%s/%s", name, c.Name)
		require.NotEmpty(t, c.Resources.Requests, "%s/%s: resources", name, c.Name)
		require.Equal(t, []string{"--config", "/etc/cxpulse/cxpulse.yaml"}, c.Args[1:], "%s/%s", name, c.Name)
		var mounts []string
		for _, v := range c.VolumeMounts {
			mounts = append(mounts, v.MountPath)
			require.True(t, v.ReadOnly, "%s/%s: %s", name, c.Name, v.MountPath)
		}
		require.ElementsMatch(t, []string{"/etc/cxpulse/cxpulse.yaml", "/etc/cxpulse/secrets"}, mounts, "%s/%s", name, c.Name)
	}
}

func TestChartWorkloads(t *testing.T) {
	for _, values := range []string{"default", "ci"} {
		ms := rendered(t, values)
		cfgs := map[string]config.Config{}
		for _, m := range ofKind(ms, "ConfigMap") {
			var cm corev1.ConfigMap
			strict(t, m, &cm)
			if y, ok := cm.Data["cxpulse.yaml"]; ok {
				c := config.Default()
				require.NoError(t, c.ParseYAML([]byte(y)), "%s: the ConfigMap %s is a cxpulse configuration", values, cm.Name)
				require.Equal(t, "/etc/cxpulse/secrets/clickhouse-password", c.ClickHouse.PasswordFile)
				cfgs[cm.Name] = c
			}
		}
		require.Len(t, cfgs, 2, "%s: the release's and the migrate hook's", values)
		cfg := cfgs["cxpulse"]

		replicas := map[string]int32{}
		for _, m := range ofKind(ms, "Deployment") {
			var d appsv1.Deployment
			strict(t, m, &d)
			comp := d.Labels["app.kubernetes.io/component"]
			replicas[comp] = *d.Spec.Replicas
			podChecks(t, d.Name, d.Spec.Template.Spec)
			c := d.Spec.Template.Spec.Containers[0]
			require.Equal(t, comp, c.Args[0])
			require.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path, d.Name)
			require.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path, d.Name)
		}
		require.LessOrEqual(t, int(replicas["ingest"]), cfg.Kafka.TopicPartitions, "%s: ingest replicas ≤ partitions", values)
		if values == "default" {
			require.Equal(t, int32(2), replicas["ingest"])
			require.Equal(t, int32(1), replicas["compute"], "one compute without leader election")
			require.Empty(t, cfg.HTTP.Auth.TokenFile, "no token configured")
		} else {
			require.Equal(t, int32(12), replicas["ingest"])
			require.Equal(t, int32(2), replicas["compute"])
			require.Equal(t, "/etc/cxpulse/secrets/kafka-sasl-password", cfg.Kafka.SASL.PasswordFile)
			require.Equal(t, "/etc/cxpulse/secrets/http-token", cfg.HTTP.Auth.TokenFile)
		}

		pdbs := map[string]bool{}
		for _, m := range ofKind(ms, "PodDisruptionBudget") {
			pdbs[m.name] = true
		}
		require.Equal(t, map[string]bool{"cxpulse-ingest": true, "cxpulse-compute": true}, pdbs, values)

		// migrate: a pre-install/pre-upgrade hook Job, after its own config
		jobs := ofKind(ms, "Job")
		require.Len(t, jobs, 1)
		var job batchv1.Job
		strict(t, jobs[0], &job)
		require.Equal(t, "pre-install,pre-upgrade", job.Annotations["helm.sh/hook"])
		require.Equal(t, "migrate", job.Spec.Template.Spec.Containers[0].Args[0])
		podChecks(t, job.Name, job.Spec.Template.Spec)
		for _, v := range job.Spec.Template.Spec.Volumes {
			var dep string
			switch {
			case v.ConfigMap != nil:
				dep = v.ConfigMap.Name
			case v.Secret != nil:
				dep = v.Secret.SecretName
			}
			if dep == "cxpulse-credentials" {
				continue // the operator's existing Secret (ci values)
			}
			found := false
			for _, m := range ms {
				if m.name == dep && (m.kind == "ConfigMap" || m.kind == "Secret") {
					meta := m.obj["metadata"].(map[string]any)
					ann, _ := meta["annotations"].(map[string]any)
					require.Equal(t, "pre-install,pre-upgrade", ann["helm.sh/hook"], "%s exists before the Job runs", dep)
					require.True(t, strings.HasPrefix(ann["helm.sh/hook-weight"].(string), "-"), "%s is made before the Job", dep)
					found = true
				}
			}
			require.True(t, found, "the migrate Job's volume %s is rendered", dep)
		}
	}
}
