package dashboards

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate the committed dashboards in deploy/grafana/dashboards")

// committedDir holds the generated JSON that Grafana provisions.
var committedDir = filepath.Join("..", "deploy", "grafana", "dashboards")

// TestCommittedDashboardsAreGenerated fails when the committed JSON differs
// from what the code generates: run go test ./dashboards -update and commit.
func TestCommittedDashboardsAreGenerated(t *testing.T) {
	if *update {
		_, err := Generate(committedDir)
		require.NoError(t, err)
	}
	want := map[string]bool{}
	for _, b := range All() {
		name := FileName(b)
		want[name] = true
		generated, err := Marshal(b)
		require.NoError(t, err)
		committed, err := os.ReadFile(filepath.Join(committedDir, name))
		require.NoError(t, err, "run: go test ./dashboards -update")
		if !bytes.Equal(committed, generated) {
			t.Errorf("%s differs from what dashboards.%s() generates; run: go test ./dashboards -update", name, b.UID)
		}
	}
	entries, err := os.ReadDir(committedDir)
	require.NoError(t, err)
	var stray []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" && !want[e.Name()] {
			stray = append(stray, e.Name())
		}
	}
	sort.Strings(stray)
	require.Empty(t, stray, "dashboards in %s that the code no longer generates: delete them", committedDir)
}

func TestGenerateWritesOneFilePerDashboard(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := Generate(dir)
	require.NoError(t, err)
	require.Len(t, paths, len(All()))
	for i, b := range All() {
		require.Equal(t, filepath.Join(dir, b.UID+".json"), paths[i])
		data, err := os.ReadFile(paths[i])
		require.NoError(t, err)
		require.True(t, bytes.HasSuffix(data, []byte("}\n")), "pretty JSON with a trailing newline")
		require.True(t, bytes.HasPrefix(data, []byte("{\n  \"annotations\"")), "keys sorted, two-space indent")
		require.NotContains(t, string(data), `\u003c`, "no HTML escaping of PromQL and SQL")
	}
	again, err := Generate(dir)
	require.NoError(t, err)
	require.Equal(t, paths, again)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, len(All()), "no temporary files left behind")
}
