// Command hubforce keeps HubSpot and Salesforce in step. main only wires: each
// command's work is in internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

// defaultGCPercent is the collector's target unless GOGC says otherwise.
// The server's live heap is small (tens of MiB) and its garbage is
// per-request, so Go's default of 100 spends 10-15 % of the CPU on
// collection at saturation (issue #3); 400 trades a few MiB of peak
// memory for that CPU. GOGC (and GOMEMLIMIT) still win when set.
const defaultGCPercent = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
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
		newDoctorCmd(g),
		newMigrateCmd(g),
		newExplainCmd(g),
		newKeygenCmd(),
		newSetupCmd(g),
	)
	return root
}
