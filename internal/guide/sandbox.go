package guide

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/sandbox"
	"github.com/hubforce/hubforce/internal/setup"
)

// DefaultSandboxTimeout bounds `setup --sandbox`'s wait for the two
// changes to sync.
const DefaultSandboxTimeout = 60 * time.Second

// SandboxOptions of the guided install against the simulators.
type SandboxOptions struct {
	// Dir receives the projects; empty: a temporary folder, removed after.
	Dir string
	// StateDir is the sandbox's state; empty: a temporary folder, removed
	// after, so a running `hubforce sandbox` is left alone.
	StateDir string
	// Addresses; empty: free ports.
	BridgeAddr, HubSpotAddr, SalesforceAddr string
	// Timeout bounds the wait for the changes to sync.
	Timeout  time.Duration
	Out      io.Writer
	Log      zerolog.Logger
	Projects Projects
	// Doctor runs doctor's checks against c, the bridge's configuration.
	Doctor func(ctx context.Context, c config.Config, out io.Writer) error
}

// Sandbox runs the guided install against the built-in simulators: no
// accounts, no questions. It returns nil once a change made by a person in
// HubSpot has reached Salesforce and one made in Salesforce has reached
// HubSpot.
func Sandbox(ctx context.Context, o SandboxOptions) (err error) {
	start := time.Now()
	if o.Timeout <= 0 {
		o.Timeout = DefaultSandboxTimeout
	}
	var cleanup []string
	defer func() {
		for _, d := range cleanup {
			err = errors.Join(err, os.RemoveAll(d))
		}
	}()
	temp := func(dir *string, pattern string) error {
		if *dir != "" {
			return nil
		}
		d, err := os.MkdirTemp("", pattern)
		if err != nil {
			return fmt.Errorf("making a temporary folder: %w", err)
		}
		*dir = d
		cleanup = append(cleanup, d)
		return nil
	}
	if err := temp(&o.StateDir, "hubforce-setup-sandbox-"); err != nil {
		return err
	}
	if err := temp(&o.Dir, "hubforce-setup-projects-"); err != nil {
		return err
	}
	// The Salesforce simulator's Outbound Messages are set when it starts,
	// before the bridge's URL is known: their field lists come from the
	// project written with the placeholder URL, which the bridge's then
	// replaces.
	if err := o.Projects(filepath.Join(o.Dir, HubSpotDir), filepath.Join(o.Dir, SalesforceDir), setup.PlaceholderURL, ""); err != nil {
		return fmt.Errorf("writing the projects: %w", err)
	}
	fields, err := outboundFields(filepath.Join(o.Dir, SalesforceDir))
	if err != nil {
		return err
	}
	addr := func(a string) string { return cmp.Or(a, "127.0.0.1:0") }
	w := o.Out
	return sandbox.Run(ctx, sandbox.Options{
		BridgeAddr: addr(o.BridgeAddr), HubSpotAddr: addr(o.HubSpotAddr), SalesforceAddr: addr(o.SalesforceAddr),
		StateDir: o.StateDir, Out: io.Discard, Log: o.Log, OutboundFields: fields,
		Then: func(ctx context.Context, e sandbox.Env) error {
			return sandboxFlow(ctx, o, e, start, w)
		},
	})
}

func sandboxFlow(ctx context.Context, o SandboxOptions, e sandbox.Env, start time.Time, w io.Writer) (err error) {
	fmt.Fprintf(w, "hubforce setup --sandbox: the guided install against the built-in simulators (no accounts)\n")
	fmt.Fprintf(w, "  bridge %s   HubSpot simulator %s   Salesforce simulator %s\n", e.BridgeURL, e.HubSpotURL, e.SalesforceURL)

	hsDir, sfDir := filepath.Join(o.Dir, HubSpotDir), filepath.Join(o.Dir, SalesforceDir)
	step(w, 1, "Writing the projects")
	if err := o.Projects(hsDir, sfDir, e.BridgeURL, e.SalesforceURL); err != nil {
		return fmt.Errorf("writing the projects: %w", err)
	}
	fmt.Fprintf(w, "  HubSpot app (developer-platform project)  %s\n  Salesforce (SFDX project)                 %s\n", hsDir, sfDir)

	step(w, 2, "Installing them in the simulators")
	if err := deployToSimulators(w, e, hsDir, sfDir); err != nil {
		return err
	}

	step(w, 3, "Connecting the accounts")
	fmt.Fprintf(w, "  the sandbox's bridge already holds both sides' tokens; with real accounts: %s/connect/hubspot and %s/connect/salesforce\n", e.BridgeURL, e.BridgeURL)

	step(w, 4, "hubforce doctor")
	if err := o.Doctor(ctx, e.Config, w); err != nil {
		return err
	}

	st, err := bridge.OpenStore(ctx, e.Config, bridge.Existing)
	if err != nil {
		return fmt.Errorf("opening the sandbox bridge's store: %w", err)
	}
	defer func() { err = errors.Join(err, st.Close()) }()

	step(w, 5, "A person changes a contact on each side")
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	hsID, err := e.HubSpot.Create(hubforce.Contact, map[string]string{
		"firstname": "Hedy", "lastname": "Lamarr", "email": "hedy-" + tag + "@example.org", "jobtitle": "Inventor"})
	if err != nil {
		return fmt.Errorf("creating a contact in the HubSpot simulator: %w", err)
	}
	fmt.Fprintf(w, "  in HubSpot:    created contact %s (Hedy Lamarr)\n", hsID)
	sfID, err := e.Salesforce.Create(hubforce.Contact, map[string]string{
		"FirstName": "Katherine", "LastName": "Johnson", "Email": "katherine-" + tag + "@example.org", "Title": "Mathematician"})
	if err != nil {
		return fmt.Errorf("creating a contact in the Salesforce simulator: %w", err)
	}
	fmt.Fprintf(w, "  in Salesforce: created Contact %s (Katherine Johnson)\n", sfID)

	step(w, 6, "Waiting for each to reach the other side")
	wctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	type result struct {
		s   Synced
		err error
	}
	results := make(chan result, 2)
	for _, r := range []struct {
		side hubforce.Side
		id   string
	}{{hubforce.HubSpot, hsID}, {hubforce.Salesforce, sfID}} {
		go func() {
			s, err := WaitSynced(wctx, st, r.side, hubforce.Contact, r.id)
			results <- result{s, err}
		}()
	}
	var synced []Synced
	var errs []error
	for range 2 {
		r := <-results
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		synced = append(synced, r.s)
		fmt.Fprintf(w, "  %s → %s: %s %s synced %s after start\n", r.s.Side, r.s.Side.Other(), r.s.Object, r.s.RecordID, time.Since(start).Round(time.Millisecond))
	}
	if len(errs) > 0 {
		return fmt.Errorf("not synced within %s (--timeout):\n%w", o.Timeout, errors.Join(errs...))
	}
	for _, s := range synced {
		fmt.Fprintln(w)
		if err := WriteTimeline(ctx, w, st, s); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nDone in %s: a record synced each way. With real accounts: hubforce setup --public-url https://YOUR-HOST\n", time.Since(start).Round(time.Millisecond))
	return nil
}
