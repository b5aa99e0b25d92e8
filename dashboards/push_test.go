package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/grafana-tools/sdk"
	"github.com/stretchr/testify/require"
)

// fakeGrafana serves the few endpoints Push uses, storing dashboards as
// Grafana does: the JSON as sent, plus id, uid and version.
type fakeGrafana struct {
	mu         sync.Mutex
	folders    []sdk.Folder
	dashboards map[string]map[string]interface{}
	folderOf   map[string]int
	saves      int
	auth       []string
}

func newFakeGrafana() *fakeGrafana {
	return &fakeGrafana{dashboards: map[string]map[string]interface{}{}, folderOf: map[string]int{}}
}

func (g *fakeGrafana) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/folders":
		json.NewEncoder(w).Encode(g.folders)
	case r.Method == http.MethodPost && r.URL.Path == "/api/folders":
		var f sdk.Folder
		json.Unmarshal(body, &f)
		f.ID = 100 + len(g.folders)
		g.folders = append(g.folders, f)
		json.NewEncoder(w).Encode(f)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/dashboards/uid/"):
		uid := strings.TrimPrefix(r.URL.Path, "/api/dashboards/uid/")
		d, ok := g.dashboards[uid]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Dashboard not found"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]interface{}{
			"dashboard": d,
			"meta":      map[string]interface{}{"slug": "x", "folderId": g.folderOf[uid], "version": d["version"]},
		})
	case r.Method == http.MethodPost && r.URL.Path == "/api/dashboards/db":
		var req struct {
			Dashboard map[string]interface{} `json:"dashboard"`
			FolderID  int                    `json:"folderId"`
			Overwrite bool                   `json:"overwrite"`
		}
		if err := json.Unmarshal(body, &req); err != nil || !req.Overwrite {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"message":"bad request"}`)
			return
		}
		uid := req.Dashboard["uid"].(string)
		version := 1
		if old, ok := g.dashboards[uid]; ok {
			version = int(old["version"].(float64)) + 1
		}
		req.Dashboard["id"] = 7
		req.Dashboard["version"] = version
		// store it as JSON would come back
		raw, _ := json.Marshal(req.Dashboard)
		var stored map[string]interface{}
		json.Unmarshal(raw, &stored)
		g.dashboards[uid] = stored
		g.folderOf[uid] = req.FolderID
		g.saves++
		fmt.Fprintf(w, `{"status":"success","uid":%q,"version":%d,"url":"/d/%s/x"}`, uid, version, uid)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"not found"}`)
	}
}

func actions(report []Change) map[string]string {
	out := map[string]string{}
	for _, c := range report {
		out[c.UID] = c.Action
	}
	return out
}

func TestPush(t *testing.T) {
	g := newFakeGrafana()
	srv := httptest.NewServer(g)
	defer srv.Close()
	ctx := context.Background()

	report, err := Push(ctx, srv.URL, "secret-token", "cxpulse", All())
	require.NoError(t, err)
	require.Len(t, report, 6)
	for _, c := range report {
		require.Equal(t, Created, c.Action, c.UID)
		require.Equal(t, 1, c.Version)
		require.Equal(t, "/d/"+c.UID+"/x", c.URL)
	}
	require.Len(t, g.folders, 1, "the folder is created once")
	require.Equal(t, "cxpulse", g.folders[0].Title)
	require.Equal(t, "cxpulse", g.folders[0].UID)
	require.Equal(t, 6, g.saves)
	require.Equal(t, "Bearer secret-token", g.auth[0])
	for uid, folder := range g.folderOf {
		require.Equal(t, 100, folder, uid)
	}

	// again: nothing changed, nothing saved, versions kept
	report, err = Push(ctx, srv.URL, "secret-token", "cxpulse", All())
	require.NoError(t, err)
	for _, c := range report {
		require.Equal(t, Unchanged, c.Action, c.UID)
		require.Equal(t, 1, c.Version)
	}
	require.Equal(t, 6, g.saves)
	require.Len(t, g.folders, 1)

	// one board edited: only it is updated
	boards := All()
	boards[2].Title += " (edited)"
	report, err = Push(ctx, srv.URL, "secret-token", "cxpulse", boards)
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		UIDExecutive: Unchanged, UIDBranches: Unchanged, UIDResponse: Updated,
		UIDTeams: Unchanged, UIDRetention: Unchanged, UIDPipeline: Unchanged,
	}, actions(report))
	require.Equal(t, 2, report[2].Version)
	require.Equal(t, 7, g.saves)

	// another folder moves every board
	report, err = Push(ctx, srv.URL, "secret-token", "Customer service", All())
	require.NoError(t, err)
	for _, c := range report {
		require.Equal(t, Updated, c.Action, c.UID)
	}
	require.Equal(t, "customer-service", g.folders[1].UID)
}

func TestPushReportsServerErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/folders" {
			fmt.Fprint(w, `[]`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"permission denied"}`)
	}))
	defer srv.Close()
	report, err := Push(context.Background(), srv.URL, "t", "", All())
	require.ErrorContains(t, err, "403")
	require.Empty(t, report)
}

func TestFolderUID(t *testing.T) {
	require.Equal(t, "cxpulse", folderUID("cxpulse"))
	require.Equal(t, "customer-service-kpis", folderUID("Customer service — KPIs!"))
	require.Len(t, folderUID(strings.Repeat("abcdefghij", 10)), 40)
	require.Equal(t, "cxpulse", folderUID("—"))
}
