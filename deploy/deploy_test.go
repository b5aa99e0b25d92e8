// Package deploy_test checks the deployment files of deploy/ against each
// other and against what the issue asks of them: the Helm chart reads the
// same rules and dashboards as deploy/prometheus and deploy/grafana, and the
// compose stack is wired as documented. The rendered chart is checked by
// chart_test.go (-tags helm, from deploy/helm/check.sh).
package deploy_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

// sameFiles: dir holds exactly the files of want (by name), with equal bytes.
func sameFiles(t *testing.T, want, dir, pattern string) {
	t.Helper()
	w, err := filepath.Glob(filepath.Join(want, pattern))
	require.NoError(t, err)
	g, err := filepath.Glob(filepath.Join(dir, pattern))
	require.NoError(t, err)
	require.NotEmpty(t, w)
	names := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		sort.Strings(out)
		return out
	}
	require.Equal(t, names(w), names(g), "files of %s and %s", dir, want)
	for _, p := range w {
		a, err := os.ReadFile(p)
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(p)))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "%s differs from %s", filepath.Join(dir, filepath.Base(p)), p)
	}
}

// The chart reads deploy/prometheus/rules and deploy/grafana/dashboards
// through symlinks: the same files, never a copy that drifts.
func TestChartFilesAreTheRepositoryFiles(t *testing.T) {
	for link, target := range map[string]string{
		"helm/cxpulse/files/rules":      "prometheus/rules",
		"helm/cxpulse/files/dashboards": "grafana/dashboards",
	} {
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&os.ModeSymlink, "%s is a symlink to %s, not a copy", link, target)
		resolved, err := filepath.EvalSymlinks(link)
		require.NoError(t, err)
		require.Equal(t, filepath.Clean(target), resolved)
	}
	sameFiles(t, "prometheus/rules", "helm/cxpulse/files/rules", "*.yml")
	sameFiles(t, "grafana/dashboards", "helm/cxpulse/files/dashboards", "*.json")
}

// compose is the part of the compose file the test reads.
type compose struct {
	Services map[string]struct {
		Image       string
		Command     []string
		Entrypoint  []string
		Restart     string
		ReadOnly    bool `yaml:"read_only"`
		Volumes     []string
		Secrets     []string
		Environment map[string]string
		Healthcheck struct {
			Test    []string
			Disable bool
		}
		DependsOn map[string]struct{ Condition string } `yaml:"depends_on"`
	}
	Volumes map[string]any
	Secrets map[string]struct{ File string }
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	data, err := os.ReadFile("compose/compose.yaml")
	require.NoError(t, err)
	var c compose
	require.NoError(t, yaml.Unmarshal(data, &c))
	return c
}

func TestComposeStack(t *testing.T) {
	c := loadCompose(t)
	var names []string
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	require.Equal(t, []string{"alertmanager", "clickhouse", "compute", "grafana", "ingest-1", "ingest-2",
		"kafka", "migrate", "producer", "prometheus"}, names)

	for _, n := range []string{"migrate", "ingest-1", "ingest-2", "compute", "producer"} {
		s := c.Services[n]
		require.Equal(t, "cxpulse:compose", s.Image, n)
		require.True(t, s.ReadOnly, "%s runs with a read-only root filesystem", n)
		require.Contains(t, s.Volumes, "./cxpulse.yaml:/etc/cxpulse/cxpulse.yaml:ro", n)
		require.Contains(t, s.Secrets, "clickhouse_password", n)
		require.Equal(t, []string{"--config", "/etc/cxpulse/cxpulse.yaml"}, s.Command[len(s.Command)-2:], n)
	}
	require.Equal(t, "migrate", c.Services["migrate"].Command[0])
	require.Equal(t, "no", c.Services["migrate"].Restart, "migrate runs once")
	for _, n := range []string{"ingest-1", "ingest-2"} {
		require.Equal(t, "ingest", c.Services[n].Command[0])
		require.Equal(t, "service_completed_successfully", c.Services[n].DependsOn["migrate"].Condition, n)
		require.Equal(t, "service_healthy", c.Services[n].DependsOn["kafka"].Condition, n)
		require.Equal(t, []string{"CMD", "cxpulse", "healthcheck", "--config", "/etc/cxpulse/cxpulse.yaml"},
			c.Services[n].Healthcheck.Test, n)
	}
	require.Equal(t, "compute", c.Services["compute"].Command[0])
	require.Equal(t, []string{"gen", "--kafka"}, c.Services["producer"].Command[:2])

	// every dependency waits on a condition; every long-running service has a healthcheck
	for n, s := range c.Services {
		for dep, d := range s.DependsOn {
			require.Contains(t, c.Services, dep, "%s depends on %s", n, dep)
			require.Contains(t, []string{"service_healthy", "service_completed_successfully"}, d.Condition, "%s -> %s", n, dep)
		}
		if s.Restart != "no" {
			require.False(t, s.Healthcheck.Disable, n)
			require.NotEmpty(t, s.Healthcheck.Test, "%s has a healthcheck", n)
		}
	}

	// KRaft, no ZooKeeper
	kafka := c.Services["kafka"].Environment
	require.Equal(t, "broker,controller", kafka["KAFKA_PROCESS_ROLES"])
	require.NotContains(t, strings.Join(names, " "), "zookeeper")

	// Prometheus loads deploy/prometheus/rules as they are
	prom := c.Services["prometheus"]
	require.Contains(t, prom.Volumes, "../prometheus/rules:/etc/prometheus/rules:ro")
	require.Contains(t, prom.Volumes, "./prometheus.yml:/etc/prometheus/prometheus.yml:ro")
	var pcfg struct {
		RuleFiles []string `yaml:"rule_files"`
	}
	data, err := os.ReadFile("compose/prometheus.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &pcfg))
	require.Equal(t, []string{"/etc/prometheus/rules/*.yml"}, pcfg.RuleFiles)
	require.Contains(t, c.Services["alertmanager"].Volumes, "../alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro")

	// Grafana provisions deploy/grafana's dashboards where its provider looks
	var provider struct {
		Providers []struct{ Options struct{ Path string } }
	}
	data, err = os.ReadFile("grafana/provisioning/dashboards/cxpulse.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &provider))
	require.Len(t, provider.Providers, 1)
	graf := c.Services["grafana"]
	require.Contains(t, graf.Volumes, "../grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro")
	require.Contains(t, graf.Volumes, "../grafana/dashboards:"+provider.Providers[0].Options.Path+":ro")

	// named volumes: every one declared is used, every named one used is declared
	used := map[string]bool{}
	for _, s := range c.Services {
		for _, v := range s.Volumes {
			src := strings.SplitN(v, ":", 2)[0]
			if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
				used[src] = true
				require.Contains(t, c.Volumes, src, "volume %s is declared", src)
			}
		}
	}
	for v := range c.Volumes {
		require.True(t, used[v], "volume %s is used", v)
	}
	// secrets are files under compose/secrets/ (deploy/compose/secrets.sh writes them)
	script, err := os.ReadFile("compose/secrets.sh")
	require.NoError(t, err)
	for name, s := range c.Secrets {
		require.Equal(t, "./secrets/"+name, s.File)
		require.Contains(t, string(script), name, "secrets.sh writes %s", name)
	}
	for n, s := range c.Services {
		for _, sec := range s.Secrets {
			require.Contains(t, c.Secrets, sec, "%s uses secret %s", n, sec)
		}
	}
}

// The compose stack's cxpulse configuration is one cxpulse accepts.
func TestComposeConfigIsValid(t *testing.T) {
	data, err := os.ReadFile("compose/cxpulse.yaml")
	require.NoError(t, err)
	c := config.Default()
	require.NoError(t, c.ParseYAML(data))
	require.NoError(t, c.Validate())
	require.Equal(t, []string{"kafka:9092"}, c.Kafka.Brokers)
	require.Equal(t, "/run/secrets/clickhouse_password", c.ClickHouse.PasswordFile)
}

// The compose stack's datasources are deploy/grafana's, pointed at the
// compose services: same names, uids, types and settings otherwise.
func TestComposeDatasourcesMatchProvisioning(t *testing.T) {
	load := func(path string) []map[string]any {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var f struct{ Datasources []map[string]any }
		require.NoError(t, yaml.Unmarshal(data, &f))
		require.NotEmpty(t, f.Datasources)
		return f.Datasources
	}
	want, got := load("grafana/provisioning/datasources/cxpulse.yaml"), load("compose/grafana/datasources.yaml")
	require.Len(t, got, len(want))
	endpoints := map[string]bool{"url": true, "host": true, "username": true}
	var strip func(m map[string]any) map[string]any
	strip = func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			if endpoints[k] {
				continue
			}
			if sub, ok := v.(map[string]any); ok {
				v = strip(sub)
			}
			out[k] = v
		}
		return out
	}
	for i := range want {
		require.Equal(t, strip(want[i]), strip(got[i]), "datasource %v", want[i]["name"])
	}
}
