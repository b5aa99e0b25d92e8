package dashboards

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUIDsAreFixed(t *testing.T) {
	var uids []string
	for _, b := range All() {
		uids = append(uids, b.UID)
	}
	require.Equal(t, []string{
		"cxpulse-executive", "cxpulse-branches", "cxpulse-response",
		"cxpulse-teams", "cxpulse-retention", "cxpulse-pipeline",
	}, uids)
}

// Two builds give byte-identical JSON: uids, panel ids, key order and query
// order do not depend on map iteration or on what was built before.
func TestGenerationIsStable(t *testing.T) {
	first := All()
	Executive() // building more boards in between changes nothing
	second := All()
	for i := range first {
		a, err := Marshal(first[i])
		require.NoError(t, err)
		b, err := Marshal(second[i])
		require.NoError(t, err)
		require.Equal(t, string(a), string(b), first[i].UID)
	}
}

// Panel ids are 1…n in layout order, unique within the board, and every
// panel fits the 24-column grid without overlapping another.
func TestPanelIDsAndLayout(t *testing.T) {
	for _, b := range All() {
		t.Run(b.UID, func(t *testing.T) {
			type cell struct{ x, y int }
			taken := map[cell]uint{}
			for i, p := range b.Panels {
				require.Equal(t, uint(i+1), p.ID, "panel %q", p.Title)
				x, y, w, h := *p.GridPos.X, *p.GridPos.Y, *p.GridPos.W, *p.GridPos.H
				require.True(t, x >= 0 && w > 0 && x+w <= gridWidth && h > 0, "panel %q at x=%d w=%d", p.Title, x, w)
				for dx := 0; dx < w; dx++ {
					for dy := 0; dy < h; dy++ {
						c := cell{x + dx, y + dy}
						require.Zero(t, taken[c], "panel %q overlaps panel %d", p.Title, taken[c])
						taken[c] = p.ID
					}
				}
			}
		})
	}
}
