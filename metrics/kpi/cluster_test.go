package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/chdbdump"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Every KPI in every grouping gives on the 2-shard cluster (deploy/local/
// cluster.sh) exactly the numbers of one server, for the same events: the
// golden fixture (both parts) and the generated dataset, computed from the events (as a
// report does) and through the scheduled jobs' kept ticket facts, whose
// folds write through the Distributed tables.
func TestClusterEqualsSingleNode(t *testing.T) {
	ctx := context.Background()
	for _, name := range chdbdump.Datasets {
		ds, err := chdbdump.Load(ctx, name, "../../testdata/golden")
		require.NoError(t, err)
		t.Run(ds.Name, func(t *testing.T) {
			single, singleDB := sqltest.Migrated(t)
			cluster, clusterDB := sqltest.ClusterMigrated(t)
			batch := 1 + len(ds.Events)/7 // several parts, copies not merged away
			require.NoError(t, ingest.Load(ctx, single, "`"+singleDB+"`.events", ds.Events, batch))
			require.NoError(t, ingest.Load(ctx, cluster, "`"+clusterDB+"`.events", ds.Events, batch))

			// the events are spread over both shards, none lost or doubled,
			// and the second replica of shard 1 holds what the first holds
			sqltest.SyncReplicas(t, ctx, cluster, clusterDB)
			perServer := sqltest.ShardRows(t, ctx, cluster, clusterDB, "events")
			perShard := map[uint32]uint64{}
			for s, n := range perServer {
				require.NotZero(t, n, "%s", s)
				perShard[s.Shard] = max(perShard[s.Shard], n)
			}
			require.Len(t, perShard, 2)
			var singleIDs, clusterIDs uint64
			require.NoError(t, single.QueryRow(ctx, "SELECT uniqExact(event_id) FROM `"+singleDB+"`.events").Scan(&singleIDs))
			require.NoError(t, cluster.QueryRow(ctx, "SELECT uniqExact(event_id) FROM `"+clusterDB+"`.events").Scan(&clusterIDs))
			require.Equal(t, singleIDs, clusterIDs)

			singleEngine, clusterEngine := kpi.NewEngine(single, singleDB), kpi.NewEngine(cluster, clusterDB)
			for _, by := range [][]string{nil, {kpi.DimRegion}, {kpi.DimBranch, kpi.DimTeam}, {kpi.DimAgent}, {kpi.DimChannel, kpi.DimPriority}} {
				p := ds.Params
				p.By = by
				want, err := singleEngine.Compute(ctx, p)
				require.NoError(t, err, "by %v", by)
				require.NotEmpty(t, want)
				got, err := clusterEngine.Compute(ctx, p)
				require.NoError(t, err, "by %v", by)
				kpitest.RequireSameRows(t, want, got)
			}

			// the scheduled path: facts folded into ticket_facts, snapshots
			singleEngine, clusterEngine = singleEngine.WithFoldOverlap(0), clusterEngine.WithFoldOverlap(0)
			time.Sleep(1100 * time.Millisecond) // ingested_at has whole seconds
			for _, j := range []kpi.JobSpec{
				{Name: "tickets", KPIs: []string{kpi.FirstResponse, kpi.NextResponse, kpi.Resolution, kpi.Reopen, kpi.FCR, kpi.Volume, kpi.SLA, kpi.SLADecisions}},
				{Name: "sla_now", KPIs: []string{kpi.SLANow}},
				{Name: "all"},
			} {
				want, err := kpi.RunJob(ctx, singleEngine, kpi.NewSnapshots(single, singleDB), j, ds.Params, ds.Params.AsOf, zerolog.Nop())
				require.NoError(t, err, j.Name)
				if j.Name != "sla_now" { // the generated tickets are all answered by as_of
					require.NotEmpty(t, want, j.Name)
				}
				snaps := kpi.NewSnapshots(cluster, clusterDB)
				got, err := kpi.RunJob(ctx, clusterEngine, snaps, j, ds.Params, ds.Params.AsOf, zerolog.Nop())
				require.NoError(t, err, j.Name)
				kpitest.RequireSameRows(t, want, got)
				back, err := snaps.Read(ctx, j.Name, ds.Params.AsOf)
				require.NoError(t, err)
				kpitest.RequireSameRows(t, want, back)
			}
		})
	}
}
