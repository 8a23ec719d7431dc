package main

import "github.com/spf13/cobra"

func newSetupCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "setup", Short: "Install hubforce's side in HubSpot and Salesforce: the guided first install, or one project"}
	guidedSetup(g, cmd)
	return cmd
}
