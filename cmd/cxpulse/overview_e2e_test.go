package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/metrics/overview"
)

// chatFirst puts a tight chat policy first, so that the overview's SLA
// league and heatmap (the first policy's first response) show the branch
// planted slow on chat.
const chatFirst = `sla_policies:
  - {name: chat, channel: chat, priority: "*", first_response: 10m, resolution: 8h, business_hours: true}
  - {name: default, channel: "*", priority: "*", first_response: 4h, resolution: 72h, business_hours: true}
`

// The overview page in a real headless Chromium: it loads without console
// errors, shows every branch of generated demo data, and marks the planted
// outliers as flagged on their KPI. The screenshot is kept under
// testdata/screenshots/ (a CI artifact; its path is in the log).
func TestOverviewPageInARealBrowser(t *testing.T) {
	p := newPipeline(t)
	end := time.Now().UTC().Truncate(time.Hour)
	g := loadGeneratedWith(t, p, 71, 8, 45, end, chatFirst)
	srv := p.startCommand("compute", "compute")
	waitHTTP(t, "http://"+srv.httpAddr+"/healthz")

	shot, err := filepath.Abs("../../testdata/screenshots/overview.png")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(shot), 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dom, consoleErrors, err := overview.Browse(ctx, "http://"+srv.httpAddr+"/?window=30d", shot)
	require.NoError(t, err)
	t.Logf("screenshot of the overview page: %s", shot)
	require.Empty(t, consoleErrors, "the page logs no console errors")
	require.NoError(t, srv.stop(t, syscall.SIGTERM))

	for _, b := range g.Branches() {
		require.Regexp(t, `data-branch="`+regexp.QuoteMeta(b.Name)+`"`, dom, "branch %s is shown", b.Name)
	}
	planted := g.Planted()
	for kpi, branch := range map[string]string{
		"nps":          planted.LowNPS,
		"sla":          planted.SlowChat,
		"punctuality":  planted.LateAppointments,
		"promise_kept": planted.BrokenCallbacks,
	} {
		section := regexp.MustCompile(`(?s)<section[^>]*data-kpi="` + kpi + `".*?</section>`).FindString(dom)
		require.NotEmpty(t, section, "the %s league is on the page", kpi)
		require.Regexp(t, `data-branch="`+regexp.QuoteMeta(branch)+`" data-flag="below"`, section,
			"%s, planted worse, is flagged below the fleet on %s", branch, kpi)
	}
	info, err := os.Stat(shot)
	require.NoError(t, err)
	require.Greater(t, info.Size(), int64(10_000), "a real screenshot")
}
