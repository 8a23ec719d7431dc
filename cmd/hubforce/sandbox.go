package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce/internal/logging"
	"github.com/hubforce/hubforce/internal/sandbox"
)

func newSandboxCmd(_ *globals) *cobra.Command {
	o := sandbox.Options{}
	var logFormat, logLevel string
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the whole product on this machine against built-in HubSpot and Salesforce simulators",
		Long: "Starts a HubSpot simulator, a Salesforce simulator, the bridge and a generator of people's\n" +
			"changes, all on loopback. The state (the bridge's SQLite store and the simulators' records) is\n" +
			"kept in --state-dir; each run starts afresh unless --keep-state continues the last one.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logging.New(os.Stderr, logLevel, logFormat)
			if err != nil {
				return err
			}
			o.Out, o.Log = cmd.OutOrStdout(), log
			return sandbox.Run(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.OnlySimulators, "only-simulators", false, "run only the HubSpot and Salesforce simulators: no bridge, no generator")
	f.StringVar(&o.BridgeAddr, "listen", "127.0.0.1:8080", "the bridge's address")
	f.StringVar(&o.HubSpotAddr, "hubspot-addr", "127.0.0.1:8081", "the HubSpot simulator's address")
	f.StringVar(&o.SalesforceAddr, "salesforce-addr", "127.0.0.1:8082", "the Salesforce simulator's address")
	f.StringVar(&o.HubSpotWebhookURL, "hubspot-webhook-url", "", "send the HubSpot simulator's webhooks here instead of the bridge")
	f.StringVar(&o.SalesforceOutboundURL, "salesforce-outbound-url", "", "send the Salesforce simulator's outbound messages here instead of the bridge")
	f.StringVar(&o.StateDir, "state-dir", sandbox.DefaultStateDir, "folder for the sandbox's state: the bridge's store and the simulators' records")
	f.BoolVar(&o.KeepState, "keep-state", false, "continue the last run's state in --state-dir instead of starting afresh")
	f.StringVar(&o.DatabaseURL, "database", "", "the bridge's store (default sqlite: in --state-dir)")
	f.Float64Var(&o.Rate, "rate", 1, "generated changes per second (0: none)")
	f.Uint64Var(&o.Seed, "seed", 1, "generator seed, for repeatable runs")
	f.StringVar(&logFormat, "log-format", "console", "console or json")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}
