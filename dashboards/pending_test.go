package dashboards

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The SLA dashboard shows pending tickets (contract 1.1): mean and p90
// pending time, tickets pending now and the paused SLA clocks, each in a
// panel of the pending row.
func TestResponseShowsPendingTickets(t *testing.T) {
	b := Response()
	panelOf := map[string]string{}
	for _, tg := range Targets(b) {
		for _, n := range metricsOf(tg.Expr) {
			panelOf[n] = tg.Panel
		}
	}
	for _, metric := range []string{"cxpulse_pending_mean_seconds", "cxpulse_pending_p90_seconds", "cxpulse_tickets_pending_now", "cxpulse_sla_paused"} {
		require.Contains(t, panelOf, metric, "no panel of %s shows %s", b.UID, metric)
	}
	rows := 0
	for _, p := range b.Panels {
		if p.Type == "row" && strings.HasPrefix(p.Title, "Pending on the customer") {
			rows++
		}
	}
	require.Equal(t, 1, rows, "one pending row")
}
