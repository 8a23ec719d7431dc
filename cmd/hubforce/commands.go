package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Configuration tools"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate configuration and the mapping file as serve does; exits non-zero with every problem found",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := checkServeConfig(g)
			warnUnknown(cmd.ErrOrStderr(), c)
			if err != nil {
				return err
			}
			source := "the built-in mapping"
			if c.MappingFile != "" {
				source = c.MappingFile
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "configuration OK; mapping OK (%s)\n", source)
			fmt.Fprintf(out, "HubSpot webhook signatures are checked against %s\n", c.SignedURL())
			for _, w := range c.Warnings() {
				fmt.Fprintf(out, "warning: %s\n", w)
			}
			return nil
		},
	})
	return cmd
}

// checkServeConfig loads the configuration and reports, all at once, every
// problem that keeps serve from starting; `serve` and `config check` both
// use it, so they refuse exactly the same.
func checkServeConfig(g *globals) (config.Config, error) {
	c, err := config.Load(g.envFile)
	if err := errors.Join(err, bridge.Check(c)); err != nil {
		return c, fmt.Errorf("configuration is not valid:\n%w", err)
	}
	return c, nil
}

// warnUnknown names the HUBFORCE_ variables that are set but mean nothing
// to hubforce: likely typos, so a value the user meant is not in force.
func warnUnknown(w io.Writer, c config.Config) {
	for _, u := range c.Unknown {
		fmt.Fprintf(w, "warning: %s\n", u)
	}
}

// keyBytes is the entropy of a generated HUBFORCE_SECRET_KEY (SPEC §2: at
// least 32 bytes).
const keyBytes = 32

func newKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen",
		Short: "Print a new HUBFORCE_SECRET_KEY (32 random bytes, base64)",
		Long: "Prints a new random key for HUBFORCE_SECRET_KEY, which encrypts the OAuth tokens the bridge\n" +
			"stores and signs the Connect flow's state. Every replica needs the same key; changing it makes\n" +
			"the stored tokens unreadable (connect again on the dashboard).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := make([]byte, keyBytes)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("reading random bytes: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), base64.RawURLEncoding.EncodeToString(b))
			return nil
		},
	}
}
