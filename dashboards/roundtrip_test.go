package dashboards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/grafana-tools/sdk"
	"github.com/stretchr/testify/require"
)

// withoutTables is a board's JSON with its table panels left out. The
// table's fieldConfig (column widths, units, colours), transformations and
// the ClickHouse plugin's numeric query format are beyond the SDK's table
// type (doc.go), so tables are checked as generated (the golden test and
// layout_test.go), every other panel through the SDK.
func withoutTables(t *testing.T, raw []byte) []byte {
	t.Helper()
	var doc map[string]interface{}
	require.NoError(t, json.Unmarshal(raw, &doc))
	var kept []interface{}
	for _, p := range doc["panels"].([]interface{}) {
		if p.(map[string]interface{})["type"] != "table" {
			kept = append(kept, p)
		}
	}
	doc["panels"] = kept
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	out, err = canonical(out)
	require.NoError(t, err)
	return out
}

// The committed JSON, tables aside, unmarshals into the SDK's types and
// marshals back to the same JSON: nothing in it is beyond what the SDK can
// hold, so tools built on sdk.Board never drop a field of those panels.
func TestCommittedJSONRoundTripsThroughSDK(t *testing.T) {
	for _, b := range All() {
		t.Run(b.UID, func(t *testing.T) {
			committed, err := os.ReadFile(filepath.Join(committedDir, FileName(b)))
			require.NoError(t, err, "run: go test ./dashboards -update")
			rest := withoutTables(t, committed)
			var back sdk.Board
			require.NoError(t, json.Unmarshal(rest, &back))
			again, err := Marshal(&back)
			require.NoError(t, err)
			require.Equal(t, string(rest), string(again))
		})
	}
}

// Independently of the committed files, every generated board survives the
// same round trip, including the SDK's own unmarshalling of each panel type.
func TestGeneratedBoardsRoundTripThroughSDK(t *testing.T) {
	for _, b := range All() {
		t.Run(b.UID, func(t *testing.T) {
			first, err := Marshal(b)
			require.NoError(t, err)
			rest := withoutTables(t, first)
			var back sdk.Board
			require.NoError(t, json.Unmarshal(rest, &back))
			require.Equal(t, b.UID, back.UID)
			var panels []*sdk.Panel
			for _, p := range b.Panels {
				if p.Type != "table" {
					panels = append(panels, p)
				}
			}
			require.Len(t, back.Panels, len(panels))
			for i, p := range back.Panels {
				require.Equal(t, panels[i].Type, p.Type, "panel %d", p.ID)
				require.Equal(t, panels[i].OfType, p.OfType, "panel %q: the SDK reads it as another kind of panel", p.Title)
			}
			second, err := Marshal(&back)
			require.NoError(t, err)
			require.Equal(t, string(rest), string(second))
		})
	}
}
