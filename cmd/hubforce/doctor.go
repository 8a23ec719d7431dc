package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/doctor"
	"github.com/hubforce/hubforce/internal/logging"
)

func newDoctorCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the real accounts: tokens, scopes, mapped fields, webhooks and Outbound Messages, API budget",
		Long: "doctor calls HubSpot and Salesforce with the configured credentials and reports, per side, what works " +
			"and what to click or set for what does not. It writes nothing to either CRM; it exits non-zero when a check fails.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := config.Load(g.envFile)
			if err != nil {
				return err
			}
			return runDoctor(cmd.Context(), c, cmd.OutOrStdout())
		},
	}
}

// runDoctor runs doctor's checks with c and writes the report to out; it
// returns an exitError (status 1) when a check fails. `doctor` and `setup`
// both use it.
func runDoctor(ctx context.Context, c config.Config, out io.Writer) error {
	if err := c.ValidateServe(); err != nil {
		return fmt.Errorf("configuration is not valid (hubforce config check says more):\n%w", err)
	}
	m, err := bridge.LoadMapping(c)
	if err != nil {
		return err
	}
	source := "the built-in mapping"
	if c.MappingFile != "" {
		source = config.Prefix + "MAPPING_FILE " + c.MappingFile
	}
	log, err := logging.New(os.Stderr, "warn", c.LogFormat)
	if err != nil {
		return err
	}
	// The store holds the newest OAuth tokens (a refresh may
	// rotate them): doctor uses and keeps them as serve does.
	st, err := bridge.OpenStore(ctx, c, bridge.Migrating)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	creds, _ := st.(hubforce.CredentialStore)
	hs, err := bridge.HubSpotClient(c, creds, nil, log)
	if err != nil {
		return err
	}
	sf, err := bridge.SalesforceClient(c, creds, nil, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "HubSpot webhook signatures are checked against %s\n\n", c.SignedURL())
	report := doctor.Run(ctx, doctor.Config{HubSpot: hs, Salesforce: sf, Mapping: m, AppID: c.HubSpot.AppID,
		PublicURL: c.PublicURL, SalesforceFlow: salesforceFlow(c), BudgetShare: c.SalesforceBudget, MappingSource: source})
	report.Write(out)
	if report.Failed() {
		return exitError{code: 1, err: errors.New("doctor found problems; each says what to click or set")}
	}
	return nil
}

func salesforceFlow(c config.Config) string {
	switch s := c.Salesforce; {
	case s.Username != "" || s.PrivateKeyFile != "":
		return "JWT bearer"
	case s.ClientCredentials:
		return "client credentials"
	}
	return "refresh token"
}
