package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/setup"
)

// setupFlags are the overrides every setup subcommand takes.
type setupFlags struct {
	publicURL    string
	supportEmail string
}

func (f *setupFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.publicURL, "public-url", "", "the bridge's public base URL (default "+config.Prefix+"PUBLIC_URL)")
	cmd.Flags().StringVar(&f.supportEmail, "support-email", "", "contact address shown in the HubSpot app and the External Client App")
}

func newSetupCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Write the HubSpot and Salesforce projects that connect real accounts to this bridge",
	}
	guidedSetup(g, cmd)
	cmd.AddCommand(newSetupHubSpotCmd(g), newSetupSalesforceCmd(g))
	return cmd
}

func newSetupHubSpotCmd(g *globals) *cobra.Command {
	var (
		f     setupFlags
		out   string
		oauth bool
	)
	cmd := &cobra.Command{
		Use:   "hubspot --out DIR",
		Short: "Write the HubSpot developer-platform project (`hs project upload` installs it)",
		Long: "Writes the HubSpot project for this bridge's configuration: the webhook target URL from\n" +
			config.Prefix + "PUBLIC_URL, a propertyChange subscription per property the mapping\n" +
			"(" + config.Prefix + "MAPPING_FILE) syncs, and the scopes the bridge needs.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := setupParams(g, f)
			if err != nil {
				return err
			}
			p.HubSpotOAuth = oauth
			n, err := writeProject(out, setup.HubSpotProject, p)
			if err != nil {
				return fmt.Errorf("setup hubspot: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the HubSpot project to %s (%d files)\nnext: cd %s && hs project upload\n", out, n, out)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the project into (created; a previous output is replaced)")
	cmd.Flags().BoolVar(&oauth, "oauth", false, "an OAuth app (several portals, Connect button) instead of a private app's static token")
	_ = cmd.MarkFlagRequired("out") // only fails for a flag that does not exist
	return cmd
}

func newSetupSalesforceCmd(g *globals) *cobra.Command {
	var (
		f    setupFlags
		out  string
		user string
	)
	cmd := &cobra.Command{
		Use:   "salesforce --out DIR",
		Short: "Write the Salesforce SFDX project (`sf project deploy start` installs it)",
		Long: "Writes the SFDX project for this bridge's configuration: an External Client App whose\n" +
			"callback is " + config.Prefix + "PUBLIC_URL's Connect page, an Outbound Message and a\n" +
			"record-triggered Flow per mapped object sending every mapped field (" + config.Prefix + "MAPPING_FILE),\n" +
			"and a permission set for the integration user.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := setupParams(g, f)
			if err != nil {
				return err
			}
			if user != "" {
				p.IntegrationUser = user
			}
			n, err := writeProject(out, setup.SalesforceProject, p)
			if err != nil {
				return fmt.Errorf("setup salesforce: %w", err)
			}
			w := cmd.OutOrStdout()
			user := p.IntegrationUser
			if user == "" {
				user = "USERNAME"
			}
			fmt.Fprintf(w, "wrote the Salesforce project to %s (%d files)\nnext: cd %s && sf project deploy start --source-dir force-app -o ALIAS"+
				" && sf %s -o ALIAS\n", out, n, out, strings.Join(setup.AssignPermissionSet(user), " "))
			if p.IntegrationUser == "" {
				fmt.Fprintf(w, "warning: no integration user (--integration-user or %sSALESFORCE_USERNAME): replace %s in force-app/main/default/workflows/ before deploying\n", config.Prefix, setup.PlaceholderIntegrationUser)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the project into (created; a previous output is replaced)")
	cmd.Flags().StringVar(&user, "integration-user", "", "username the Outbound Messages are sent as (default "+config.Prefix+"SALESFORCE_USERNAME)")
	_ = cmd.MarkFlagRequired("out") // only fails for a flag that does not exist
	return cmd
}

// writeProject writes what gen makes of p into dir, and says how many files.
func writeProject(dir string, gen func(setup.Params) (map[string][]byte, error), p setup.Params) (int, error) {
	files, err := gen(p)
	if err != nil {
		return 0, err
	}
	return len(files), setup.Write(dir, files)
}

// setupParams reads what the generators need from the configuration serve
// reads (environment, --env-file, the mapping file), flags winning.
func setupParams(g *globals, f setupFlags) (setup.Params, error) {
	c, err := config.Load(g.envFile)
	if err != nil {
		return setup.Params{}, fmt.Errorf("configuration: %w", err)
	}
	m, err := bridge.LoadMapping(c)
	if err != nil {
		return setup.Params{}, fmt.Errorf("mapping: %w", err)
	}
	p := setup.Params{
		PublicURL:            c.PublicURL,
		Mapping:              m,
		SupportEmail:         f.supportEmail,
		SalesforceAPIVersion: c.Salesforce.APIVersion,
		IntegrationUser:      c.Salesforce.Username,
	}
	if f.publicURL != "" {
		p.PublicURL = f.publicURL
	}
	return p, nil
}
