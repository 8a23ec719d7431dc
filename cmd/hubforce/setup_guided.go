package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/guide"
	"github.com/hubforce/hubforce/internal/logging"
	"github.com/hubforce/hubforce/internal/setup"
)

// guidedSetup makes cmd (`hubforce setup` without a subcommand) the guided
// first install, or with --sandbox the same flow against the simulators.
func guidedSetup(g *globals, cmd *cobra.Command) {
	o := guide.Options{}
	so := guide.SandboxOptions{}
	var sandboxMode bool
	var logLevel, integrationUser string
	cmd.Long = "Without a subcommand, setup is the guided first install: it writes the HubSpot and Salesforce\n" +
		"projects into --out, installs them with `hs project upload` and `sf project deploy start` when those\n" +
		"CLIs are installed and signed in (otherwise it prints the exact commands and waits), points at the\n" +
		"Connect pages, runs doctor and waits for the first change synced each way.\n" +
		"--sandbox runs the same flow against the built-in simulators: no accounts, no questions; it exits 0\n" +
		"once a record made by a person has synced each way."
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if sandboxMode {
			log, err := logging.New(os.Stderr, logLevel, "console")
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("out") {
				o.Dir = "" // a temporary folder
			}
			so.Dir, so.Out, so.Log = o.Dir, cmd.OutOrStdout(), log
			so.Projects = writeProjects(setup.Params{})
			so.Doctor = runDoctor
			return guide.Sandbox(ctx, so)
		}
		base, err := setupParams(g, setupFlags{publicURL: o.PublicURL})
		if err != nil {
			return err
		}
		o.PublicURL = base.PublicURL
		if integrationUser != "" {
			base.IntegrationUser = integrationUser
		}
		o.IntegrationUser = base.IntegrationUser
		o.In, o.Out = cmd.InOrStdin(), cmd.OutOrStdout()
		o.Interactive = !o.Yes && term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
		o.Runner, o.Browser = guide.Exec{}, browser()
		if o.Interactive {
			o.Runner = guide.Exec{Stdin: os.Stdin}
		}
		o.Projects = writeProjects(base)
		o.Doctor = func(ctx context.Context, out io.Writer) error {
			// Loaded again: the variables were set during the flow.
			c, err := config.Load(g.envFile)
			if err != nil {
				return err
			}
			return runDoctor(ctx, c, out)
		}
		o.History = func(ctx context.Context) (guide.History, func() error, error) {
			c, err := config.Load(g.envFile)
			if err != nil {
				return nil, nil, err
			}
			st, err := bridge.OpenStore(ctx, c, bridge.Existing)
			if err != nil {
				return nil, nil, err
			}
			return st, st.Close, nil
		}
		return guide.Run(ctx, o)
	}
	f := cmd.Flags()
	f.StringVar(&o.PublicURL, "public-url", "", "the bridge's public HTTPS URL (default HUBFORCE_PUBLIC_URL; asked for when unset)")
	f.StringVar(&o.LoginURL, "salesforce-login-url", guide.DefaultLoginURL, "Salesforce's login host (https://test.salesforce.com for a sandbox org, or your My Domain)")
	f.StringVar(&o.Dir, "out", "hubforce-setup", "write the projects into DIR/hubspot and DIR/salesforce (--sandbox: a temporary folder unless given)")
	f.BoolVar(&o.Yes, "yes", false, "ask nothing and wait for nothing: print what is left to do and carry on")
	f.StringVar(&integrationUser, "integration-user", "", "the Salesforce username the Outbound Messages are sent as (default HUBFORCE_SALESFORCE_USERNAME)")
	f.BoolVar(&sandboxMode, "sandbox", false, "run the whole flow against the built-in simulators, with no accounts and no questions")
	f.DurationVar(&so.Timeout, "timeout", guide.DefaultSandboxTimeout, "--sandbox: how long to wait for the records to sync")
	f.StringVar(&so.BridgeAddr, "listen", "", "--sandbox: the bridge's address (default a free port)")
	f.StringVar(&so.HubSpotAddr, "hubspot-addr", "", "--sandbox: the HubSpot simulator's address (default a free port)")
	f.StringVar(&so.SalesforceAddr, "salesforce-addr", "", "--sandbox: the Salesforce simulator's address (default a free port)")
	f.StringVar(&logLevel, "log-level", "warn", "--sandbox: the simulators' and bridge's log level (debug, info, warn or error)")
}

// writeProjects writes both projects with internal/setup's generators, for
// base (the mapping, the API version, the integration user) and the public
// URL the flow settled on.
func writeProjects(base setup.Params) guide.Projects {
	return func(hubspotDir, salesforceDir, publicURL, _ string) error {
		p := base
		p.PublicURL = publicURL
		if _, err := writeProject(hubspotDir, setup.HubSpotProject, p); err != nil {
			return err
		}
		_, err := writeProject(salesforceDir, setup.SalesforceProject, p)
		return err
	}
}

// browser opens URLs with the desktop's opener when there is a desktop;
// nil (print only) otherwise.
func browser() func(string) error {
	var opener string
	switch runtime.GOOS {
	case "darwin":
		opener = "open"
	case "linux", "freebsd", "openbsd", "netbsd":
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return nil
		}
		opener = "xdg-open"
	default:
		return nil
	}
	if _, err := exec.LookPath(opener); err != nil {
		return nil
	}
	return func(u string) error {
		cmd := exec.Command(opener, u)
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("%s %s: %w", opener, u, err)
		}
		// The opener hands over to the browser and exits; reap it.
		go func() { _ = cmd.Wait() }()
		return nil
	}
}
