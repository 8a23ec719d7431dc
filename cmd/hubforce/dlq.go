package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/admin"
	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/report"
	"github.com/hubforce/hubforce/internal/store"
)

// openStore opens the configured database, as a running serve sees it,
// never creating one.
func openStore(ctx context.Context, g *globals) (store.Store, error) {
	c, err := config.Load(g.envFile)
	if err != nil {
		return nil, err
	}
	return bridge.OpenStore(ctx, c, bridge.Existing)
}

func newDLQCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "dlq", Short: "Inspect, replay or discard dead letters"}
	var f store.DeadLetterFilter
	var side, object string
	list := &cobra.Command{
		Use:   "list",
		Short: "List dead letters, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer func() { _ = st.Close() }()
			f.Side, f.Object = hubforce.Side(side), hubforce.Object(object)
			dls, err := st.DeadLetters(cmd.Context(), f)
			if err != nil {
				return err
			}
			return report.WriteDeadLetters(cmd.OutOrStdout(), dls)
		},
	}
	list.Flags().StringVar(&f.Category, "category", "", "only this category (validation, conflict, retries_exhausted…)")
	list.Flags().StringVar(&side, "from", "", "only changes from this side (hubspot, salesforce)")
	list.Flags().StringVar(&object, "object", "", "only this object (contact, company)")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many")

	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one dead letter with its error and fields",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("dead letter id %q is not a number", args[0])
			}
			st, err := openStore(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer func() { _ = st.Close() }()
			d, err := st.GetDeadLetter(cmd.Context(), id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no dead letter %d", id)
			}
			if err != nil {
				return err
			}
			return report.WriteDeadLetter(cmd.OutOrStdout(), d)
		},
	}
	cmd.AddCommand(list, show,
		bulkCmd(g, "replay", "Put dead letters back in the delivery queue", func(st store.Store) func(context.Context, int64) error { return st.ReplayDeadLetter }),
		bulkCmd(g, "discard", "Drop dead letters for good", func(st store.Store) func(context.Context, int64) error { return st.DiscardDeadLetter }),
	)
	return cmd
}

// bulkCmd builds replay and discard: by id, by --category, or --all.
func bulkCmd(g *globals, name, short string, op func(store.Store) func(context.Context, int64) error) *cobra.Command {
	var category string
	var all bool
	cmd := &cobra.Command{
		Use:   name + " [ID…]",
		Short: short + " (by id, --category or --all)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && category == "" && !all {
				return errors.New("name dead letter ids, or --category CATEGORY, or --all")
			}
			if len(args) > 0 && (category != "" || all) {
				return errors.New("ids and --category/--all do not mix")
			}
			ctx := cmd.Context()
			st, err := openStore(ctx, g)
			if err != nil {
				return err
			}
			defer func() { _ = st.Close() }()
			do := op(st)
			verb := map[string]string{"replay": "replayed", "discard": "discarded"}[name]
			if len(args) > 0 {
				var errs []error
				done := 0
				for _, a := range args {
					id, err := strconv.ParseInt(a, 10, 64)
					if err != nil {
						errs = append(errs, fmt.Errorf("dead letter id %q is not a number", a))
						continue
					}
					if err := do(ctx, id); err != nil {
						errs = append(errs, fmt.Errorf("dead letter %d: %w", id, err))
						continue
					}
					done++
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %d dead letter(s)\n", verb, done)
				return errors.Join(errs...)
			}
			// The admin API's bulk operation, repeated until it has seen
			// every letter: the same semantics from either door.
			total, kept := 0, 0
			for {
				res, err := admin.Bulk(ctx, st, category, do)
				total, kept = total+len(res.IDs), kept+res.Kept
				if err != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "%s %d dead letter(s)\n", verb, total)
					return err
				}
				if !res.More || len(res.IDs) == 0 {
					break // done, or only letters a replay keeps are left
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %d dead letter(s)\n", verb, total)
			if kept > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "kept %d malformed deliveries: they cannot be replayed; read them with dlq show, then discard them\n", kept)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&category, "category", "", "every dead letter of this category")
	cmd.Flags().BoolVar(&all, "all", false, "every dead letter")
	return cmd
}

func newExplainCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "explain hubspot|salesforce OBJECT ID",
		Short: "Show a record's timeline: deliveries, drops and why, writes, conflicts",
		Long: "OBJECT is contact or company (HubSpot's contacts/companies and Salesforce's Contact/Account are accepted too).\n" +
			"Example: hubforce explain salesforce Contact 0035g00000XyZaBAAV",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			side := hubforce.Side(args[0])
			if side != hubforce.HubSpot && side != hubforce.Salesforce {
				return fmt.Errorf("side must be hubspot or salesforce, got %q", args[0])
			}
			obj, ok := hubforce.ObjectFromHubSpot(args[1])
			if !ok {
				obj, ok = hubforce.ObjectFromSalesforce(args[1])
			}
			if !ok {
				return fmt.Errorf("object must be contact or company, got %q", args[1])
			}
			st, err := openStore(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer func() { _ = st.Close() }()
			t, err := report.Explain(cmd.Context(), st, side, obj, args[2])
			if err != nil {
				return err
			}
			return t.Write(cmd.OutOrStdout())
		},
	}
}
