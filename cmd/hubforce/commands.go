package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/mapping"
)

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
			cerr := c.ValidateServe()
			if cerr != nil {
				cerr = fmt.Errorf("configuration is not valid:\n%w", cerr)
			}
			var merr error
			if err := mapping.Check(c.MappingFile); err != nil {
				merr = fmt.Errorf("mapping file is not valid:\n%w", err)
			}
			if err := errors.Join(cerr, merr); err != nil {
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
