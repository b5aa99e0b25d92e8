package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// Ingest sends the vocabulary columns as Enum8 numbers (enum8): the schema
// must number them in the order of the Go lists, ” = 0 where it exists.
func TestEnumsMatchTheSchema(t *testing.T) {
	conn, db := sqltest.Migrated(t)
	types := map[string]string{}
	rows, err := conn.Query(context.Background(), "SELECT name, type FROM system.columns WHERE database = ? AND table = 'events'", db)
	require.NoError(t, err)
	for rows.Next() {
		var name, typ string
		require.NoError(t, rows.Scan(&name, &typ))
		types[name] = typ
	}
	require.NoError(t, rows.Err())
	want := func(withEmpty bool, set []string) string {
		var parts []string
		if withEmpty {
			parts = append(parts, "'' = 0")
		}
		for _, v := range set {
			parts = append(parts, fmt.Sprintf("'%s' = %d", v, enum8(v, set)))
		}
		return "Enum8(" + strings.Join(parts, ", ") + ")"
	}
	var typeNames []string
	for _, ty := range event.Types {
		typeNames = append(typeNames, string(ty))
	}
	require.Equal(t, want(false, typeNames), types["type"])
	require.Equal(t, want(false, event.Channels), types["channel"])
	require.Equal(t, want(true, event.Priorities), types["priority"])
	require.Equal(t, want(true, authors), types["author"])
}
