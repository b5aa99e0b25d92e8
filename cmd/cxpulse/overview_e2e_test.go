package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/gen"

	"github.com/cxpulse/cxpulse/metrics/overview"
)

// loadDemoData loads what `cxpulse demo` (and so `make demo`) generates —
// the same generator flags and defaults, and the demo's SLA policies —
// history up to end. Malformed and duplicate messages are left out: they
// never reach the KPIs (dead letters, deduplication).
func loadDemoData(t *testing.T, p *pipeline, end time.Time) *gen.Generator {
	t.Helper()
	var f genFlags
	f.register(&cobra.Command{}, 0, 0)
	f.end = end.Format(time.RFC3339)
	g, err := f.generator()
	require.NoError(t, err)
	loadEvents(t, p, g, end)
	p.appendConfig(gen.ConfigYAML(g.Branches()) + demoPolicies)
	return g
}

// The overview page in a real headless Chromium, on the data of `make
// demo`: it loads without console errors, shows every branch, and in every
// league flags exactly the branch planted worse on that KPI — no ordinary
// branch "above" because the planted one drags the fleet. The screenshot is
// kept under testdata/screenshots/ (a CI artifact, git-ignored; its path is
// in the log).
func TestOverviewPageInARealBrowser(t *testing.T) {
	p := newPipeline(t)
	end := time.Now().UTC().Truncate(time.Hour)
	g := loadDemoData(t, p, end)
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
	resp, err := http.Get("http://" + srv.httpAddr + "/?window=7d")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	week := string(body)
	require.NoError(t, srv.stop(t, syscall.SIGTERM))

	for _, b := range g.Branches() {
		require.Regexp(t, `data-branch="`+regexp.QuoteMeta(b.Name)+`"`, dom, "branch %s is shown", b.Name)
	}
	planted := g.Planted()
	flag := regexp.MustCompile(`data-branch="([^"]*)" data-flag="([^"]*)"`)
	funnelPoint := regexp.MustCompile(`data-funnel-branch="([^"]*)" data-flag="([^"]*)"`)
	for kpi, branch := range map[string]string{
		"nps":          planted.LowNPS,
		"csat":         planted.LowNPS,
		"sla":          planted.SlowChat,
		"punctuality":  planted.LateAppointments,
		"promise_kept": planted.BrokenCallbacks,
	} {
		section := regexp.MustCompile(`(?s)<section[^>]*data-kpi="` + kpi + `".*?</section>`).FindString(dom)
		require.NotEmpty(t, section, "the %s league is on the page", kpi)
		flagged := map[string]string{}
		for _, m := range flag.FindAllStringSubmatch(section, -1) {
			if m[2] != "" {
				flagged[html.UnescapeString(m[1])] = m[2]
			}
		}
		require.Equal(t, map[string]string{branch: "below"}, flagged,
			"on %s exactly %s, planted worse, is flagged, below the standard", kpi, branch)
		points := map[string]string{}
		for _, m := range funnelPoint.FindAllStringSubmatch(section, -1) {
			points[html.UnescapeString(m[1])] = m[2]
		}
		require.Len(t, points, len(g.Branches()), "the %s funnel plot shows every branch", kpi)
		for b, f := range points {
			require.Equal(t, flagged[b], f, "the %s funnel plot flags %s as the chart beside it", kpi, b)
		}
	}
	// retention by service experience: every branch and the fleet, whose
	// customers with a bad experience the generator makes churn faster; the
	// demo's 30 days hold two 7d windows, not two 30d ones
	experienceOf := func(dom string) string {
		t.Helper()
		section := regexp.MustCompile(`(?s)<section class="experience card".*?</section>`).FindString(dom)
		require.NotEmpty(t, section, "the retention-by-experience table is on the page")
		for _, b := range g.Branches() {
			require.Contains(t, section, `data-branch="`+html.EscapeString(b.Name)+`"`, "branch %s in the experience table", b.Name)
		}
		return section
	}
	experienceOf(dom)
	require.Regexp(t, `data-branch="all"><th[^>]*>all</th>(<td[^>]*>[^<]*</td>){4}<td class="bad"`, experienceOf(week),
		"the fleet's customers with a bad experience come back less, beyond noise")
	info, err := os.Stat(shot)
	require.NoError(t, err)
	require.Greater(t, info.Size(), int64(10_000), "a real screenshot")
}
