package kpi

import (
	"context"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	cxsql "github.com/cxpulse/cxpulse/sql"
)

// collidingHashes rewrites SQL so that the first 64-bit hash of every
// ticket, ref, customer and event id is its length: ids of one length
// collide, as two ids whose cityHash64 is equal would, without searching for
// such a pair. With bothWeak the second hash (sipHash64) collides too, as if
// the SQL keyed by one hash only (as the code did before it keyed ids by two).
func collidingHashes(bothWeak bool) func(string) string {
	var pairs []string
	for _, id := range []string{"ticket_id", "ref_id", "customer_id", "event_id"} {
		pairs = append(pairs, "cityHash64("+id+")", "toUInt64(length("+id+"))")
		if bothWeak {
			pairs = append(pairs, "sipHash64("+id+")", "toUInt64(length("+id+"))")
		}
	}
	return strings.NewReplacer(pairs...).Replace
}

// WithCollidingIDHashes makes the engine's queries hash ids as
// collidingHashes does.
func (e *Engine) WithCollidingIDHashes(bothWeak bool) *Engine {
	e.rewrite = collidingHashes(bothWeak)
	return e
}

// CollideCustomerViews recreates the materialized views of migrated database
// db that key customers, hashing as collidingHashes does, so that customers
// of one id length collide in the tables they fill from then on.
func CollideCustomerViews(ctx context.Context, conn driver.Conn, db string, bothWeak bool) error {
	ms, err := cxsql.Migrations(db)
	if err != nil {
		return err
	}
	rewrite := collidingHashes(bothWeak)
	views := 0
	for _, m := range ms {
		for _, stmt := range m.Statements {
			name, ok := customerView(stmt, db)
			if !ok || !viewKept(ms, name, db) {
				continue
			}
			if err := conn.Exec(ctx, "DROP TABLE IF EXISTS `"+db+"`."+name); err != nil {
				return err
			}
			if err := conn.Exec(ctx, rewrite(stmt)); err != nil {
				return fmt.Errorf("view %s: %w", name, err)
			}
			views++
		}
	}
	if views == 0 {
		return fmt.Errorf("no view of customer ids in the migrations of %s", db)
	}
	return nil
}

// customerView returns the name of the view stmt creates when it hashes
// customer ids.
func customerView(stmt, db string) (string, bool) {
	prefix := "CREATE MATERIALIZED VIEW IF NOT EXISTS `" + db + "`."
	if !strings.HasPrefix(stmt, prefix) || !strings.Contains(stmt, "cityHash64(customer_id)") {
		return "", false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(stmt, prefix), " ")
	return name, true
}

// viewKept reports whether no later migration drops view name.
func viewKept(ms []cxsql.Migration, name, db string) bool {
	for _, m := range ms {
		for _, stmt := range m.Statements {
			if strings.TrimSpace(stmt) == "DROP TABLE IF EXISTS `"+db+"`."+name {
				return false
			}
		}
	}
	return true
}
