package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cxpulse/cxpulse/metrics/compare"
)

func newCompareCommand(g *globalFlags) *cobra.Command {
	var kpiName, window, branches, asOf, format, policy, target string
	var level, fdr float64
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Rank branches on a KPI and say which differences are real, not noise",
		Long: `compare ranks the branches on one KPI with, for each: its estimate and
confidence interval, a shrunken (empirical-Bayes) estimate that orders the
league and keeps a small branch from topping it by luck, a test against the
standard of the typical branch (a funnel plot with overdispersion estimated
from winsorised z-scores, Spiegelhalter 2005, so that the outliers do not
drag the reference) with the false discovery rate controlled
(Benjamini–Hochberg) — the flag says "above" or "below" only when the
difference is beyond noise and beyond the usual spread between branches —
and a test against the branch's previous period. The consistency line says
how evenly the fleet performs and how much of the spread is real.

KPIs: nps, csat, sla (--policy, --target), fcr, punctuality, promise_kept,
first_response and resolution (medians, rank-based tests).

  cxpulse compare --kpi nps --window 30d
  cxpulse compare --kpi sla --policy chat --target first_response --format json
  cxpulse compare --kpi csat --branches praha-1,brno-1 --as-of 2026-10-01T00:00:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, params, err := g.loadKPI(cmd.Flags(), asOf)
			if err != nil {
				return err
			}
			windows, err := parseWindows(window)
			if err != nil {
				return err
			}
			levelS, fdrS := "", ""
			if cmd.Flags().Changed("level") {
				levelS = strconv.FormatFloat(level, 'g', -1, 64)
			}
			if cmd.Flags().Changed("fdr") {
				fdrS = strconv.FormatFloat(fdr, 'g', -1, 64)
			}
			opts, err := compareOptions(kpiName, windows, branches, policy, target, levelS, fdrS)
			if err != nil {
				return fmt.Errorf("--%w", err)
			}
			switch format {
			case "table", "json", "csv":
			default:
				return fmt.Errorf("--format %q: want table, json or csv", format)
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			conn, err := a.connectClickHouse(cmd.Context())
			if err != nil {
				return err
			}
			defer conn.Close()
			w, err := a.newWeb(conn)
			if err != nil {
				return err
			}
			res, err := compare.Compare(cmd.Context(), w.engine, params, opts)
			if err != nil {
				return err
			}
			return writeComparison(cmd.OutOrStdout(), format, res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&kpiName, "kpi", "nps", "the KPI to compare")
	f.StringVar(&window, "window", "30d", "the window")
	f.StringVar(&branches, "branches", "", "branches to show, comma-separated (default all; tests always use the whole fleet)")
	f.StringVar(&asOf, "as-of", "", "the instant, RFC 3339 (default: now)")
	f.StringVar(&policy, "policy", "", "SLA policy for --kpi sla (default: the first)")
	f.StringVar(&target, "target", "", "SLA target for --kpi sla: first_response (default) or resolution")
	f.Float64Var(&level, "level", 0.95, "confidence level of the intervals")
	f.Float64Var(&fdr, "fdr", 0.05, "false discovery rate of the flags")
	f.StringVar(&format, "format", "table", "output: table, json or csv")
	return cmd
}

func writeComparison(w io.Writer, format string, res compare.Result) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"kpi", "window", "as_of", "rank", "branch", "n", "estimate", "low", "high", "shrunk",
			"vs_standard", "p_value", "q_value", "flag", "worse", "vs_previous", "p_previous"})
		for i, b := range res.Branches {
			prev, pp := "", ""
			if b.VsPrevious != nil {
				prev, pp = num(b.VsPrevious.Effect), num(b.VsPrevious.PValue)
			}
			_ = cw.Write([]string{res.KPI, res.Window, res.AsOf.Format("2006-01-02T15:04:05Z07:00"), strconv.Itoa(i + 1), b.Branch,
				num(b.Estimate.N), num(b.Estimate.Value), num(b.Estimate.Low), num(b.Estimate.High), num(b.Shrunk),
				num(b.VsStandard.Effect), num(b.VsStandard.PValue), num(b.VsStandard.QValue), b.Flag, strconv.FormatBool(b.Worse), prev, pp})
		}
		cw.Flush()
		return cw.Error()
	}
	scale, unit := 1.0, ""
	switch res.Unit {
	case "ratio":
		scale, unit = 100, "%"
	case "seconds":
		unit = "s"
	}
	title := res.Title
	if res.Policy != "" {
		title += fmt.Sprintf(" (policy %s, %s)", res.Policy, res.Target)
	}
	fmt.Fprintf(w, "%s, window %s, as of %s — %g %% intervals, flags at FDR %g\n", title, res.Window,
		res.AsOf.Format("2006-01-02T15:04:05Z07:00"), res.Level*100, res.FDR)
	if res.Fleet.Has {
		fmt.Fprintf(w, "fleet: %s%s [%s, %s], n = %s\n", short(res.Fleet.Value*scale), unit, short(res.Fleet.Low*scale), short(res.Fleet.High*scale), short(res.Fleet.N))
	}
	if st := res.Standard; st.Groups > 0 {
		fmt.Fprintf(w, "standard (the typical branch): %s%s, between-branch SD %s%s, overdispersion %s\n",
			short(st.Centre*scale), unit, short(math.Sqrt(st.Between)*scale), unit, short(st.Phi))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tbranch\tn\tshrunk\testimate\tinterval\tvs standard\tq\tflag\tvs previous\tp\t")
	for i, b := range res.Branches {
		flag := ""
		if b.Flag != "" {
			flag = map[bool]string{true: "worse ", false: "better "}[b.Worse] + b.Flag
		}
		prev, pp := "–", "–"
		if b.VsPrevious != nil {
			prev, pp = signed(b.VsPrevious.Effect*scale), short(b.VsPrevious.PValue)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s%s\t%s\t[%s, %s]\t%s\t%s\t%s\t%s\t%s\t\n", i+1, b.Branch, short(b.Estimate.N),
			short(b.Shrunk*scale), unit, short(b.Estimate.Value*scale), short(b.Estimate.Low*scale), short(b.Estimate.High*scale),
			signed(b.VsStandard.Effect*scale), short(b.VsStandard.QValue), flag, prev, pp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := res.Consistency
	if c.Groups > 1 {
		fmt.Fprintf(w, "consistency: spread between branches %s%s (SD), %s of the league's spread is real (reliability)\n",
			short(c.BetweenSD*scale), unit, short(c.Reliability*100)+"%")
	}
	return nil
}

func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func short(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	switch {
	case f == math.Trunc(f) && math.Abs(f) < 1e9:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case math.Abs(f) < 0.01:
		return strconv.FormatFloat(f, 'g', 2, 64)
	case math.Abs(f) < 10:
		return strconv.FormatFloat(f, 'f', 3, 64)
	default:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
}

func signed(f float64) string {
	s := short(f)
	if f > 0 && !strings.HasPrefix(s, "+") {
		return "+" + s
	}
	return s
}
