// Package guide is `hubforce setup`'s guided first install: it writes the
// HubSpot and Salesforce projects, installs them with the vendors' CLIs
// when they are signed in (or says exactly what to run), points at the
// Connect pages, runs doctor and waits for the first change synced each
// way. Sandbox runs the same flow against the built-in simulators.
package guide

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hubforce/hubforce/internal/setup"
)

// DefaultLoginURL is Salesforce's production login host.
const DefaultLoginURL = "https://login.salesforce.com"

// Sub-folders of Options.Dir the projects are written to.
const (
	HubSpotDir    = "hubspot"
	SalesforceDir = "salesforce"
)

// Projects writes the HubSpot project into hubspotDir and the Salesforce
// (SFDX) project into salesforceDir for a bridge at publicURL and an org
// that signs in at loginURL.
type Projects func(hubspotDir, salesforceDir, publicURL, loginURL string) error

// Doctor runs `hubforce doctor`'s checks, printing its report to out; it
// returns an error when the configuration cannot be checked or a check
// fails.
type Doctor func(ctx context.Context, out io.Writer) error

// Options of the guided install.
type Options struct {
	// PublicURL is the bridge's public base URL; asked for when empty.
	PublicURL string
	// LoginURL is Salesforce's login host (DefaultLoginURL when empty).
	LoginURL string
	// Dir receives the projects, in HubSpotDir and SalesforceDir.
	Dir string
	// IntegrationUser is the Salesforce username Outbound Messages are
	// sent as; empty leaves the generator's placeholder, which the user
	// is told to replace before deploying.
	IntegrationUser string
	// Yes answers every question with its default and never waits: the
	// public URL must then be given.
	Yes bool
	// Interactive says a person is at the terminal: only then is a
	// browser opened.
	Interactive bool
	In          io.Reader
	Out         io.Writer

	Runner   Runner
	Projects Projects
	Doctor   Doctor
	// Browser opens a URL; nil prints it only.
	Browser func(url string) error
	// History opens the bridge's store, to watch for the first synced
	// changes; nil skips the wait.
	History func(ctx context.Context) (History, func() error, error)
}

// Run is the guided install.
func Run(ctx context.Context, o Options) error {
	if o.LoginURL == "" {
		o.LoginURL = DefaultLoginURL
	}
	in := bufio.NewReader(o.In)
	w := o.Out
	var err error
	if o.PublicURL, err = ask(in, w, o.Yes, "The bridge's public URL (HTTPS, where HubSpot and Salesforce will call it)", o.PublicURL); err != nil {
		return err
	}
	if o.PublicURL == "" {
		return errors.New("the bridge's public URL is needed (--public-url)")
	}
	if err := checkURL(o.PublicURL, "the public URL"); err != nil {
		return err
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	if o.LoginURL, err = ask(in, w, o.Yes, "Salesforce's login host (a sandbox org: https://test.salesforce.com; or your My Domain)", o.LoginURL); err != nil {
		return err
	}
	if err := checkURL(o.LoginURL, "the Salesforce login URL"); err != nil {
		return err
	}

	hsDir, sfDir := filepath.Join(o.Dir, HubSpotDir), filepath.Join(o.Dir, SalesforceDir)
	step(w, 1, "Writing the projects")
	if err := o.Projects(hsDir, sfDir, o.PublicURL, o.LoginURL); err != nil {
		return fmt.Errorf("writing the projects: %w", err)
	}
	fmt.Fprintf(w, "  HubSpot app (developer-platform project)  %s\n  Salesforce (SFDX project)                 %s\n", hsDir, sfDir)
	if o.IntegrationUser == "" {
		fmt.Fprintf(w, "  warning: no integration user (--integration-user or HUBFORCE_SALESFORCE_USERNAME): the Outbound Messages\n"+
			"  carry a placeholder user that Salesforce refuses; give one and run setup again, or edit %s\n",
			filepath.Join(sfDir, "force-app", "main", "default", "workflows"))
	}

	step(w, 2, "Installing the HubSpot app")
	if err := install(ctx, o, in, hsDir, hubspotCLI); err != nil {
		return err
	}
	step(w, 3, "Deploying the Salesforce project")
	if err := install(ctx, o, in, sfDir, withPermissionSet(salesforceCLI, o.IntegrationUser)); err != nil {
		return err
	}
	if o.IntegrationUser == "" {
		fmt.Fprintf(w, "  then give the integration user the permission set: sf %s\n", strings.Join(setup.AssignPermissionSet("USERNAME"), " "))
	}

	step(w, 4, "Configuring and starting the bridge")
	fmt.Fprintf(w, "  Set these where `hubforce serve` runs (an --env-file works too), then start it:\n")
	for _, v := range variables(o.PublicURL, o.LoginURL) {
		fmt.Fprintf(w, "    %s\n", v)
	}
	if err := wait(in, w, o.Yes, "Press Enter once `hubforce serve` runs at "+o.PublicURL+" "); err != nil {
		return err
	}

	step(w, 5, "Connecting the accounts")
	for _, side := range []string{"hubspot", "salesforce"} {
		u := o.PublicURL + "/connect/" + side
		if o.Interactive && o.Browser != nil {
			if err := o.Browser(u); err == nil {
				fmt.Fprintf(w, "  opened %s\n", u)
				continue
			}
		}
		fmt.Fprintf(w, "  open %s\n", u)
	}
	fmt.Fprintf(w, "  (with a static HubSpot token or a Salesforce refresh token set, that side needs no Connect)\n")
	if err := wait(in, w, o.Yes, "Press Enter once both say connected "); err != nil {
		return err
	}

	step(w, 6, "hubforce doctor")
	if err := o.Doctor(ctx, w); err != nil {
		return fmt.Errorf("%w\n(fix what it says, then run `hubforce doctor` again)", err)
	}
	if o.History == nil {
		return nil
	}
	step(w, 7, "Waiting for the first change each way")
	fmt.Fprintf(w, "  Edit a contact in HubSpot and one in Salesforce (as yourself, not the integration user).\n")
	return watch(ctx, w, o.History, time.Now())
}

// watch waits for the first change made on each side to reach the other,
// and prints their timelines.
func watch(ctx context.Context, w io.Writer, open func(context.Context) (History, func() error, error), since time.Time) (err error) {
	h, closeFn, err := open(ctx)
	if err != nil {
		return fmt.Errorf("opening the bridge's store: %w", err)
	}
	defer func() { err = errors.Join(err, closeFn()) }()
	firsts, err := WaitFirstSynced(ctx, h, since, func(s Synced) {
		fmt.Fprintf(w, "  %s → %s: %s %s, after %s\n", s.Side, s.Side.Other(), s.Object, s.RecordID, s.At.Sub(since).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	for _, s := range firsts {
		fmt.Fprintln(w)
		if err := WriteTimeline(ctx, w, h, s); err != nil {
			return err
		}
	}
	return nil
}

// A vendor CLI: how to tell it is signed in, and what installs the project
// (one command or several, run in order).
type cli struct {
	side, name string
	signedIn   []string
	install    [][]string
	installCLI string
	signIn     string
	docs       string
}

// withPermissionSet adds the assignment to the Salesforce deploy when the
// integration user is known.
func withPermissionSet(c cli, user string) cli {
	if user != "" {
		c.install = append(slices.Clone(c.install), setup.AssignPermissionSet(user))
	}
	return c
}

var (
	// https://developers.hubspot.com/docs/developer-tooling/local-development/hubspot-cli/commands/account-commands
	// (hs account list: the authenticated accounts) and .../project-commands (hs project upload).
	hubspotCLI = cli{side: "HubSpot", name: "hs",
		signedIn: []string{"account", "list"}, install: [][]string{{"project", "upload"}},
		installCLI: "npm install -g @hubspot/cli", signIn: "hs account auth",
		docs: "https://developers.hubspot.com/docs/developer-tooling/local-development/hubspot-cli/project-commands"}
	// https://developer.salesforce.com/docs/atlas.en-us.sfdx_cli_reference.meta/sfdx_cli_reference/cli_reference_project_commands_unified.htm
	// (sf project deploy start) and the org commands' reference (sf org display: the default org).
	salesforceCLI = cli{side: "Salesforce", name: "sf",
		signedIn: []string{"org", "display", "--json"}, install: [][]string{{"project", "deploy", "start", "--source-dir", "force-app"}},
		installCLI: "npm install -g @salesforce/cli", signIn: "sf org login web --set-default --instance-url LOGIN_URL",
		docs: "https://developer.salesforce.com/docs/atlas.en-us.sfdx_cli_reference.meta/sfdx_cli_reference/cli_reference_project_commands_unified.htm"}
)

// install runs the CLI in dir when it is installed and signed in; else it
// prints the exact commands and waits for the user to run them.
func install(ctx context.Context, o Options, in *bufio.Reader, dir string, c cli) error {
	w := o.Out
	commands := make([]string, len(c.install))
	for i, args := range c.install {
		commands[i] = c.name + " " + strings.Join(args, " ")
	}
	why := ""
	if _, err := o.Runner.LookPath(c.name); err != nil {
		why = c.name + " is not installed"
	} else if err := o.Runner.Run(ctx, dir, io.Discard, c.name, c.signedIn...); err != nil {
		why = c.name + " is not signed in (" + c.name + " " + strings.Join(c.signedIn, " ") + " failed)"
	}
	if why == "" {
		for i, args := range c.install {
			fmt.Fprintf(w, "  $ cd %s && %s\n", dir, commands[i])
			if err := o.Runner.Run(ctx, dir, w, c.name, args...); err != nil {
				return fmt.Errorf("installing the %s side (%s): %w", c.side, commands[i], err)
			}
		}
		return nil
	}
	signIn := strings.ReplaceAll(c.signIn, "LOGIN_URL", o.LoginURL)
	fmt.Fprintf(w, "  %s; run these yourself (%s):\n", why, c.docs)
	fmt.Fprintf(w, "    %s\n    %s\n    cd %s && %s\n", c.installCLI, signIn, dir, strings.Join(commands, " && "))
	return wait(in, w, o.Yes, "Press Enter when done ")
}

// variables are the settings the user still has to give the bridge.
func variables(publicURL, loginURL string) []string {
	return []string{
		"HUBFORCE_PUBLIC_URL=" + publicURL,
		"HUBFORCE_SALESFORCE_LOGIN_URL=" + loginURL,
		"HUBFORCE_SECRET_KEY=$(hubforce keygen)",
		"HUBFORCE_HUBSPOT_APP_ID, _CLIENT_ID, _CLIENT_SECRET    from the app's Auth tab in HubSpot (Development → Projects → hubforce)",
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN                          the static token, once the app is installed in your portal",
		"HUBFORCE_SALESFORCE_CLIENT_ID, _CLIENT_SECRET          Consumer Key and Secret of the External Client App hubforce",
		"HUBFORCE_SALESFORCE_ORG_ID                             Setup → Company Information",
		"HUBFORCE_DATABASE_URL                                  sqlite:hubforce.db or postgres://…",
	}
}

func step(w io.Writer, n int, what string) { fmt.Fprintf(w, "\n%d. %s\n", n, what) }

// ask returns the answer to a question, or def when the user just presses
// Enter (or with yes, without asking).
func ask(in *bufio.Reader, w io.Writer, yes bool, question, def string) (string, error) {
	if yes {
		return def, nil
	}
	if def != "" {
		fmt.Fprintf(w, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(w, "%s: ", question)
	}
	line, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	if line = strings.TrimSpace(line); line == "" {
		return def, nil
	}
	return line, nil
}

// wait waits for Enter, unless yes.
func wait(in *bufio.Reader, w io.Writer, yes bool, prompt string) error {
	if yes {
		return nil
	}
	fmt.Fprint(w, "  "+prompt)
	if _, err := in.ReadString('\n'); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the input ended while waiting (use --yes to run without waiting)")
		}
		return fmt.Errorf("waiting for Enter: %w", err)
	}
	return nil
}

func checkURL(s, what string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s %q is not an http(s) URL with a host", what, s)
	}
	return nil
}
