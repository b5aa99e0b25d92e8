package overview

import (
	"bytes"
	"context"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireChromium fails a test that needs a real browser when Chromium is
// not installed: install it with deploy/local/chromium.sh install (make test
// does).
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(chromiumBinary); err != nil {
		t.Fatalf("%v (deploy/local/chromium.sh install)", ErrNoChromium)
	}
}

// serve serves body as text/html at / until the test ends.
func serve(t *testing.T, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

var dataBranch = regexp.MustCompile(`data-branch="([^"]*)"`)

// domBranches lists the data-branch values of a DOM Chromium dumped.
func domBranches(dom string) []string {
	var out []string
	for _, m := range dataBranch.FindAllStringSubmatch(dom, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// TestBrowseOverview loads the sample page in Chromium: it renders without
// a console message, every branch is in the DOM Chromium built, and the
// screenshot is a 1280×2000 PNG (testdata/overview.png with -update).
func TestBrowseOverview(t *testing.T) {
	requireChromium(t)
	p := samplePage()
	url := serve(t, render(t, p))
	shot := filepath.Join(t.TempDir(), "overview.png")
	if *update {
		shot = filepath.Join("testdata", "overview.png")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dom, console, err := Browse(ctx, url, shot)
	require.NoError(t, err)
	require.Empty(t, console, "the overview logs nothing in the browser")

	var want []string
	for _, r := range p.Rankings {
		for _, row := range r.Rows {
			want = append(want, row.Branch)
		}
	}
	for _, row := range p.Heatmap.Rows {
		want = append(want, row.Branch)
	}
	for _, row := range p.Experience.Rows {
		want = append(want, row.Branch)
	}
	require.Equal(t, want, domBranches(dom))
	require.Contains(t, dom, `data-flag="below"`)
	require.Contains(t, dom, "no data yet")
	require.Contains(t, dom, "<title>cxpulse · Fleet overview</title>")

	f, err := os.Open(shot)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	require.Equal(t, 1280, cfg.Width)
	require.Equal(t, 2000, cfg.Height)
}

// TestBrowseEscapedBranchStaysText: in a real browser, a branch named like
// a script is text; nothing runs and nothing is logged.
func TestBrowseEscapedBranchStaysText(t *testing.T) {
	requireChromium(t)
	const evil = `<script>console.error("pwned")</script>`
	p := samplePage()
	p.Rankings[0].Rows[0].Branch = evil
	p.Heatmap.Rows[0].Branch = evil
	dom, console, err := Browse(context.Background(), serve(t, render(t, p)), "")
	require.NoError(t, err)
	require.Empty(t, console)
	require.NotContains(t, dom, "<script")
	require.Contains(t, domBranches(dom), evil)
}

// TestBrowseCatchesScriptErrors proves that a broken page does not pass:
// its uncaught exception, rejected promise and console.error come back.
func TestBrowseCatchesScriptErrors(t *testing.T) {
	requireChromium(t)
	broken := []byte(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>broken</title></head>
<body><p>broken page</p>
<script>console.error("something is off");
undefinedFunction();</script>
<script>Promise.reject(new Error("nobody waits for me"));</script>
</body></html>`)
	dom, console, err := Browse(context.Background(), serve(t, broken), filepath.Join(t.TempDir(), "broken.png"))
	require.NoError(t, err, "the page loaded; its errors are in console")
	require.Contains(t, dom, "broken page")
	require.NotEmpty(t, console, "a page with a script error must not look clean")
	joined := strings.Join(console, "\n")
	require.Contains(t, joined, "Uncaught ReferenceError: undefinedFunction is not defined")
	require.Contains(t, joined, "Uncaught (in promise) Error: nobody waits for me")
	require.Contains(t, joined, "something is off")
	require.Contains(t, joined, "127.0.0.1", "the source is named")
	for _, line := range console {
		require.NotContains(t, line, "dbus", "Chromium's own noise is dropped")
	}
}

func TestBrowseFailsWhenThePageDoesNotLoad(t *testing.T) {
	requireChromium(t)
	ctx := context.Background()

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	_, _, err := Browse(ctx, gone.URL+"/", "")
	require.ErrorContains(t, err, "page did not load")

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "kaputt", http.StatusInternalServerError)
	}))
	defer failing.Close()
	_, _, err = Browse(ctx, failing.URL+"/", "")
	require.ErrorContains(t, err, "500 Internal Server Error")

	// Without the status check (a file URL), Chromium's own load failure
	// is the error.
	_, _, err = Browse(ctx, "file:///nonexistent/cxpulse/overview.html", "")
	require.ErrorContains(t, err, "Page load failed")

	expired, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = Browse(expired, "file:///nonexistent/cxpulse/overview.html", "")
	require.ErrorIs(t, err, context.Canceled)
}

func TestBrowseWithoutChromium(t *testing.T) {
	old := chromiumBinary
	chromiumBinary = "cxpulse-test-no-such-chromium"
	defer func() { chromiumBinary = old }()
	_, _, err := Browse(context.Background(), "http://127.0.0.1:1/", "")
	require.ErrorIs(t, err, ErrNoChromium)
	require.ErrorContains(t, err, "apt-get install -y chromium")
}

// chromiumStderr is what Debian's Chromium 156 printed, headless in a
// container, for a page with console calls, a multi-line error, an
// uncaught exception and a rejected promise (pids and times shortened).
const chromiumStderr = `/usr/bin/chromium: 9: [: 25276510208: unexpected operator
[9858:9901:1124/032124.045849:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory
[9858:9901:1124/032124.045981:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Could not parse server address: Unknown address type (examples of valid types are "tcp" and on UNIX "unix")
[9919:9919:1124/032124.329441:WARNING:media/gpu/vaapi/vaapi_wrapper.cc:1655] drmGetDevices2() has not found any devices
[9919:9919:1124/032124.387133:WARNING:sandbox/policy/linux/sandbox_linux.cc:405] InitializeSandbox() called with multiple threads in process gpu-process.
[9858:9858:1124/032124.468140:ERROR:dbus/object_proxy.cc:572] Failed to call method: org.freedesktop.DBus.NameHasOwner: object_path= /org/freedesktop/DBus: unknown error type: 
[9858:9858:1124/032124.473411:WARNING:device/bluetooth/dbus/bluez_dbus_manager.cc:209] Floss manager service not available, cannot set Floss enable/disable.
[9858:9858:1124/032124.507386:WARNING:dbus/property.cc:174] GetAll request failed for: org.freedesktop.UPower.Device
[9858:9858:1124/032124.562062:WARNING:ui/base/idle/idle_linux.cc:111] None of the known D-Bus ScreenSaver services could be used.
[9858:9858:1124/032124.890240:INFO:CONSOLE:2] "LOGMSG", source: http://127.0.0.1:8765/broken.html (2)
[10259:10259:1124/032142.438012:INFO:CONSOLE:2] "Error: multi
line", source: http://127.0.0.1:8765/multi.html (2)
[9858:9858:1124/032124.893837:INFO:CONSOLE:2] "Uncaught ReferenceError: undefinedFn is not defined", source: http://127.0.0.1:8765/broken.html (2)
[9858:9858:1124/032124.910364:INFO:CONSOLE:3] "Uncaught (in promise) Error: REJECTED", source: http://127.0.0.1:8765/broken.html (3)
[9858:9858:1124/032124.910364:INFO:CONSOLE:1] "extension says hi", source: chrome-extension://abcdef/background.js (1)
[0521/101010.123456:INFO:CONSOLE(7)] "old format", source: file:///tmp/x.html (7)
12719 bytes written to file /tmp/cx/s.png
`

func TestParseChromiumLog(t *testing.T) {
	got := parseChromiumLog([]byte(chromiumStderr))
	require.Equal(t, chromiumLog{console: []string{
		"LOGMSG (http://127.0.0.1:8765/broken.html:2)",
		"Error: multi\nline (http://127.0.0.1:8765/multi.html:2)",
		"Uncaught ReferenceError: undefinedFn is not defined (http://127.0.0.1:8765/broken.html:2)",
		"Uncaught (in promise) Error: REJECTED (http://127.0.0.1:8765/broken.html:3)",
		"old format (file:///tmp/x.html:7)",
	}}, got)

	refused := `[10406:10406:1124/032143.052503:WARNING:ui/base/idle/idle_linux.cc:111] None of the known D-Bus ScreenSaver services could be used.
[10406:10406:1124/032143.294331:ERROR:components/headless/command_handler/headless_command_handler.cc:403] Page load failed: net::ERR_CONNECTION_REFUSED
`
	require.Equal(t, chromiumLog{loadErr: "Page load failed: net::ERR_CONNECTION_REFUSED"}, parseChromiumLog([]byte(refused)))

	require.Equal(t, chromiumLog{}, parseChromiumLog(nil))
}

func TestLastLinesDropsNoise(t *testing.T) {
	require.Equal(t, "no output", lastLines(nil, 3))
	log := []byte(chromiumStderr)
	got := lastLines(log, 2)
	require.NotContains(t, got, "dbus")
	require.True(t, strings.HasSuffix(got, "bytes written to file /tmp/cx/s.png"), got)
	require.False(t, bytes.Contains([]byte(got), []byte("\n")))
}
