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
			fmt.Fprintf(cmd.OutOrStdout(), "configuration OK; mapping OK (%s)\n", source)
			return nil
		},
	})
	return cmd
}
