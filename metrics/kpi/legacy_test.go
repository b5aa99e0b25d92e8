package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Ticket facts folded before migration 0008 have no agent_h2 (an empty
// array beside agent_h): read from such folds, the golden fixture still
// gives its hand-worked values (FCR counts their agent messages by agent_h).
func TestTicketFactsFoldedBeforeTheSecondEventHash(t *testing.T) {
	ctx := context.Background()
	g := kpitest.Load(t)
	conn, db := sqltest.Migrated(t)
	require.NoError(t, ingest.Load(ctx, conn, "`"+db+"`.events", g.Events, 0))
	time.Sleep(1100 * time.Millisecond) // ingested_at has whole seconds: the fold finds nothing touched after it
	engine := kpi.NewEngine(conn, db).WithFoldOverlap(0)
	require.NoError(t, engine.EnsureTicketFacts(ctx, kpi.TicketFactsFrom(g.Params, g.Params.AsOf)))

	// every fold again, newer, as the binary before 0008 wrote it
	facts := "`" + db + "`.ticket_facts"
	cols := "ticket_id, opened_ms, branch, channel, priority, open_team, open_agent, agent_ms, agent_ids, agent_teams, agent_h, " +
		"customer_ms, resolved_all, reopened_all, pending_all, resumed_all"
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+facts+" ("+cols+", folded_ms) SELECT "+cols+", folded_ms + 1 FROM "+facts+" WHERE branch != ''"))
	var legacy uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+facts+" FINAL WHERE length(agent_h) > 0 AND length(agent_h2) = 0").Scan(&legacy))
	require.Greater(t, legacy, uint64(5), "the newest folds have agent messages and no agent_h2")

	rows, err := engine.Compute(ctx, g.Params)
	require.NoError(t, err)
	kpitest.RequireRowsMatch(t, g.Expected, rows)
}
