package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grafana-tools/sdk"
)

// What Push did with a dashboard.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// Change is what Push did with one dashboard.
type Change struct {
	UID     string
	Title   string
	Action  string // Created, Updated or Unchanged
	Version int    // the version Grafana holds now (0 when it did not say)
	URL     string // the dashboard's path on the server, when Grafana said
}

// PushTimeout bounds each HTTP request of Push (the context bounds the whole).
var PushTimeout = 30 * time.Second

// Push uploads boards to the Grafana at grafanaURL into folder (created when
// missing; "" is Grafana's General folder), through the SDK's client.
// token is a service-account token or API key, or "user:password" for basic
// auth. A dashboard whose stored JSON already equals the board (ignoring the
// id and version Grafana assigns) in the same folder is left alone and
// reported Unchanged, so re-running Push does not bump versions; the others
// are saved with overwrite and reported Created or Updated. It stops at the
// first error and returns the changes made before it.
func Push(ctx context.Context, grafanaURL, token, folder string, boards []*sdk.Board) ([]Change, error) {
	client, err := sdk.NewClient(grafanaURL, token, &http.Client{Timeout: PushTimeout})
	if err != nil {
		return nil, fmt.Errorf("grafana client for %s: %w", grafanaURL, err)
	}
	folderID, err := ensureFolder(ctx, client, folder)
	if err != nil {
		return nil, err
	}
	var report []Change
	for _, b := range boards {
		ch, err := pushBoard(ctx, client, b, folderID)
		if err != nil {
			return report, err
		}
		report = append(report, ch)
	}
	return report, nil
}

// ensureFolder returns the id of the folder titled title, creating it (with a
// uid derived from the title) when there is none.
func ensureFolder(ctx context.Context, client *sdk.Client, title string) (int, error) {
	if title == "" {
		return sdk.DefaultFolderId, nil
	}
	folders, err := client.GetAllFolders(ctx)
	if err != nil {
		return 0, fmt.Errorf("list grafana folders: %w", err)
	}
	for _, f := range folders {
		if f.Title == title {
			return f.ID, nil
		}
	}
	f, err := client.CreateFolder(ctx, sdk.Folder{Title: title, UID: folderUID(title)})
	if err != nil {
		return 0, fmt.Errorf("create grafana folder %q: %w", title, err)
	}
	return f.ID, nil
}

// folderUID is a stable uid for a folder title (Grafana uids: at most 40
// characters of letters, digits, - and _).
func folderUID(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" {
		s = "cxpulse"
	}
	return s
}

func pushBoard(ctx context.Context, client *sdk.Client, b *sdk.Board, folderID int) (Change, error) {
	ch := Change{UID: b.UID, Title: b.Title}
	want, err := comparable(b)
	if err != nil {
		return ch, err
	}
	existing, props, err := client.GetRawDashboardByUID(ctx, b.UID)
	switch {
	case err == nil:
		have, err := comparableRaw(existing)
		if err != nil {
			return ch, fmt.Errorf("dashboard %s on the server: %w", b.UID, err)
		}
		if bytes.Equal(have, want) && props.FolderID == folderID {
			ch.Action, ch.Version, ch.URL = Unchanged, props.Version, "/d/"+b.UID
			if props.Slug != "" {
				ch.URL += "/" + props.Slug
			}
			return ch, nil
		}
		ch.Action = Updated
	case isNotFound(err):
		ch.Action = Created
	default:
		return ch, fmt.Errorf("get dashboard %s: %w", b.UID, err)
	}
	board := *b
	board.ID = 0 // the server's id is found by uid
	status, err := client.SetDashboard(ctx, board, sdk.SetDashboardParams{FolderID: folderID, Overwrite: true})
	if err != nil {
		return ch, fmt.Errorf("save dashboard %s: %w", b.UID, err)
	}
	if status.Version != nil {
		ch.Version = *status.Version
	}
	if status.URL != nil {
		ch.URL = *status.URL
	}
	return ch, nil
}

// isNotFound tells a missing dashboard from other failures; the SDK reports
// HTTP statuses only in its error text ("HTTP error 404: returns …").
func isNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "HTTP error 404")
}

// comparable is the board's JSON as Push compares it with the server's.
func comparable(b *sdk.Board) ([]byte, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("marshal dashboard %s: %w", b.UID, err)
	}
	return comparableRaw(raw)
}

// comparableRaw drops what Grafana assigns on save (id, version) and
// re-encodes the rest canonically.
func comparableRaw(raw []byte) ([]byte, error) {
	var m map[string]interface{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	delete(m, "id")
	delete(m, "version")
	out, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return canonical(out)
}
