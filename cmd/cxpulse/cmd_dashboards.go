package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cxpulse/cxpulse/dashboards"
)

func newDashboardsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dashboards",
		Short: "Grafana dashboards as code: write their JSON or upload them",
		Long: `cxpulse's Grafana dashboards (executive overview, branch comparison, response
times & SLA, teams & agents, retention & cohorts, pipeline health) are built
in Go (package dashboards) with stable uids. Committed copies live in
deploy/grafana/dashboards with provisioning files in deploy/grafana/provisioning.`,
	}
	var out string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Write every dashboard's JSON into a folder",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			paths, err := dashboards.Generate(out)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return nil
		},
	}
	gen.Flags().StringVar(&out, "out", "deploy/grafana/dashboards", "folder to write the JSON files into")

	var url, tokenFile, folder string
	push := &cobra.Command{
		Use:   "push",
		Short: "Upload the dashboards into a Grafana folder, idempotently, and say what changed",
		Long: `push creates or updates every dashboard in the folder (created when missing)
through Grafana's HTTP API and prints, per dashboard, whether it was created,
updated or unchanged. Unchanged dashboards are not saved again.

The API token (or user:password) is read from CXPULSE_GRAFANA_TOKEN or from
--grafana-token-file, never from a flag.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			token := os.Getenv("CXPULSE_GRAFANA_TOKEN")
			if tokenFile != "" {
				b, err := os.ReadFile(tokenFile)
				if err != nil {
					return fmt.Errorf("--grafana-token-file: %w", err)
				}
				token = strings.TrimSpace(string(b))
			}
			if token == "" {
				return fmt.Errorf("no Grafana token: set CXPULSE_GRAFANA_TOKEN or --grafana-token-file")
			}
			if url == "" {
				return fmt.Errorf("--grafana-url is required")
			}
			changes, err := dashboards.Push(cmd.Context(), url, token, folder, dashboards.All())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "dashboard\tuid\tresult\tversion\turl")
			for _, c := range changes {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", c.Title, c.UID, c.Action, c.Version, strings.TrimRight(url, "/")+c.URL)
			}
			return tw.Flush()
		},
	}
	push.Flags().StringVar(&url, "grafana-url", "", "Grafana base URL, e.g. https://grafana.example.com")
	push.Flags().StringVar(&tokenFile, "grafana-token-file", "", "file holding the API token (else CXPULSE_GRAFANA_TOKEN)")
	push.Flags().StringVar(&folder, "folder", "cxpulse", `Grafana folder ("" for General)`)
	cmd.AddCommand(gen, push)
	return cmd
}
