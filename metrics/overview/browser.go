package overview

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ErrNoChromium is returned by Browse when no Chromium binary is installed.
var ErrNoChromium = errors.New("chromium is not installed (Debian: apt-get install -y chromium)")

// chromiumBinary is the command Browse runs: Debian's launcher script
// /usr/bin/chromium (package chromium), which execs /usr/lib/chromium/chromium.
// A variable so that tests can point it elsewhere.
var chromiumBinary = "chromium"

// browseTimeout bounds a Browse whose ctx has no deadline.
const browseTimeout = 2 * time.Minute

// chromiumFlags are the flags of every run: headless without the setuid
// sandbox (tests run as root in containers), no GPU, no traffic of
// Chromium's own (component updates, sync, safe browsing lists, first-run
// pages), /tmp instead of a possibly tiny /dev/shm, and its log on stderr,
// where the page's console messages appear.
var chromiumFlags = []string{
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
	"--no-default-browser-check",
	"--disable-dev-shm-usage",
	"--hide-scrollbars",
	"--enable-logging=stderr",
	"--v=0",
}

// Browse loads url in a real headless Chromium (Debian's `chromium`, started
// with --headless --no-sandbox --disable-gpu --disable-background-networking
// --disable-component-update --disable-sync --no-first-run and a fresh
// --user-data-dir, plus the few flags of chromiumFlags), returns the DOM
// after load (--dump-dom), writes a PNG screenshot to screenshotPath
// (--screenshot, --window-size=1280,2000; none when screenshotPath is ""),
// and returns the console messages the page caused.
//
// Chromium runs twice, once for the DOM and once for the screenshot, each
// with a new profile directory that is removed afterwards. For an http or
// https url, a plain GET first checks that the page answers with a status
// below 400: Chromium dumps an error page as happily as any other.
//
// consoleErrors are the page's console messages from the DOM run, one
// string each, e.g. `Uncaught ReferenceError: f is not defined
// (http://127.0.0.1:8080/:12)`: uncaught exceptions and rejected promises,
// and every console.error, console.warn and console.log call. Chromium logs
// all of them at INFO level as "CONSOLE" lines whatever their level (only
// its own pages keep the level), so a log call cannot be told from an error
// here; the overview page has no script, so any of them is a fault. Lines
// that do not relate to the page are dropped: D-Bus, GPU, sandbox, Bluetooth
// and screensaver complaints of a container without a desktop, and console
// messages of chrome:// and extension pages. Chromium's log does not
// report sub-resources that failed to load (a 404 image or script); check
// the DOM for those.
//
// err is ErrNoChromium when the binary is missing; otherwise it is set when
// the page did not load (connection refused, HTTP status ≥ 400, an empty
// DOM), when Chromium failed, or when ctx ended first.
func Browse(ctx context.Context, url, screenshotPath string) (dom string, consoleErrors []string, err error) {
	bin, err := exec.LookPath(chromiumBinary)
	if err != nil {
		return "", nil, fmt.Errorf("browse %s: %w", url, ErrNoChromium)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, browseTimeout)
		defer cancel()
	}
	if err := checkStatus(ctx, url); err != nil {
		return "", nil, fmt.Errorf("browse %s: %w", url, err)
	}

	out, log, err := runChromium(ctx, bin, "--dump-dom", url)
	if err != nil {
		return "", nil, fmt.Errorf("browse %s: dump dom: %w", url, err)
	}
	res := parseChromiumLog(log)
	if res.loadErr != "" {
		return "", res.console, fmt.Errorf("browse %s: %s", url, res.loadErr)
	}
	dom = string(out)
	if strings.TrimSpace(dom) == "" {
		return "", res.console, fmt.Errorf("browse %s: chromium dumped no DOM", url)
	}

	if screenshotPath != "" {
		abs, err := filepath.Abs(screenshotPath)
		if err != nil {
			return dom, res.console, fmt.Errorf("browse %s: screenshot path: %w", url, err)
		}
		// Remove an older picture first, so that a file after the run is
		// this run's.
		if err := os.Remove(abs); err != nil && !errors.Is(err, os.ErrNotExist) {
			return dom, res.console, fmt.Errorf("browse %s: %w", url, err)
		}
		_, log, err := runChromium(ctx, bin, "--screenshot="+abs, "--window-size=1280,2000", url)
		if err != nil {
			return dom, res.console, fmt.Errorf("browse %s: screenshot: %w", url, err)
		}
		if shot := parseChromiumLog(log); shot.loadErr != "" {
			return dom, res.console, fmt.Errorf("browse %s: screenshot: %s", url, shot.loadErr)
		}
		if fi, err := os.Stat(abs); err != nil || fi.Size() == 0 {
			return dom, res.console, fmt.Errorf("browse %s: chromium wrote no screenshot to %s", url, abs)
		}
	}
	return dom, res.console, nil
}

// checkStatus GETs an http or https url and fails on a status of 400 or
// more; other schemes (file, data) are not checked.
func checkStatus(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("parse url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("page did not load: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("page answered %s", resp.Status)
	}
	return nil
}

// runChromium runs one headless Chromium with a fresh profile and returns
// its stdout and stderr. Its whole process group (browser, zygote,
// renderer, GPU process) is killed when ctx ends.
func runChromium(ctx context.Context, bin string, args ...string) (stdout, stderr []byte, err error) {
	profile, err := os.MkdirTemp("", "cxpulse-chromium-")
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = os.RemoveAll(profile) }()

	all := append(append(slices.Clone(chromiumFlags), "--user-data-dir="+profile), args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	// HOME and the XDG folders point into the profile too, so that nothing
	// (NSS database, caches, crash reports) lands in the user's home.
	cmd.Env = append(os.Environ(),
		"HOME="+profile,
		"XDG_CONFIG_HOME="+filepath.Join(profile, "config"),
		"XDG_CACHE_HOME="+filepath.Join(profile, "cache"),
	)
	var out, log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &log
	ownProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second

	err = cmd.Run()
	if ctx.Err() != nil {
		return out.Bytes(), log.Bytes(), fmt.Errorf("chromium: %w", ctx.Err())
	}
	if err != nil {
		return out.Bytes(), log.Bytes(), fmt.Errorf("chromium: %w: %s", err, lastLines(log.Bytes(), 5))
	}
	return out.Bytes(), log.Bytes(), nil
}

// logLine is the prefix of a line of Chromium's log:
// [pid:tid:MMDD/HHMMSS.micros:LEVEL:source] message, where source is
// file.cc:line, or CONSOLE:line (older versions: file.cc(line), CONSOLE(line)).
var logLine = regexp.MustCompile(`^\[(?:\d+:\d+:)?\d{4}/\d{6}\.\d+:([A-Z0-9]+):([^\]]*)\] ?(.*)$`)

// consoleMessage is the message of a CONSOLE line: "text", source: url (line).
var consoleMessage = regexp.MustCompile(`(?s)^"(.*)", source: (.*?) \((\d+)\)$`)

// chromiumLog is what Browse keeps of Chromium's stderr.
type chromiumLog struct {
	console []string // page console messages, in order
	loadErr string   // why the page did not load, "" when it did
}

// parseChromiumLog picks the page's console messages and load failures out
// of Chromium's stderr. An entry can span lines (a console message with a
// newline); lines that do not start a log entry continue the previous one.
// Lines before the first entry (Debian's launcher script complains on
// stderr) and Chromium's own noise are dropped.
func parseChromiumLog(stderr []byte) chromiumLog {
	type entry struct{ level, source, msg string }
	var entries []entry
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := logLine.FindStringSubmatch(line); m != nil {
			entries = append(entries, entry{level: m[1], source: m[2], msg: m[3]})
			continue
		}
		if n := len(entries); n > 0 && !isChromiumChatter(line) {
			entries[n-1].msg += "\n" + line
		}
	}

	var res chromiumLog
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.source, "CONSOLE"):
			if text, ok := pageConsole(e.msg); ok {
				res.console = append(res.console, text)
			}
		case strings.Contains(e.source, "headless_command_handler") && (e.level == "ERROR" || e.level == "FATAL"):
			// "Page load failed: net::ERR_CONNECTION_REFUSED" and the like:
			// the page is not there to look at.
			if res.loadErr == "" {
				res.loadErr = e.msg
			}
		case e.level == "FATAL":
			if res.loadErr == "" {
				res.loadErr = "chromium: " + firstLine(e.msg)
			}
		case strings.Contains(e.msg, "Uncaught"):
			// An uncaught exception reported outside the console channel.
			res.console = append(res.console, e.msg)
		}
	}
	return res
}

// pageConsole formats a CONSOLE entry as "text (source:line)", false for a
// message of Chromium's own pages or extensions.
func pageConsole(msg string) (string, bool) {
	m := consoleMessage.FindStringSubmatch(msg)
	if m == nil {
		return msg, true
	}
	text, source, line := m[1], m[2], m[3]
	for _, own := range []string{"chrome://", "chrome-extension://", "chrome-untrusted://", "devtools://"} {
		if strings.HasPrefix(source, own) {
			return "", false
		}
	}
	if source == "" {
		return text, true
	}
	return text + " (" + source + ":" + line + ")", true
}

// isChromiumChatter is output that is not a log entry and does not continue
// one: the line --screenshot prints when it is done.
func isChromiumChatter(line string) bool {
	return strings.Contains(line, " bytes written to file ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// lastLines is the end of a log for an error message, noise lines dropped.
func lastLines(log []byte, n int) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if strings.Contains(l, "dbus") || strings.TrimSpace(l) == "" {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	if len(keep) == 0 {
		return "no output"
	}
	return strings.Join(keep, " | ")
}
