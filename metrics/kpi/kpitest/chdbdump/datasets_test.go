package chdbdump

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
)

// Every part of the golden fixture (a directory under testdata/golden that
// holds a config.yaml, the fixture's own included) is a dataset of the dump,
// so deploy/chdb/run.sh, which dumps the datasets -list prints, replays it
// on current ClickHouse; and it loads with the part's own events.
func TestEveryGoldenPartIsADataset(t *testing.T) {
	root, err := kpitest.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{"golden": root}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, e.Name(), kpitest.ConfigFile)); e.IsDir() && err == nil {
			parts[e.Name()] = filepath.Join(root, e.Name())
		}
	}
	if len(parts) < 2 {
		t.Fatalf("golden fixture parts %v: want the first and the pending one at least", parts)
	}
	for name, dir := range parts {
		if !slices.Contains(Datasets, name) {
			t.Errorf("golden part %s (%s) is not a dataset of the chDB dump (Datasets %v)", name, dir, Datasets)
			continue
		}
		ds, err := Load(context.Background(), name, root)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		g, err := kpitest.LoadGolden(dir)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Name != name || len(ds.Events) != len(g.Events) || !ds.Params.AsOf.Equal(g.Params.AsOf) {
			t.Errorf("dataset %s: name %q, %d events as of %s; want the part's %d events as of %s",
				name, ds.Name, len(ds.Events), ds.Params.AsOf, len(g.Events), g.Params.AsOf)
		}
	}
	if _, err := Load(context.Background(), "nope", root); err == nil {
		t.Error("unknown dataset: want an error")
	}
}
