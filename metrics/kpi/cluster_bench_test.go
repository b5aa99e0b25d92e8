package kpi_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// BenchmarkClusterVsSingleNode loads the same generated events into the
// single server and into the 2-shard local cluster (deploy/local/cluster.sh)
// and computes a full KPI refresh from the events on each, in the same run,
// one after the other, reporting seconds and the cluster/single ratios:
//
//	make bench-cluster            (CXPULSE_BENCH_EVENTS=500000 by default)
//
// The insert is the ingest path's (ingest.Load: the same columnar native
// batches as `cxpulse ingest`, without Kafka, whose cost is the same for
// both). direct_local_s is the same load written straight into one shard's
// events_local, without the Distributed table's split and forwarding: the
// cost of the Distributed layer. On this machine all four servers share 2
// cores, so the cluster cannot run faster than one server here; README
// "Scaling" reads the figures.
func BenchmarkClusterVsSingleNode(b *testing.B) {
	n := 500_000
	if s := os.Getenv("CXPULSE_BENCH_EVENTS"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(b, err)
	}
	ctx := context.Background()
	end := time.Date(2026, 4, 5, 12, 0, 0, 0, time.UTC)
	g, err := gen.New(gen.Config{Branches: 200, Days: max(1, n/100_000), End: end, Seed: 42, TargetEvents: n})
	require.NoError(b, err)
	var events []event.Event
	_, err = g.Run(ctx, func(r gen.Record) error {
		ev, err := event.Decode(r.Value, end.Add(time.Hour), event.Limits{})
		if err == nil {
			events = append(events, ev)
		}
		return nil
	})
	require.NoError(b, err)
	p := kpi.Params{AsOf: end, Regions: map[string]string{}}
	const batch = 50_000 // ingest.batch_rows' default
	for i := 0; i < b.N; i++ {
		single, singleDB := sqltest.Migrated(b)
		cluster, clusterDB := sqltest.ClusterMigrated(b)
		_, directDB := sqltest.ClusterMigrated(b)
		timed := func(f func() error) float64 {
			start := time.Now()
			require.NoError(b, f())
			return time.Since(start).Seconds()
		}
		loadSingle := timed(func() error { return ingest.Load(ctx, single, "`"+singleDB+"`.events", events, batch) })
		loadCluster := timed(func() error { return ingest.Load(ctx, cluster, "`"+clusterDB+"`.events", events, batch) })
		loadDirect := timed(func() error {
			return ingest.Load(ctx, cluster, "`"+directDB+"`.events"+cxsql.LocalSuffix, events, batch)
		})
		sqltest.SyncReplicas(b, ctx, cluster, clusterDB)
		var rowsSingle, rowsCluster []kpi.Row
		refreshSingle := timed(func() (err error) { rowsSingle, err = kpi.NewEngine(single, singleDB).Compute(ctx, p); return err })
		refreshCluster := timed(func() (err error) { rowsCluster, err = kpi.NewEngine(cluster, clusterDB).Compute(ctx, p); return err })
		require.Equal(b, len(rowsSingle), len(rowsCluster))
		b.ReportMetric(float64(len(events))/loadSingle, "single_events/s")
		b.ReportMetric(float64(len(events))/loadCluster, "cluster_events/s")
		b.ReportMetric(loadCluster/loadSingle, "load_cluster/single")
		b.ReportMetric(loadCluster/loadDirect, "load_distributed/direct_local")
		b.ReportMetric(refreshSingle, "refresh_single_s")
		b.ReportMetric(refreshCluster, "refresh_cluster_s")
		b.ReportMetric(refreshCluster/refreshSingle, "refresh_cluster/single")
	}
	b.ReportMetric(float64(len(events)), "events")
}
