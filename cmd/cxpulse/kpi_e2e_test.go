package main

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/reference"
)

// slaPolicies are tight enough that generated tickets meet, breach and wait.
const slaPolicies = `sla_policies:
  - {name: chat-fast, channel: chat, priority: "*", first_response: 10m, resolution: 4h, business_hours: true}
  - {name: phone-urgent, channel: phone, priority: urgent, first_response: 5m, business_hours: false}
  - {name: default, channel: "*", priority: "*", first_response: 2h, resolution: 24h, business_hours: true}
`

// The reference check: generated datasets of different seeds, sizes and
// branch counts go through the real pipeline (Kafka → cxpulse ingest →
// ClickHouse), and `cxpulse report` must give, for every KPI and group, the
// numbers the plain-Go reference computes from the same events.
func TestReportEqualsReferenceOnGeneratedData(t *testing.T) {
	end := time.Now().UTC().Truncate(time.Hour)
	for _, tc := range []struct {
		seed     uint64
		branches int
		days     int
		perDay   float64
	}{
		{seed: 101, branches: 3, days: 20, perDay: 12},
		{seed: 202, branches: 6, days: 40, perDay: 6},
		{seed: 303, branches: 9, days: 8, perDay: 20},
	} {
		t.Run(fmt.Sprintf("seed%d_%dbranches_%ddays", tc.seed, tc.branches, tc.days), func(t *testing.T) {
			g, err := gen.New(gen.Config{Branches: tc.branches, Days: tc.days, End: end, Seed: tc.seed,
				TicketsPerBranchDay: tc.perDay, BadRatio: 0.01, DupRatio: 0.05})
			require.NoError(t, err)
			var recs []gen.Record
			var events []event.Event
			truth, err := g.Run(context.Background(), func(r gen.Record) error {
				recs = append(recs, r)
				if r.Valid {
					ev, err := event.Decode(r.Value, end.Add(time.Hour), event.Limits{})
					if err != nil {
						return fmt.Errorf("generated event does not decode: %w", err)
					}
					events = append(events, ev)
				}
				return nil
			})
			require.NoError(t, err)

			p := newPipeline(t)
			p.appendConfig(gen.ConfigYAML(g.Branches()) + slaPolicies)
			ing := p.start("ingest")
			p.produce(recs)
			p.waitForAll(truth, 3*time.Minute)
			require.NoError(t, ing.stop(t, syscall.SIGTERM))

			cfg, err := config.LoadFile(p.configPath)
			require.NoError(t, err)
			params, err := cfg.KPIParams()
			require.NoError(t, err)
			// mid-stream, so that tickets are still waiting, pending and at risk
			for _, asOf := range []time.Time{end.Add(-30 * time.Hour), end} {
				params.AsOf = asOf
				params.Windows, err = parseWindows("24h,7d,30d")
				require.NoError(t, err)
				want, err := reference.Compute(events, params)
				require.NoError(t, err)
				require.NotEmpty(t, want)

				out := p.stdout("report", "--format", "json", "--as-of", asOf.Format(time.RFC3339), "--window", "24h,7d,30d")
				var got []kpi.Row
				require.NoError(t, json.Unmarshal([]byte(out), &got), "report output:\n%.2000s", out)
				kpitest.RequireSameRows(t, want, got)
				seen := map[string]bool{}
				for _, r := range got {
					seen[r.KPI] = true
				}
				for _, k := range kpi.Names() {
					require.True(t, seen[k], "kpi %s has rows as of %s", k, asOf)
				}
			}
		})
	}
}
