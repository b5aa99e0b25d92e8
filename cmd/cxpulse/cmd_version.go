package main

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	promversion "github.com/prometheus/common/version"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// init hands the version from -ldflags to prometheus/common/version, which
// the cxpulse_build_info collector reads; that package finds the revision in
// the VCS stamp Go writes into the binary (absent with -buildvcs=false:
// "unknown").
func init() { promversion.Version = version }

// versionLine is what `cxpulse version` and `cxpulse --version` print.
func versionLine() string {
	revision := ""
	if r := promversion.GetRevision(); r != "" && r != "unknown" {
		revision = " " + r
	}
	return fmt.Sprintf("cxpulse %s%s (event contract v1, %s)\n", version, revision, promversion.GoVersion)
}

// newBuildInfoCollector is cxpulse_build_info{version, revision, goversion,
// branch, goos, goarch, tags} = 1, on every process's /metrics.
func newBuildInfoCollector() prometheus.Collector { return versioncollector.NewCollector("cxpulse") }

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the event contract version and the Go toolchain",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(cmd.OutOrStdout(), versionLine())
		},
	}
}
