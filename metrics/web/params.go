package web

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// The parsers below read what the API's query parameters and the CLI's
// flags share; their errors name the value, and each caller names the
// parameter or the flag.

// ParseAsOf reads an instant in RFC 3339; "" and "now" are now, to the second.
func ParseAsOf(s string) (time.Time, error) {
	if s == "" || s == "now" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("%q: want RFC 3339, e.g. 2026-10-01T00:00:00Z", s)
	}
	return t.UTC(), nil
}

// ParseWindows reads comma-separated rolling windows (1h, 24h, 7d, …); at
// least one.
func ParseWindows(s string) ([]kpi.Window, error) {
	var out []kpi.Window
	for _, w := range SplitComma(s) {
		win, err := kpi.ParseWindow(w)
		if err != nil {
			return nil, err
		}
		out = append(out, win)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("at least one window is required")
	}
	return out, nil
}

// SplitComma splits a comma-separated list, dropping blanks.
func SplitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CompareOptions checks the parameters of a comparison (CLI and API alike).
func CompareOptions(kpiName string, windows []kpi.Window, branches, policy, target, level, fdr string) (compare.Options, error) {
	opts := compare.Options{KPI: kpiName, Branches: SplitComma(branches), Policy: policy, Target: target}
	if _, ok := compare.KPIs[kpiName]; !ok {
		names := make([]string, 0, len(compare.KPIs))
		for k := range compare.KPIs {
			names = append(names, k)
		}
		sort.Strings(names)
		return opts, fmt.Errorf("kpi %q: want one of %s", kpiName, strings.Join(names, ", "))
	}
	if len(windows) != 1 {
		return opts, fmt.Errorf("window: one window, e.g. 30d")
	}
	opts.Window = windows[0]
	if target != "" && target != "first_response" && target != "resolution" {
		return opts, fmt.Errorf("target %q: want first_response or resolution", target)
	}
	for name, v := range map[string]*float64{"level": &opts.Level, "fdr": &opts.FDR} {
		s := map[string]string{"level": level, "fdr": fdr}[name]
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f >= 1 {
			return opts, fmt.Errorf("%s %q: want a number between 0 and 1", name, s)
		}
		*v = f
	}
	return opts, nil
}
