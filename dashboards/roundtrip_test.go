package dashboards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/grafana-tools/sdk"
	"github.com/stretchr/testify/require"
)

// The committed JSON unmarshals into the SDK's types and marshals back to
// the same JSON: nothing in it is beyond what the SDK can hold, so tools
// built on sdk.Board (Push among them) never drop a field.
func TestCommittedJSONRoundTripsThroughSDK(t *testing.T) {
	for _, b := range All() {
		t.Run(b.UID, func(t *testing.T) {
			committed, err := os.ReadFile(filepath.Join(committedDir, FileName(b)))
			require.NoError(t, err, "run: go test ./dashboards -update")
			var back sdk.Board
			require.NoError(t, json.Unmarshal(committed, &back))
			again, err := Marshal(&back)
			require.NoError(t, err)
			require.Equal(t, string(committed), string(again))
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
			var back sdk.Board
			require.NoError(t, json.Unmarshal(first, &back))
			require.Equal(t, b.UID, back.UID)
			require.Len(t, back.Panels, len(b.Panels))
			for i, p := range back.Panels {
				require.Equal(t, b.Panels[i].Type, p.Type, "panel %d", p.ID)
				require.Equal(t, b.Panels[i].OfType, p.OfType, "panel %q: the SDK reads it as another kind of panel", p.Title)
			}
			second, err := Marshal(&back)
			require.NoError(t, err)
			require.Equal(t, string(first), string(second))
		})
	}
}
