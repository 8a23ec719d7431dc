package main

import (
	"fmt"
	"os"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/logging"
	"github.com/hubforce/hubforce/internal/store"
)

func newServeCmd(g *globals) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the production server: webhook endpoints and delivery workers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, log, err := loadServeConfig(g)
			if err != nil {
				return err
			}
			return bridge.Run(cmd.Context(), c, bridge.Options{DryRun: dryRun}, log)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "shadow mode: take real traffic, read, write nothing, report what would have been written")
	return cmd
}

func loadServeConfig(g *globals) (config.Config, zerolog.Logger, error) {
	c, err := checkServeConfig(g)
	if err != nil {
		warnUnknown(os.Stderr, c)
		return c, zerolog.Nop(), err
	}
	log, err := logging.New(os.Stderr, c.LogLevel, c.LogFormat)
	for _, u := range c.Unknown {
		log.Warn().Str("variable", u.Name).Str("did_you_mean", u.Suggestion).Msg(u.String())
	}
	return c, log, err
}

func newMigrateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema (serve also does at start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := config.Load(g.envFile)
			if err != nil {
				return err
			}
			if err := store.Migrate(cmd.Context(), c.DatabaseURL); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "schema is current")
			return nil
		},
	}
}
