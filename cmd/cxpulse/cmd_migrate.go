package main

import (
	"github.com/spf13/cobra"
)

func newMigrateCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade cxpulse's ClickHouse schema",
		Long: `migrate creates the database if needed and applies the embedded, numbered
migrations that are not yet recorded in its schema_migrations table, in order.
It is safe to re-run, and refuses when the database was migrated by a newer
cxpulse than this one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr()))
			conn, err := a.connectClickHouse(cmd.Context())
			if err != nil {
				return err
			}
			defer conn.Close()
			return a.migrate(cmd.Context(), conn)
		},
	}
}
