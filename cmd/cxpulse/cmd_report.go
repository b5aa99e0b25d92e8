package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"

	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/web"
)

func newReportCommand(g *globalFlags) *cobra.Command {
	var asOf, windows, by, kpis, format string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Compute KPIs on demand for any instant, window and grouping, and print them",
		Long: `report computes KPIs in ClickHouse right now, through the same code as the
scheduled jobs, and prints them. Nothing is written.

  cxpulse report --window 30d --kpi nps,csat
  cxpulse report --as-of 2026-10-01T00:00:00Z --window 7d,30d --by branch,channel --format json
  cxpulse report --by region --kpi first_response,sla
  cxpulse report --by branch,agent --kpi first_response,fcr,csat     (an agent scorecard)

--by takes branch, channel, region, team, agent, priority; every dimension
is crossed with "all", so --by branch,channel also gives each branch over all
channels and the whole fleet. KPIs: ` + strings.Join(kpi.Names(), ", ") + `.
Ratios come with their numerator and denominator; an NPS with fewer than 30
answers is flagged low_confidence. docs/KPI-ENGINE.md defines every field.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, params, err := g.loadKPI(cmd.Flags(), asOf)
			if err != nil {
				return err
			}
			if params.Windows, err = parseWindows(windows); err != nil {
				return err
			}
			params.By = web.SplitComma(by)
			if err := params.WithDefaults().Validate(); err != nil {
				return fmt.Errorf("--by: %w", err)
			}
			switch format {
			case "table", "json", "csv":
			default:
				return fmt.Errorf("--format %q: want table, json or csv", format)
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			ctx := cmd.Context()
			conn, err := a.connectClickHouse(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			rows, err := a.newEngine(conn).Compute(ctx, params, web.SplitComma(kpis)...)
			if err != nil {
				return err
			}
			return writeRows(cmd.OutOrStdout(), format, rows)
		},
	}
	f := cmd.Flags()
	f.StringVar(&asOf, "as-of", "", "the instant, RFC 3339 (default: now)")
	f.StringVar(&windows, "window", "30d", "rolling windows, comma-separated (1h, 24h, 7d, 30d, 90d, …)")
	f.StringVar(&by, "by", "branch,channel", "dimensions to group by, comma-separated")
	f.StringVar(&kpis, "kpi", "", "KPIs, comma-separated (default: all)")
	f.StringVar(&format, "format", "table", "output: table (for people), json or csv")
	return cmd
}

// loadKPI loads the configuration and the KPI engine's parameters as of the
// --as-of given (now when empty).
func (g *globalFlags) loadKPI(flags *pflag.FlagSet, asOf string) (config.Config, kpi.Params, error) {
	cfg, err := g.load(flags)
	if err != nil {
		return cfg, kpi.Params{}, err
	}
	params, err := cfg.KPIParams()
	if err != nil {
		return cfg, params, err
	}
	params.AsOf, err = parseAsOf(asOf)
	return cfg, params, err
}

func parseAsOf(s string) (time.Time, error) {
	t, err := web.ParseAsOf(s)
	if err != nil {
		return t, fmt.Errorf("--as-of %w", err)
	}
	return t, nil
}

func parseWindows(s string) ([]kpi.Window, error) {
	w, err := web.ParseWindows(s)
	if err != nil {
		return nil, fmt.Errorf("--window: %w", err)
	}
	return w, nil
}

// labelColumns are the label columns of the csv and table formats.
var labelColumns = []string{"branch", "channel", "region", "team", "agent", "priority", "policy", "target", "cohort", "k"}

func labelValues(l kpi.Labels) []string {
	k := ""
	if l.Cohort != "" {
		k = strconv.Itoa(l.K)
	}
	return []string{l.Branch, l.Channel, l.Region, l.Team, l.Agent, l.Priority, l.Policy, l.Target, l.Cohort, k}
}

func writeRows(w io.Writer, format string, rows []kpi.Row) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []kpi.Row{}
		}
		return enc.Encode(rows)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(append(append([]string{"kpi", "window", "as_of"}, labelColumns...), "field", "value"))
		for _, r := range rows {
			for _, f := range kpi.Fields[r.KPI] {
				v, ok := r.Values[f]
				if !ok {
					continue
				}
				rec := append(append([]string{r.KPI, r.Window, r.AsOf.Format(time.RFC3339Nano)}, labelValues(r.Labels)...),
					f, strconv.FormatFloat(v, 'g', -1, 64))
				_ = cw.Write(rec)
			}
		}
		cw.Flush()
		return cw.Error()
	default:
		return writeTable(w, rows)
	}
}

// writeTable prints one block per KPI and window: a column per label that
// varies and per field, numbers rounded for reading.
func writeTable(w io.Writer, rows []kpi.Row) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no data: no events in the window for the KPIs asked")
		return err
	}
	type block struct{ kpi, window string }
	var order []block
	byBlock := map[block][]kpi.Row{}
	for _, r := range rows {
		b := block{r.KPI, r.Window}
		if _, ok := byBlock[b]; !ok {
			order = append(order, b)
		}
		byBlock[b] = append(byBlock[b], r)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].kpi != order[j].kpi {
			return order[i].kpi < order[j].kpi
		}
		return order[i].window < order[j].window
	})
	for _, b := range order {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		rs := byBlock[b]
		used := make([]bool, len(labelColumns))
		for _, r := range rs {
			for i, v := range labelValues(r.Labels) {
				used[i] = used[i] || v != ""
			}
		}
		fmt.Fprintf(w, "%s, window %s, as of %s\n", b.kpi, b.window, rs[0].AsOf.Format(time.RFC3339))
		var head []string
		for i, c := range labelColumns {
			if used[i] {
				head = append(head, c)
			}
		}
		head = append(head, kpi.Fields[b.kpi]...)
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, r := range rs {
			var cells []string
			for i, v := range labelValues(r.Labels) {
				if used[i] {
					cells = append(cells, v)
				}
			}
			for _, f := range kpi.Fields[b.kpi] {
				cells = append(cells, formatNumber(r.Values, f))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

func formatNumber(vals map[string]float64, field string) string {
	v, ok := vals[field]
	if !ok {
		return "–"
	}
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) < 10:
		return strconv.FormatFloat(v, 'f', 3, 64)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}
