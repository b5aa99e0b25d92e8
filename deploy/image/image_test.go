//go:build image

// Package image_test runs the cxpulse container image against the real test
// servers: deploy/image/check.sh builds the image (offline, FROM scratch) and
// runs this with -tags image and CXPULSE_TEST_IMAGE set. Without the image or
// an engine it fails; it never skips.
package image_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/ingest/kafkatest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

func image(t *testing.T) string {
	t.Helper()
	img := os.Getenv("CXPULSE_TEST_IMAGE")
	require.NotEmpty(t, img, "CXPULSE_TEST_IMAGE names the image to test (deploy/image/check.sh builds it and sets it)")
	return img
}

// docker runs the Docker client on DOCKER_HOST and returns its stdout.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := dockerCmd(args...)
	require.NoError(t, err, "docker %s:\n%s", strings.Join(args, " "), out)
	return out
}

func dockerCmd(args ...string) (string, error) {
	bin := os.Getenv("DOCKER")
	if bin == "" {
		bin = "docker"
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

func TestImageMetadata(t *testing.T) {
	var info []struct {
		Config struct {
			User        string
			Entrypoint  []string
			Labels      map[string]string
			Healthcheck struct{ Test []string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(docker(t, "image", "inspect", image(t))), &info))
	require.Len(t, info, 1)
	c := info[0].Config
	require.Equal(t, "65532:65532", c.User, "runs as non-root")
	require.Equal(t, []string{"cxpulse"}, c.Entrypoint)
	require.Equal(t, []string{"CMD", "cxpulse", "healthcheck"}, c.Healthcheck.Test)
	for _, l := range []string{"version", "revision", "source", "created"} {
		v := c.Labels["org.opencontainers.image."+l]
		require.NotEmpty(t, v, "label org.opencontainers.image.%s", l)
		require.NotEqual(t, "unknown", v, "label org.opencontainers.image.%s", l)
	}
	if want := os.Getenv("CXPULSE_TEST_IMAGE_VERSION"); want != "" {
		require.Equal(t, want, c.Labels["org.opencontainers.image.version"])
	}
}

func TestImageVersion(t *testing.T) {
	out := docker(t, "run", "--rm", "--network=none", "--read-only", image(t), "version")
	require.Regexp(t, `^cxpulse \S+ .*event contract v1`, out)
	if want := os.Getenv("CXPULSE_TEST_IMAGE_VERSION"); want != "" {
		require.Contains(t, out, "cxpulse "+want+" ")
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestImageIngestsGeneratedEvents runs migrate, ingest and gen --kafka from
// the image on the host network, against the test servers, with a
// read-only root filesystem, and checks ClickHouse ends up with exactly the
// generator's unique valid events and the dead-letter topic with its bad ones.
func TestImageIngestsGeneratedEvents(t *testing.T) {
	img := image(t)
	conn := sqltest.Connect(t)
	db := sqltest.Database(t, conn)
	topic, dlq := kafkatest.Topic(t, "image", 6), kafkatest.Topic(t, "image-dlq", 3)

	cfgDir, outDir := t.TempDir(), t.TempDir()
	// the container runs as 65532: the config must be readable, the truth writable
	require.NoError(t, os.Chmod(cfgDir, 0o755))
	require.NoError(t, os.Chmod(outDir, 0o777))
	cfg := fmt.Sprintf(`log: {level: info, format: json}
kafka:
  brokers: [%q]
  topic: %q
  dead_letter_topic: %q
  group_id: %q
  lag_interval: 1s
clickhouse:
  addr: [%q]
  database: %q
ingest:
  batch_interval: 200ms
`, strings.Join(kafkatest.Brokers(), ","), topic, dlq, "cximage-"+topic, sqltest.Addr(), db)
	require.NoError(t, os.WriteFile(filepath.Join(cfgDir, "cxpulse.yaml"), []byte(cfg), 0o644))

	run := []string{"run", "--network=host", "--read-only", "-v", cfgDir + ":/etc/cxpulse:ro"}
	config := []string{"--config", "/etc/cxpulse/cxpulse.yaml"}
	docker(t, append(append(append(run, "--rm", img), "migrate"), config...)...)

	name := fmt.Sprintf("cxpulse-imagetest-%d", time.Now().UnixNano())
	httpAddr := freeAddr(t)
	// the address comes from the environment so that the image's health
	// check (cxpulse healthcheck, same environment) probes it too
	docker(t, append(append(append(run, "-d", "--name", name, "-e", "CXPULSE_HTTP_ADDR="+httpAddr,
		"--health-interval=1s", img), "ingest"), config...)...)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := dockerCmd("logs", name)
			t.Logf("logs of %s:\n%s", name, logs)
		}
		_, _ = dockerCmd("rm", "-f", name)
	})

	end := time.Now().UTC().Truncate(time.Minute).Format(time.RFC3339)
	docker(t, append(append(append(run, "--rm", "-v", outDir+":/out", img), "gen", "--kafka",
		"--branches", "3", "--days", "3", "--seed", "13", "--end", end,
		"--bad-ratio", "0.02", "--dup-ratio", "0.05", "--truth", "/out/truth.json"), config...)...)
	data, err := os.ReadFile(filepath.Join(outDir, "truth.json"))
	require.NoError(t, err)
	var truth gen.Truth
	require.NoError(t, json.Unmarshal(data, &truth))
	require.Greater(t, truth.Valid, 500)
	require.Positive(t, truth.BadTotal)

	var got map[event.Type]int
	require.Eventually(t, func() bool {
		got, err = sqltest.UniqueByType(conn, db)
		return err == nil && total(got) >= truth.Valid
	}, 2*time.Minute, 200*time.Millisecond, "events stored by the image's ingest")
	want := map[event.Type]int{}
	for typ, n := range truth.Types {
		if n > 0 {
			want[typ] = n
		}
	}
	require.Equal(t, want, got, "exactly the unique valid events, per type")
	require.Eventually(t, func() bool { return len(kafkatest.ReadAll(t, dlq)) == truth.BadTotal },
		time.Minute, 500*time.Millisecond, "every bad message dead-lettered")

	require.Eventually(t, func() bool {
		out, err := dockerCmd("inspect", "-f", "{{.State.Health.Status}}", name)
		return err == nil && strings.TrimSpace(out) == "healthy"
	}, time.Minute, 500*time.Millisecond, "the image's HEALTHCHECK (cxpulse healthcheck) passes")

	docker(t, "stop", "-t", "30", name)
	require.Equal(t, "0", strings.TrimSpace(docker(t, "inspect", "-f", "{{.State.ExitCode}}", name)), "SIGTERM exits 0")
	require.Contains(t, docker(t, "logs", name), "ingest stopped")
}

func total(m map[event.Type]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
