// Package sql owns cxpulse's ClickHouse schema and the connection to it: the
// numbered migrations under migrations/ (embedded in the binary), the runner
// that applies them, and the client options every subcommand shares.
//
// Every statement runs on ClickHouse 18.16 and on current releases; see
// docs/CLICKHOUSE.md for what that excludes.
package sql

import "embed"

//go:embed migrations/*.sql
var migrationFiles embed.FS
