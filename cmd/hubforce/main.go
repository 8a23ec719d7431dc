// Command hubforce keeps HubSpot and Salesforce in step. main only wires: each
// command's work is in internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "hubforce:", err)
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

type globals struct {
	envFile string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "hubforce",
		Short:         "Keep HubSpot and Salesforce in step, both ways, in near real time",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.envFile, "env-file", "", "read HUBFORCE_* variables from this .env-style file (the environment wins)")
	root.AddCommand(
		newSandboxCmd(g),
		newServeCmd(g),
		newBackfillCmd(g),
		newDLQCmd(g),
		newConfigCmd(g),
		newMigrateCmd(g),
		newExplainCmd(g),
	)
	return root
}
