package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bench kpi refuses flags it cannot run with, naming the flag, before it
// connects anywhere (the address given answers nothing).
func TestBenchKPIRefusesBadFlags(t *testing.T) {
	for flag, value := range map[string]string{
		"--sizes":          "10X",
		"--repeat":         "0",
		"--arrivals":       "-1",
		"--branches":       "0",
		"--events-per-day": "0",
	} {
		// a flag let through would retry the dead address until killed
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, binary, "bench", "kpi", "--clickhouse-addr", "127.0.0.1:1", flag, value)
		out, err := cmd.CombinedOutput()
		cancel()
		require.Error(t, err, "%s %s:\n%s", flag, value, out)
		require.Contains(t, string(out), "cxpulse: "+flag, "%s %s", flag, value)
		require.NotContains(t, string(out), "panic", "%s %s", flag, value)
		require.NotContains(t, string(out), "127.0.0.1:1", "%s %s: refused before connecting", flag, value)
	}
}
