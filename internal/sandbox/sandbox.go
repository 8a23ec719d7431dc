// Package sandbox runs the whole product on one machine with no accounts:
// the HubSpot and Salesforce simulators on loopback, the bridge on an SQLite
// file, and a generator making changes on both sides.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/generator"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/server"
)

// Options choose what runs and where.
type Options struct {
	// OnlySimulators runs the two simulators and nothing else, for pointing
	// other tools at them.
	OnlySimulators bool
	// Addresses to listen on; ":0" picks a free port.
	BridgeAddr, HubSpotAddr, SalesforceAddr string
	// HubSpotWebhookURL and SalesforceOutboundURL send the simulators'
	// webhooks elsewhere than the bridge (with OnlySimulators: your own
	// receiver).
	HubSpotWebhookURL, SalesforceOutboundURL string
	// DatabaseURL is the bridge's store.
	DatabaseURL string
	// Rate is the generator's changes per second; 0 turns it off.
	Rate float64
	// Seed makes the generator's changes repeatable.
	Seed uint64
	// Out receives the banner (URLs and credentials) and generator lines.
	Out io.Writer
	Log zerolog.Logger
}

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

	salesforceOrgID        = "00D5g000004SbXaEAK"
	salesforceIntegration  = "0055g00000IntegAAA"
	salesforceUIUser       = "0055g00000HumanAAA"
	salesforceClientID     = "sandbox-salesforce-consumer-key"
	salesforceClientSecret = "sandbox-salesforce-consumer-secret"
	salesforceRefresh      = "sandbox-salesforce-refresh-token"

	adminToken = "sandbox-admin-token"
)

// Run starts everything and blocks until ctx ends, then stops it all.
func Run(ctx context.Context, o Options) error {
	listen := func(what, addr string) (net.Listener, string, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, "", fmt.Errorf("%s on %s: %w", what, addr, err)
		}
		return ln, "http://" + ln.Addr().String(), nil
	}
	hsLn, hsURL, err := listen("HubSpot simulator", o.HubSpotAddr)
	if err != nil {
		return err
	}
	sfLn, sfURL, err := listen("Salesforce simulator", o.SalesforceAddr)
	if err != nil {
		return err
	}
	var brLn net.Listener
	var brURL string
	if !o.OnlySimulators {
		if brLn, brURL, err = listen("bridge", o.BridgeAddr); err != nil {
			return err
		}
	}

	hs := hubspotsim.New(hubspotsim.Config{
		PortalID: hubspotPortalID, AppID: hubspotAppID,
		ClientID: hubspotClientID, ClientSecret: hubspotClientSecret,
		PrivateAppTokens: []string{hubspotToken}, RefreshTokens: []string{hubspotRefresh},
		WebhookURL: webhookURL(o.HubSpotWebhookURL, brURL, "/webhooks/hubspot"),
		Logger:     o.Log.With().Str("component", "hubspot-sim").Logger(),
	})
	defer hs.Close()
	sf := salesforcesim.New(salesforcesim.Config{
		OrgID: salesforceOrgID, IntegrationUserID: salesforceIntegration,
		InstanceURL: sfURL, LoginURL: sfURL,
		ClientID: salesforceClientID, ClientSecret: salesforceClientSecret,
		RefreshTokens: []string{salesforceRefresh},
		OutboundURL:   webhookURL(o.SalesforceOutboundURL, brURL, "/webhooks/salesforce"),
		Logger:        o.Log.With().Str("component", "salesforce-sim").Logger(),
	})
	defer sf.Close()

	g, ctx := errgroup.WithContext(ctx)
	drain := 5 * time.Second
	g.Go(func() error {
		return server.Serve(ctx, hsLn, hs.Handler(), drain, o.Log.With().Str("component", "hubspot-sim").Logger())
	})
	g.Go(func() error {
		return server.Serve(ctx, sfLn, sf.Handler(), drain, o.Log.With().Str("component", "salesforce-sim").Logger())
	})
	if !o.OnlySimulators {
		c, err := bridgeConfig(o, hsURL, sfURL, brURL)
		if err != nil {
			return err
		}
		g.Go(func() error {
			return bridge.Run(ctx, c, bridge.Options{Listener: brLn}, o.Log.With().Str("component", "bridge").Logger())
		})
	}
	printBanner(o, hsURL, sfURL, brURL)
	if o.Rate > 0 {
		gen := generator.New(hubspotUser{sim: hs, user: hubspotUIUser}, salesforceUser{sim: sf, user: salesforceUIUser}, o.Seed)
		g.Go(func() error {
			gen.Run(ctx, o.Rate, func(c generator.Change, err error) {
				if err != nil {
					o.Log.Warn().Err(err).Msg("generator")
					return
				}
				o.Log.Info().Str("component", "generator").Msg(c.String())
			})
			return nil
		})
	}
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
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

// bridgeConfig is the configuration a user would write to point hubforce at
// these two accounts. The HubSpot simulator is also HubSpot's app host (it
// serves the authorize page), and it calls the bridge over plain HTTP,
// signing that URL: the public URL says so.
func bridgeConfig(o Options, hsURL, sfURL, brURL string) (config.Config, error) {
	return config.Parse(map[string]string{
		"HUBFORCE_HUBSPOT_APP_URL":          hsURL,
		"HUBFORCE_PUBLIC_URL":               brURL,
		"HUBFORCE_DATABASE_URL":             o.DatabaseURL,
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
		"HUBFORCE_SECRET_KEY":               "sandbox-secret-key-not-for-production",
		"HUBFORCE_ADMIN_TOKEN":              adminToken,
		"HUBFORCE_LOG_LEVEL":                "info",
	})
}

func printBanner(o Options, hsURL, sfURL, brURL string) {
	w := o.Out
	fmt.Fprintf(w, "\nhubforce sandbox — simulated accounts, nothing real behind them\n\n")
	fmt.Fprintf(w, "HubSpot simulator     %s\n", hsURL)
	fmt.Fprintf(w, "  portal %d, app %d, private-app token %s\n", hubspotPortalID, hubspotAppID, hubspotToken)
	fmt.Fprintf(w, "  OAuth: client id %s, secret %s, refresh token %s\n", hubspotClientID, hubspotClientSecret, hubspotRefresh)
	fmt.Fprintf(w, "  try:   curl -H 'Authorization: Bearer %s' %s/crm/objects/%s/contacts\n", hubspotToken, hsURL, hubspot.DefaultAPIVersion)
	fmt.Fprintf(w, "Salesforce simulator  %s\n", sfURL)
	fmt.Fprintf(w, "  org %s, integration user %s\n", salesforceOrgID, salesforceIntegration)
	fmt.Fprintf(w, "  OAuth: client id %s, secret %s, refresh token %s\n", salesforceClientID, salesforceClientSecret, salesforceRefresh)
	fmt.Fprintf(w, "  try:   curl -d grant_type=refresh_token -d client_id=%s -d client_secret=%s -d refresh_token=%s %s/services/oauth2/token\n",
		salesforceClientID, salesforceClientSecret, salesforceRefresh, sfURL)
	fmt.Fprintf(w, "Webhooks: HubSpot → %s, Salesforce outbound messages → %s\n",
		orNone(webhookURL(o.HubSpotWebhookURL, brURL, "/webhooks/hubspot")), orNone(webhookURL(o.SalesforceOutboundURL, brURL, "/webhooks/salesforce")))
	fmt.Fprintf(w, "Faults: PUT a JSON plan to %s/_sim/faults or %s/_sim/faults, e.g. {\"server_errors\":5}\n", hsURL, sfURL)
	if brURL != "" {
		fmt.Fprintf(w, "\nBridge                %s\n", brURL)
		fmt.Fprintf(w, "  dashboard  %s/  (sign in with the admin token %s)\n", brURL, adminToken)
		fmt.Fprintf(w, "  health     %s/readyz   metrics %s/metrics\n", brURL, brURL)
		fmt.Fprintf(w, "  admin API  curl -H 'Authorization: Bearer %s' %s/api/v1/status\n", adminToken, brURL)
		fmt.Fprintf(w, "  store      %s  (try: HUBFORCE_DATABASE_URL=%s hubforce explain hubspot contact ID)\n", o.DatabaseURL, o.DatabaseURL)
	}
	if o.Rate > 0 {
		fmt.Fprintf(w, "\nGenerator: %.1f changes/s on both sides.\n", o.Rate)
	}
	fmt.Fprintf(w, "Ctrl-C stops everything.\n\n")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
