// Package sandbox runs the whole product on one machine with no accounts:
// the HubSpot and Salesforce simulators on loopback, the bridge on an SQLite
// file, and a generator making changes on both sides.
//
// Each run starts from nothing unless asked to keep the last run's state
// (Options.KeepState): the bridge's store and the simulators' records only
// make sense together, so both are kept, or neither.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/generator"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/server"
)

// Options choose what runs and where.
type Options struct {
	// OnlySimulators runs the two simulators and nothing else (no bridge,
	// no generator), for pointing other tools at them.
	OnlySimulators bool
	// Addresses to listen on; ":0" picks a free port.
	BridgeAddr, HubSpotAddr, SalesforceAddr string
	// HubSpotWebhookURL and SalesforceOutboundURL send the simulators'
	// webhooks elsewhere than the bridge (with OnlySimulators: your own
	// receiver).
	HubSpotWebhookURL, SalesforceOutboundURL string
	// StateDir holds the run's state: the simulators' records and, unless
	// DatabaseURL says otherwise, the bridge's SQLite store.
	StateDir string
	// KeepState continues the last run's state in StateDir instead of
	// starting afresh.
	KeepState bool
	// DatabaseURL is the bridge's store; empty means an SQLite file in
	// StateDir.
	DatabaseURL string
	// Rate is the generator's changes per second; 0 turns it off.
	Rate float64
	// Seed makes the generator's changes repeatable.
	Seed uint64
	// Out receives the banner (URLs and credentials).
	Out io.Writer
	Log zerolog.Logger
	// OutboundFields, when set, are the fields of the Salesforce
	// simulator's Outbound Messages, by object, instead of those the
	// built-in mapping implies.
	OutboundFields map[string][]string
	// Then, when set, is called once everything listens and the example
	// records exist; the run ends when it returns, with its error.
	// `hubforce setup --sandbox` drives its flow from here.
	Then func(ctx context.Context, e Env) error
}

// Env is what a Then hook gets: where everything listens, the bridge's
// configuration (as a user would write it) and a person on each side.
type Env struct {
	BridgeURL, HubSpotURL, SalesforceURL string
	// Config is the bridge's configuration; its DatabaseURL is the store
	// the bridge writes.
	Config config.Config
	// HubSpot and Salesforce edit records as people do (not as the
	// bridge), so their changes sync.
	HubSpot, Salesforce Person
	// HubSpotSim and SalesforceSim are the simulated accounts themselves,
	// for configuring them as an admin would (their webhook and Outbound
	// Message targets).
	HubSpotSim    *hubspotsim.Server
	SalesforceSim *salesforcesim.Server
}

// DefaultStateDir is where the sandbox keeps its state unless told.
const DefaultStateDir = "hubforce-sandbox"

// Credentials the sandbox's simulated accounts accept. They are made up and
// printed on purpose: nothing real is behind them.
const (
	hubspotAppID        = 54321
	hubspotPortalID     = 62515
	hubspotClientID     = "sandbox-hubspot-client-id"
	hubspotClientSecret = "sandbox-hubspot-client-secret"
	hubspotToken        = "pat-na1-sandbox-0000-0000-0000-000000000000"
	hubspotRefresh      = "sandbox-hubspot-refresh-token"
	hubspotUIUser       = 1234567
	// A person's own script: another private app in the portal. Its writes
	// are not the bridge's, so they sync.
	hubspotUserAppID = 1160452
	hubspotUserToken = "pat-na1-sandbox-user-1111-1111-111111111111"

	salesforceOrgID        = "00D5g000004SbXaEAK"
	salesforceIntegration  = "0055g00000IntegAAA"
	salesforceUIUser       = "0055g00000HumanAAA"
	salesforceClientID     = "sandbox-salesforce-consumer-key"
	salesforceClientSecret = "sandbox-salesforce-consumer-secret"
	salesforceRefresh      = "sandbox-salesforce-refresh-token"
	// The session of a person logged in to the org (not the integration
	// user), as `sf org display` would show it.
	salesforceUserSession = "00D5g000004SbXa!sandbox-user-session-2222222222222222"

	adminToken = "sandbox-admin-token"
	// secretKey has keygen's length; the sandbox's tokens are not secret.
	secretKey = "sandbox-secret-key-not-for-production-000000"
)

// Run starts everything and blocks until ctx ends, then stops it all and
// saves the simulators' state.
func Run(ctx context.Context, o Options) error {
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir
	}
	st, err := prepareState(o)
	if err != nil {
		return err
	}
	if o.DatabaseURL == "" {
		o.DatabaseURL = "sqlite:" + filepath.Join(o.StateDir, databaseFile)
	}
	listen := func(what, addr, flag string) (net.Listener, string, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, "", fmt.Errorf("%s on %s (change it with %s): %w", what, addr, flag, err)
		}
		return ln, "http://" + ln.Addr().String(), nil
	}
	hsLn, hsURL, err := listen("HubSpot simulator", o.HubSpotAddr, "--hubspot-addr")
	if err != nil {
		return err
	}
	sfLn, sfURL, err := listen("Salesforce simulator", o.SalesforceAddr, "--salesforce-addr")
	if err != nil {
		return err
	}
	var brLn net.Listener
	var brURL string
	if !o.OnlySimulators {
		if brLn, brURL, err = listen("bridge", o.BridgeAddr, "--listen"); err != nil {
			return err
		}
	}

	hs := hubspotsim.New(hubspotsim.Config{
		PortalID: hubspotPortalID, AppID: hubspotAppID,
		ClientID: hubspotClientID, ClientSecret: hubspotClientSecret,
		PrivateAppTokens: []string{hubspotToken}, RefreshTokens: []string{hubspotRefresh},
		OtherAppTokens: map[string]int64{hubspotUserToken: hubspotUserAppID},
		WebhookURL:     webhookURL(o.HubSpotWebhookURL, brURL, "/webhooks/hubspot"),
		// The simulator names its own components (hubspotsim.webhooks).
		Logger: o.Log,
	})
	defer hs.Close()
	fields := o.OutboundFields
	if fields == nil {
		fields = outboundFields(mapping.Default())
	}
	sf := salesforcesim.New(salesforcesim.Config{
		OrgID: salesforceOrgID, IntegrationUserID: salesforceIntegration,
		InstanceURL: sfURL, LoginURL: sfURL,
		ClientID: salesforceClientID, ClientSecret: salesforceClientSecret,
		RefreshTokens:  []string{salesforceRefresh},
		UserSessions:   map[string]string{salesforceUserSession: salesforceUIUser},
		OutboundURL:    webhookURL(o.SalesforceOutboundURL, brURL, "/webhooks/salesforce"),
		OutboundFields: fields,
		Logger:         o.Log.With().Str("component", "salesforce-sim").Logger(),
	})
	defer sf.Close()
	if err := st.load(hs, sf); err != nil {
		return err
	}
	if st.saved != nil && !o.OnlySimulators {
		if err := forgetSessions(ctx, o.DatabaseURL); err != nil {
			return err
		}
	}
	hsUser, sfUser := hubspotUser{sim: hs, user: hubspotUIUser}, salesforceUser{sim: sf, user: salesforceUIUser}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	ready := make(chan string, 1)
	// stop ends the run early and returns why.
	stop := func() error {
		cancel()
		return quiet(g.Wait())
	}
	drain := 5 * time.Second
	g.Go(func() error {
		return server.Serve(gctx, hsLn, hs.Handler(), drain, o.Log.With().Str("component", "hubspot-sim").Logger())
	})
	g.Go(func() error {
		return server.Serve(gctx, sfLn, sf.Handler(), drain, o.Log.With().Str("component", "salesforce-sim").Logger())
	})
	g.Go(func() error { return st.saveEvery(gctx, hs, sf, saveInterval, o.Log) })
	var c config.Config
	if !o.OnlySimulators {
		if c, err = bridgeConfig(o, hsURL, sfURL, brURL); err != nil {
			return errors.Join(err, stop())
		}
		g.Go(func() error {
			err := bridge.Run(gctx, c, bridge.Options{Listener: brLn, Simulators: st.instance, Ready: ready}, o.Log)
			var owner *bridge.OwnerError
			if errors.As(err, &owner) {
				return fmt.Errorf("%w\n(the sandbox's state is in %s: %s and %s)", err, o.StateDir, databaseFile, simulatorsFile)
			}
			return err
		})
	}
	// The example records' webhooks must find the bridge listening: a
	// missed one would only come back with the simulators' retries, a
	// minute later.
	if !o.OnlySimulators {
		select {
		case <-ready:
		case <-gctx.Done():
			return stop()
		}
	}
	examples, err := seedExamples(hsUser, sfUser)
	if err != nil {
		return errors.Join(err, stop())
	}
	printBanner(o, st, hsURL, sfURL, brURL, examples)
	if o.Rate > 0 && !o.OnlySimulators {
		gen := generator.New(hsUser, sfUser, o.Seed)
		g.Go(func() error {
			gen.Run(gctx, o.Rate, func(c generator.Change, err error) {
				if err != nil {
					o.Log.Warn().Str("component", "generator").Err(err).Msg("the generator's change failed")
					return
				}
				o.Log.Info().Str("component", "generator").Msg(c.String())
			})
			return nil
		})
	}
	// thenErr is the hook's own error, kept apart so that the others'
	// orderly stop it causes cannot hide it.
	thenErr := make(chan error, 1)
	if o.Then != nil {
		env := Env{BridgeURL: brURL, HubSpotURL: hsURL, SalesforceURL: sfURL, Config: c, HubSpot: hsUser, Salesforce: sfUser,
			HubSpotSim: hs, SalesforceSim: sf}
		g.Go(func() error {
			thenErr <- o.Then(gctx, env)
			cancel()
			return nil
		})
	}
	err = quiet(g.Wait())
	select {
	case terr := <-thenErr:
		err = errors.Join(terr, err)
	default:
	}
	if serr := st.save(hs, sf); serr != nil {
		o.Log.Error().Err(serr).Msg("saving the simulators' state; the next --keep-state run will refuse this store")
	}
	return err
}

// quiet drops the errors of an orderly stop.
func quiet(err error) error {
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// webhookURL is where a simulator sends its webhooks: where the user said,
// else the bridge, else nowhere.
func webhookURL(given, bridge, path string) string {
	if given != "" || bridge == "" {
		return given
	}
	return bridge + path
}

// outboundFields is what an admin following the README selects in the
// Outbound Message of each Flow: every mapped field of the object, plus the
// id, the parent account and the system fields the bridge reads (SPEC §1;
// WIRE.md "Outbound Messages"). Deriving it from the mapping keeps the
// sandbox's Flows in step with what the bridge syncs.
func outboundFields(m *mapping.Mapping) map[string][]string {
	system := []string{"CreatedById", "CreatedDate", "IsDeleted", "LastModifiedById", "LastModifiedDate", "SystemModstamp"}
	out := map[string][]string{}
	for _, obj := range m.Objects() {
		name := obj.SalesforceName()
		fields := []string{"Id"}
		if obj == hubforce.Contact {
			fields = append(fields, "AccountId")
		}
		fields = append(fields, m.SalesforceFields(obj)...)
		out[name] = append(fields, system...)
	}
	return out
}

// bridgeConfig is the configuration a user would write to point hubforce at
// these two accounts. The HubSpot simulator is also HubSpot's app host (it
// serves the authorize page), and it calls the bridge over plain HTTP,
// signing that URL: the public URL says so.
func bridgeConfig(o Options, hsURL, sfURL, brURL string) (config.Config, error) {
	return config.Parse(map[string]string{
		"HUBFORCE_HUBSPOT_APP_URL":          hsURL,
		"HUBFORCE_PUBLIC_URL":               brURL,
		"HUBFORCE_DATABASE_URL":             o.DatabaseURL,
		"HUBFORCE_HUBSPOT_CLIENT_ID":        hubspotClientID,
		"HUBFORCE_HUBSPOT_CLIENT_SECRET":    hubspotClientSecret,
		"HUBFORCE_HUBSPOT_APP_ID":           fmt.Sprint(hubspotAppID),
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN":     hubspotToken,
		"HUBFORCE_HUBSPOT_API_URL":          hsURL,
		"HUBFORCE_SALESFORCE_ORG_ID":        salesforceOrgID,
		"HUBFORCE_SALESFORCE_LOGIN_URL":     sfURL,
		"HUBFORCE_SALESFORCE_CLIENT_ID":     salesforceClientID,
		"HUBFORCE_SALESFORCE_CLIENT_SECRET": salesforceClientSecret,
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN": salesforceRefresh,
		"HUBFORCE_SHUTDOWN_TIMEOUT":         "5s",
		"HUBFORCE_SECRET_KEY":               secretKey,
		"HUBFORCE_ADMIN_TOKEN":              adminToken,
		"HUBFORCE_LOG_LEVEL":                "info",
	})
}
