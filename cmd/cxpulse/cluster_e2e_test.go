package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/gen"
	cxsql "github.com/cxpulse/cxpulse/sql"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// newClusterPipeline is a pipeline whose database lives on the local test
// cluster (deploy/local/cluster.sh), migrated in cluster mode by `cxpulse
// migrate`, and dropped ON CLUSTER at the end.
func newClusterPipeline(t *testing.T) *pipeline {
	ctx := context.Background()
	conn, err := sqltest.DialCluster(ctx, sqltest.ClusterAddr())
	if err == nil {
		err = conn.Ping(ctx)
	}
	require.NoError(t, err, "test cluster at %s (start it with deploy/local/cluster.sh start)", sqltest.ClusterAddr())
	t.Cleanup(func() { _ = conn.Close() })
	db := fmt.Sprintf("cxe2e_cluster_%d", time.Now().UnixNano()%1e9)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+db+"` ON CLUSTER `"+sqltest.ClusterName()+"`")
	})
	return newPipelineOn(t, conn, db, sqltest.ClusterAddr(), "  cluster: "+sqltest.ClusterName()+"\n")
}

// clusterCtl starts or stops members of the test cluster through
// deploy/local/cluster.sh (or CXPULSE_TEST_CLUSTER_CTL).
func clusterCtl(t *testing.T, action string, members ...string) {
	t.Helper()
	ctl := os.Getenv("CXPULSE_TEST_CLUSTER_CTL")
	if ctl == "" {
		ctl = filepath.Join("..", "..", "deploy", "local", "cluster.sh")
	}
	out, err := exec.Command("bash", append([]string{ctl, action}, members...)...).CombinedOutput()
	require.NoError(t, err, "%s %s %v:\n%s", ctl, action, members, out)
}

// server returns the test cluster's server of the given shard and replica.
func clusterServer(t *testing.T, p *pipeline, shard, replica uint32) cxsql.Server {
	servers, err := cxsql.ClusterServers(context.Background(), p.conn, sqltest.ClusterName())
	require.NoError(t, err)
	for _, s := range servers {
		if s.Shard == shard && s.Replica == replica {
			return s
		}
	}
	t.Fatalf("no server of shard %d replica %d in %v", shard, replica, servers)
	return cxsql.Server{}
}

// startWithFirst starts ingest, produces recs and waits for the first of
// them in ClickHouse: the failure that follows hits a running pipeline.
func (p *pipeline) startWithFirst(recs []gen.Record) *process {
	ing := p.start("ingest")
	p.produce(recs)
	require.Eventually(p.t, func() bool {
		got, err := p.uniqueByType()
		return err == nil && total(got) > 0
	}, time.Minute, 100*time.Millisecond)
	return ing
}

// One replica of shard 1 stopped in the middle of an ingest: ingest goes
// on (the shard's other replica takes every insert), nothing is lost, and
// the restarted replica catches up with everything its shard stored.
func TestClusterIngestRidesOutAReplicaDown(t *testing.T) {
	p := newClusterPipeline(t)
	recs, truth := generate(t, 21)
	half := len(recs) / 2
	ing := p.startWithFirst(recs[:half])

	clusterCtl(t, "stop", "c2")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			clusterCtl(t, "start", "c2")
		}
	})
	p.produce(recs[half:])
	p.waitForAll(truth, 3*time.Minute)
	p.waitForLag(0, time.Minute)
	p.requireDeadLetters(recs, truth)
	require.True(t, ing.alive())
	code, err := ing.get("/readyz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code, "a replica down leaves ingest ready")

	clusterCtl(t, "start", "c2")
	restarted = true
	ctx := context.Background()
	sqltest.SyncReplicas(t, ctx, p.conn, p.db)
	rows := sqltest.ShardRows(t, ctx, p.conn, p.db, "events")
	first, second := clusterServer(t, p, 1, 1), clusterServer(t, p, 1, 2)
	require.NotZero(t, rows[first])
	require.Equal(t, rows[first], rows[second], "the restarted replica holds what its shard stored")
	p.requireExact(truth)
	require.NoError(t, ing.stop(t, syscall.SIGTERM))
}

// ZooKeeper stopped for 20 s: the replicated tables turn read-only, inserts
// fail and are retried with backoff, /readyz says why; once ZooKeeper is
// back everything lands, nothing lost and nothing committed early.
func TestClusterIngestRidesOutZooKeeperOutage(t *testing.T) {
	p := newClusterPipeline(t)
	recs, truth := generate(t, 23)
	half := len(recs) / 2
	ing := p.startWithFirst(recs[:half])

	clusterCtl(t, "stop", "zookeeper")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			clusterCtl(t, "start", "zookeeper")
		}
	})
	stopped := time.Now()
	p.produce(recs[half:])
	var why string
	require.Eventually(t, func() bool {
		client := http.Client{Timeout: 2 * time.Second}
		resp, err := client.Get("http://" + ing.httpAddr + "/readyz")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		why = string(body)
		return resp.StatusCode == http.StatusServiceUnavailable
	}, 40*time.Second, 200*time.Millisecond, "readyz reports the failing inserts")
	t.Logf("/readyz while ZooKeeper is down: %s", strings.TrimSpace(why))
	// ClickHouse's own words: the ZooKeeper connection lost, or the
	// replicated table read-only without it
	require.Regexp(t, `send \d+ rows: code: ((999|319), message: .*Connection loss|242, message: Table is in readonly mode)`, why)
	time.Sleep(time.Until(stopped.Add(20 * time.Second)))
	require.True(t, ing.alive(), "ingest must keep running while ZooKeeper is down:\n%s", ing.output())
	require.Positive(t, p.lag(), "messages wait in Kafka while inserts fail")

	clusterCtl(t, "start", "zookeeper")
	restarted = true
	p.waitForAll(truth, 3*time.Minute)
	p.waitForLag(0, time.Minute)
	p.requireDeadLetters(recs, truth)
	require.Eventually(t, func() bool {
		code, err := ing.get("/readyz")
		return err == nil && code == http.StatusOK
	}, time.Minute, 200*time.Millisecond)
	require.Contains(t, ing.output(), "insert into clickhouse failed", "the failures were retried")
	require.NoError(t, ing.stop(t, syscall.SIGTERM))
	waitZooKeeperSessions(t, p)
}

// waitZooKeeperSessions waits until every server of the cluster talks to
// ZooKeeper again: a server whose session expired while it was down answers
// its next request with "Session expired" (code 999) and only then opens a
// new one, which would fail the next test's DDL.
func waitZooKeeperSessions(t *testing.T, p *pipeline) {
	t.Helper()
	servers, err := cxsql.ClusterServers(context.Background(), p.conn, sqltest.ClusterName())
	require.NoError(t, err)
	for _, s := range servers {
		conn, err := sqltest.DialCluster(context.Background(), s.Addr)
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			var n uint64
			return conn.QueryRow(context.Background(), "SELECT count() FROM system.zookeeper WHERE path = '/'").Scan(&n) == nil
		}, time.Minute, 200*time.Millisecond, "%s talks to ZooKeeper again", s)
		require.NoError(t, conn.Close())
	}
}

// Bad cluster configuration fails `cxpulse ingest` at start, naming
// clickhouse.cluster: an unknown cluster, a cluster whose servers do not
// answer, a single server's database opened in cluster mode and a
// cluster's database opened as a single server.
func TestClusterBadConfigFailsAtStart(t *testing.T) {
	p := newClusterPipeline(t) // migrated in cluster mode
	single := newPipeline(t)   // migrated on the single server
	for _, c := range []struct {
		name string
		p    *pipeline
		env  []string
		want string
	}{
		{"unknown cluster", p, []string{"CXPULSE_CLICKHOUSE_CLUSTER=nosuch"}, `clickhouse.cluster "nosuch": no such cluster in the servers' remote_servers`},
		{"servers do not answer", p, []string{"CXPULSE_CLICKHOUSE_CLUSTER=" + sqltest.ClusterName() + "_unreachable"}, "cluster server does not answer"},
		{"cluster database, no cluster", p, []string{"CXPULSE_CLICKHOUSE_CLUSTER="}, `clickhouse.cluster "": database layout does not match clickhouse.cluster: database ` + p.db + ` is a cluster's`},
		{"single database, cluster", single, []string{"CXPULSE_CLICKHOUSE_ADDR=" + sqltest.ClusterAddr(), "CXPULSE_CLICKHOUSE_DATABASE=" + single.db, "CXPULSE_CLICKHOUSE_CLUSTER=" + sqltest.ClusterName()}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.want == "" {
				// the single server's database made on a cluster server, single-node
				require.NoError(t, p.conn.Exec(context.Background(), "CREATE DATABASE IF NOT EXISTS `"+single.db+"`"))
				t.Cleanup(func() { _ = p.conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+single.db+"`") })
				_, err := cxsql.Migrate(context.Background(), p.conn, single.db)
				require.NoError(t, err)
				c.want = `clickhouse.cluster "` + sqltest.ClusterName() + `": database layout does not match clickhouse.cluster: database ` + single.db + " is a single server's"
			}
			cmd := exec.Command(binary, "ingest", "--config", c.p.configPath, "--http-addr", freeAddr(t))
			cmd.Env = append(os.Environ(), c.env...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan struct{})
			var out []byte
			var err error
			go func() { out, err = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-ctx.Done():
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("ingest did not fail at start:\n%s", out)
			}
			require.Error(t, err, "%s", out)
			require.Contains(t, string(out), c.want)
		})
	}
}
