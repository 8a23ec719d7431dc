package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce/internal/config"
)

func newBackfillCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backfill",
		Short: "Sync historical records in batches (resumable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return notYet("backfill", 4)
		},
	}
	cmd.Flags().String("from", "hubspot", "side to read from: hubspot or salesforce")
	cmd.Flags().String("object", "contact", "object to backfill: contact or company")
	cmd.Flags().String("since", "", "only records modified since this date (RFC 3339 or YYYY-MM-DD)")
	cmd.Flags().Int("batch-size", 100, "records per read")
	cmd.Flags().Bool("dry-run", false, "report what would be written, write nothing")
	return cmd
}

func newDLQCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "dlq", Short: "Inspect, replay or discard dead letters"}
	for _, sub := range []struct{ use, short string }{
		{"list", "List dead letters"},
		{"show ID", "Show one dead letter with its error"},
		{"replay [ID…]", "Put dead letters back in the delivery queue (by id, --category or --all)"},
		{"discard [ID…]", "Drop dead letters for good (by id, --category or --all)"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   sub.use,
			Short: sub.short,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return notYet("dlq "+cmd.Name(), 4)
			},
		})
	}
	return cmd
}

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Configuration tools"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate configuration and the mapping file; exits non-zero with precise messages",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := config.Load(g.envFile)
			if err != nil {
				return err
			}
			if err := c.ValidateServe(); err != nil {
				return fmt.Errorf("configuration is not valid:\n%w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "configuration OK")
			return nil
		},
	})
	return cmd
}

func newExplainCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "explain hubspot|salesforce OBJECT ID",
		Short: "Show a record's timeline: deliveries, drops and why, writes, conflicts",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return notYet("explain", 4)
		},
	}
}
