package main

import (
	"github.com/spf13/cobra"
)

func newSandboxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the whole product on this machine against built-in HubSpot and Salesforce simulators",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return notYet("sandbox", 2)
		},
	}
	return cmd
}
