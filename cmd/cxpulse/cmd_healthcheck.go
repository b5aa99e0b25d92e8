package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// newHealthcheckCommand probes the HTTP server of a running cxpulse. It
// exists for the container image: the image is FROM scratch (no shell, no
// curl), so its HEALTHCHECK runs the binary itself.
func newHealthcheckCommand(g *globalFlags) *cobra.Command {
	var url, path string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 when the cxpulse HTTP server of this configuration answers /healthz (for container health checks)",
		Long: `healthcheck sends GET /healthz (or --path) to the server at http.addr of the
configuration (a wildcard host such as ":9464" means the loopback) and exits 0
on a 2xx answer, 1 otherwise. The Docker image's HEALTHCHECK runs it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				cfg, err := g.load(cmd.Flags())
				if err != nil {
					return err
				}
				base, err := probeBase(cfg.HTTP.Addr)
				if err != nil {
					return err
				}
				url = base + path
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			status, err := probe(ctx, url)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", url, status)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "probe this URL instead of http.addr of the configuration")
	cmd.Flags().StringVar(&path, "path", "/healthz", "path to probe on http.addr (/healthz: alive, /readyz: ready)")
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
	return cmd
}

// probeBase turns a listen address into the URL a local client reaches it
// at: a wildcard or empty host is the loopback.
func probeBase(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("http.addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// probe GETs url and returns its status line when it is 2xx.
func probe(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("healthcheck %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("healthcheck %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return resp.Status, nil
}
