// Package bridge assembles a running hubforce from its configuration: the
// store, both CRM clients, the delivery engine, the reconciliation poller and
// the HTTP server. `serve` and `sandbox` both run it.
package bridge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/admin"
	"github.com/hubforce/hubforce/internal/alert"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/connect"
	"github.com/hubforce/hubforce/internal/delivery"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/metrics"
	"github.com/hubforce/hubforce/internal/reconcile"
	"github.com/hubforce/hubforce/internal/salesforce"
	"github.com/hubforce/hubforce/internal/server"
	"github.com/hubforce/hubforce/internal/store"
)

// Options are what a caller other than `serve` may adjust (the sandbox and
// the end-to-end tests).
type Options struct {
	// Listener to serve on; nil listens on HUBFORCE_LISTEN_ADDR.
	Listener net.Listener
	// DryRun is shadow mode: take traffic, read, write nothing.
	DryRun bool
	// Owner names this replica in leases (default: host name and pid).
	Owner string
	// Ready, if set, is closed once the server accepts requests.
	Ready chan<- string
	// Simulators names the sandbox's simulators; the store remembers it and
	// refuses other simulators (their ids and delivery ids start over).
	Simulators string
}

// Run migrates the schema, opens the store, starts delivery and serves
// until ctx ends; then it stops accepting requests, lets in-flight ones and
// the delivery round finish, and closes the store.
func Run(ctx context.Context, c config.Config, o Options, log zerolog.Logger) error {
	m, err := LoadMapping(c)
	if err != nil {
		return err
	}
	met := metrics.New()
	// The engine is made once the clients exist; the hook only runs after
	// Open, on commits.
	var wake atomic.Pointer[delivery.Engine]
	st, err := OpenStore(ctx, c, Migrating,
		store.WithOnIngested(func(d map[hubforce.Side]map[hubforce.Decision]int) {
			for side, byDecision := range d {
				for decision, n := range byDecision {
					met.Decisions.WithLabelValues(string(side), string(decision)).Add(float64(n))
				}
				if e := wake.Load(); e != nil && byDecision[hubforce.Accepted] > 0 {
					e.Wake(side.Other())
				}
			}
		}),
		store.WithOnDigestError(func(err error) { log.Error().Err(err).Msg("digesting received changes; retrying") }),
		store.WithOnStatisticsError(func(err error) { log.Warn().Err(err).Msg("refreshing the planner's statistics of the queue; retrying") }))
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error().Err(err).Msg("closing the store")
		}
	}()
	if err := claimOwners(ctx, st, c, o.Simulators); err != nil {
		return err
	}
	hs, sf, err := clients(c, st, met, log)
	if err != nil {
		return err
	}
	// A store used with another HubSpot portal stops the server.
	ctx, stop := context.WithCancelCause(ctx)
	portalChecked := make(chan struct{})
	// Events of any other portal are acknowledged and dropped; the portal
	// the store belongs to is known from a previous start, or once
	// claimPortal has learned it.
	var portal atomic.Int64
	portal.Store(knownPortal(ctx, st, log))
	go func() {
		defer close(portalChecked)
		if err := claimPortal(ctx, st, hs.PortalID, c.DatabaseURL, log); err != nil {
			log.Error().Err(err).Msg("stopping")
			stop(err)
			return
		}
		portal.Store(knownPortal(ctx, st, log))
	}()
	defer func() {
		stop(nil)
		<-portalChecked
	}()
	met.WatchBudgets(hs.Budget, sf.Usage)
	met.WatchBudgetShares(hs.Budget, sf.Usage, c.SalesforceBudget, c.SalesforcePause)
	met.WatchStore(metrics.StoreReader{
		Oldest: func(ctx context.Context, to hubforce.Side) (time.Time, error) {
			q, err := st.QueueStats(ctx, to)
			return q.Oldest, err
		},
		DeadLetters: st.DeadLetterCounts,
	})
	met.WatchInbox(func() (int64, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return st.InboxDepth(ctx)
	})
	var alerts interface {
		delivery.Alerter
		Close()
	} = alert.Nop{}
	if c.SlackURL != "" {
		alerts = &alert.Slack{URL: c.SlackURL, Log: log.With().Str("component", "alerts").Logger()}
	}
	defer alerts.Close()

	owner := o.Owner
	if owner == "" {
		host, _ := os.Hostname()
		owner = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	recorder := admin.NewRecorder(nil)
	engine := &delivery.Engine{
		Store: st, Mapping: m, Alerts: alerts, Observe: observers{met.Delivery, recorder},
		HubSpot:    &delivery.HubSpot{Client: hs, AppID: c.HubSpot.AppID},
		Salesforce: &delivery.Salesforce{Client: sf, Mapping: m},
		Log:        log.With().Str("component", "delivery").Logger(),
		Config: delivery.Config{
			Owner: owner, Linger: c.BatchLinger, Workers: c.Workers, RetryCeiling: c.RetryCeiling, MaxDelay: c.RetryMaxDelay,
			BudgetShare: c.SalesforceBudget, BudgetPause: c.SalesforcePause,
			BudgetProbe: c.BudgetProbe, DryRun: o.DryRun,
		},
	}

	wake.Store(engine)
	// Only a process that delivers knows how deliveries go.
	var health func() []hubforce.Health
	if c.Workers > 0 {
		health = engine.Health
		met.WatchHealth(health)
	}

	guard, err := salesforceGuard(c)
	if err != nil {
		return err
	}
	trusted, err := trustedSalesforce(c)
	if err != nil {
		return err
	}
	srvLog := log.With().Str("component", "server").Logger()
	srv := &server.Server{
		Log:     srvLog,
		Store:   st,
		Metrics: met,
		HubSpot: hubspot.Verifier{
			ClientSecret: c.HubSpot.ClientSecret,
			PublicURL:    c.PublicURL,
			RequireV3:    c.HubSpot.RequireV3,
		},
		HubSpotScope:    &server.HubSpotScope{Portal: portal.Load, AppID: c.HubSpot.AppID},
		SalesforceOrgID: c.Salesforce.OrgID,
		SalesforceGuard: guard,
		// Outbound Messages are triggers unless the operator opted in and
		// the sender proves itself with Salesforce's client certificate.
		TrustedSalesforce: trusted,
		BodyLimit:         c.BodyLimit,
		// Readiness is "can durably accept webhooks": the store alone. A
		// paused or failing connection is named in the body, the status
		// API, the metrics and the alerts, never as a 503 that takes every
		// replica off the network while webhooks could still be stored.
		Ready: []server.Check{{Name: "store", Fn: st.Ping}},
		APIs: []server.Check{
			{Name: string(hubforce.HubSpot), Fn: hs.Ready},
			{Name: string(hubforce.Salesforce), Fn: sf.Ready},
		},
		Health: health,
	}
	sides := connectSides(c, hs, sf)
	api, err := admin.New(admin.Config{
		Token: c.AdminToken, Store: st, Log: log.With().Str("component", "admin").Logger(),
		Health: health, DryRun: o.DryRun, Connect: connectNames(sides), Recorder: recorder, BudgetShare: c.SalesforceBudget,
		SalesforceUsage: sf.Usage, HubSpotBudget: hs.Budget,
		Checks: adminChecks(append(srv.Ready, srv.APIs...)),
		Extra: func(r chi.Router) {
			r.Mount("/connections", connect.CredentialsHandler(map[hubforce.Side]func(context.Context, string) error{
				hubforce.HubSpot: hs.SetRefreshToken, hubforce.Salesforce: sf.SetRefreshToken}))
		},
		SecureCookies: strings.HasPrefix(c.PublicURL, "https://"), TrustedProxies: guard.TrustedProxies,
	})
	if err != nil {
		return err
	}
	if !api.Enabled() {
		log.Warn().Msg("HUBFORCE_ADMIN_TOKEN is not set: the admin API and the dashboard are disabled")
	}
	log.Info().Str("component", "server").Msgf("HubSpot webhook signatures are checked against %s: it must be the target URL of the app's webhooks", c.SignedURL())
	for _, w := range c.Warnings() {
		log.Warn().Msg(w)
	}
	connectH := connect.Handler(connect.Config{Sides: sides, PublicURL: c.PublicURL, Authorize: api.RequireOperator,
		Key: connect.StateKey(c.SecretKey), Log: log.With().Str("component", "connect").Logger()})
	srv.Admin = func(r chi.Router) {
		api.Routes(r)
		r.Mount("/connect", connectH)
	}

	ln := o.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", c.ListenAddr); err != nil {
			return fmt.Errorf("HUBFORCE_LISTEN_ADDR %s: %w", c.ListenAddr, err)
		}
	}
	if c.TLSCertFile != "" {
		tc, err := server.TLSConfig(c.TLSCertFile, c.TLSKeyFile, c.Salesforce.ClientCAFile)
		if err != nil {
			return err
		}
		ln = tls.NewListener(ln, tc)
	}
	if o.Ready != nil {
		o.Ready <- ln.Addr().String()
	}
	if o.DryRun {
		log.Warn().Msg("dry run: changes are taken and translated, nothing is written to either CRM")
	}

	// Delivery stops when serving has stopped: a change acknowledged during
	// the drain still gets its delivery round.
	dctx, stopDelivery := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		api.Run(dctx)
	}()
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			srv.Drain()
		case <-dctx.Done():
		}
	}()
	if c.Workers > 0 {
		poller := &reconcile.Poller{Store: st, HubSpot: hs, Salesforce: sf, Mapping: m,
			Interval: c.ReconcileInterval, Settle: c.ReconcileSettle, Overlap: c.ReconcileOverlap,
			BudgetShare: c.SalesforceBudget, Owner: owner, SalesforceTriggers: true,
			Log: log.With().Str("component", "reconcile").Logger()}
		wg.Add(3)
		go func() {
			defer wg.Done()
			_ = engine.Run(dctx)
		}()
		go func() {
			defer wg.Done()
			_ = poller.Run(dctx)
		}()
		go func() {
			defer wg.Done()
			prune(dctx, st, c.Retention, log)
		}()
	} else {
		log.Warn().Msg("HUBFORCE_WORKERS=0: this process takes webhooks but delivers nothing; another replica must")
	}
	serveErr := server.ServeWith(ctx, ln, srv.Handler(), c.ReadHeaderTimeout, c.ShutdownTimeout, srvLog)
	stopDelivery()
	wg.Wait()
	var refused *OwnerError
	if cause := context.Cause(ctx); errors.As(cause, &refused) {
		return cause
	}
	return serveErr
}

// connectSides offers the OAuth Connect flow for each side configured for
// OAuth (not for a static token or the JWT bearer flow). HubSpot's authorize
// page is on its app host (HUBFORCE_HUBSPOT_APP_URL), never derived from
// the API URL.
func connectSides(c config.Config, hs *hubspot.Client, sf *salesforce.Client) []connect.Side {
	var out []connect.Side
	if c.HubSpot.ClientID != "" && c.HubSpot.ClientSecret != "" && c.HubSpot.AccessToken == "" {
		out = append(out, connect.Side{Name: hubforce.HubSpot, AuthorizeURL: hubspot.AuthorizeURL(c.HubSpot.AppURL), TokenURL: hs.TokenURL(),
			ClientID: c.HubSpot.ClientID, ClientSecret: c.HubSpot.ClientSecret, Scopes: hubspot.Scopes(), Apply: hs.SetRefreshToken})
	}
	if c.Salesforce.ClientID != "" && c.Salesforce.ClientSecret != "" && c.Salesforce.Username == "" && !c.Salesforce.ClientCredentials {
		login := strings.TrimRight(c.Salesforce.LoginURL, "/")
		out = append(out, connect.Side{Name: hubforce.Salesforce, AuthorizeURL: login + "/services/oauth2/authorize", TokenURL: login + "/services/oauth2/token",
			ClientID: c.Salesforce.ClientID, ClientSecret: c.Salesforce.ClientSecret, Scopes: []string{"api", "refresh_token"}, Apply: sf.SetRefreshToken})
	}
	return out
}

// observers feeds the delivery engine's counts to the metrics and to the
// dashboard's recorder.
type observers struct {
	*metrics.Delivery
	recorder *admin.Recorder
}

func (o observers) Delivered(to hubforce.Side, outcome string, n int) {
	o.Delivery.Delivered(to, outcome, n)
	o.recorder.Delivered(to, outcome, n)
}

func connectNames(sides []connect.Side) []hubforce.Side {
	out := make([]hubforce.Side, len(sides))
	for i, s := range sides {
		out[i] = s.Name
	}
	return out
}

func adminChecks(cs []server.Check) []admin.Check {
	out := make([]admin.Check, len(cs))
	for i, c := range cs {
		out[i] = admin.Check{Name: c.Name, Fn: c.Fn}
	}
	return out
}

// prune drops history past the retention period, hourly; pending work and
// its delivery ids are never touched (the store sees to that).
func prune(ctx context.Context, st store.Store, retention time.Duration, log zerolog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.PruneHistory(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Msg("pruning history; retrying in an hour")
		} else if n > 0 {
			log.Info().Int64("entries", n).Stringer("retention", retention).Msg("pruned history")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// LoadMapping is the configured mapping: HUBFORCE_MAPPING_FILE, or the
// built-in one.
func LoadMapping(c config.Config) (*mapping.Mapping, error) {
	if c.MappingFile == "" {
		return mapping.Default(), nil
	}
	m, err := mapping.Load(c.MappingFile)
	if err != nil {
		return nil, fmt.Errorf("HUBFORCE_MAPPING_FILE: %w", err)
	}
	return m, nil
}

// clients builds both CRM clients from the configuration.
func clients(c config.Config, creds hubforce.CredentialStore, met *metrics.Metrics, log zerolog.Logger) (*hubspot.Client, *salesforce.Client, error) {
	hs, err := HubSpotClient(c, creds, met.Delivery.OnCall(hubforce.HubSpot), log)
	if err != nil {
		return nil, nil, err
	}
	sf, err := SalesforceClient(c, creds, met.Delivery.OnCall(hubforce.Salesforce), log)
	if err != nil {
		return nil, nil, err
	}
	return hs, sf, nil
}

// HubSpotClient builds the HubSpot client the configuration describes
// (serve, backfill and doctor alike). creds and onCall may be nil.
func HubSpotClient(c config.Config, creds hubforce.CredentialStore, onCall func(string, int, time.Duration), log zerolog.Logger) (*hubspot.Client, error) {
	h := c.HubSpot
	hs, err := hubspot.NewClient(hubspot.ClientConfig{
		BaseURL: h.APIURL, APIVersion: h.APIVersion, AccessToken: h.AccessToken,
		ClientID: h.ClientID, ClientSecret: h.ClientSecret, RefreshToken: h.RefreshToken,
		Credentials: creds, Log: log.With().Str("component", "hubspot").Logger(), OnCall: onCall,
	})
	if err != nil {
		return nil, fmt.Errorf("hubspot connection: %w", err)
	}
	return hs, nil
}

// SalesforceClient builds the Salesforce client the configuration
// describes. creds and onCall may be nil.
func SalesforceClient(c config.Config, creds hubforce.CredentialStore, onCall func(string, int, time.Duration), log zerolog.Logger) (*salesforce.Client, error) {
	s := c.Salesforce
	var key []byte
	if s.PrivateKeyFile != "" {
		var err error
		if key, err = os.ReadFile(s.PrivateKeyFile); err != nil {
			return nil, fmt.Errorf("%sSALESFORCE_PRIVATE_KEY_FILE: %w", config.Prefix, err)
		}
	}
	sf, err := salesforce.NewClient(salesforce.ClientConfig{
		LoginURL: s.LoginURL, APIVersion: s.APIVersion, JWTAudience: s.JWTAudience,
		ClientID: s.ClientID, ClientSecret: s.ClientSecret, RefreshToken: s.RefreshToken,
		Username: s.Username, PrivateKeyPEM: key, ClientCredentials: s.ClientCredentials,
		Credentials: creds, Log: log.With().Str("component", "salesforce").Logger(), OnCall: onCall,
	})
	if err != nil {
		return nil, fmt.Errorf("salesforce connection: %w", err)
	}
	return sf, nil
}

func salesforceGuard(c config.Config) (server.Guard, error) {
	allowed, err := server.ParsePrefixes(c.Salesforce.AllowedIPs)
	if err != nil {
		return server.Guard{}, fmt.Errorf("HUBFORCE_SALESFORCE_ALLOWED_IPS: %w", err)
	}
	proxies, err := server.ParsePrefixes(c.TrustedProxies)
	if err != nil {
		return server.Guard{}, fmt.Errorf("HUBFORCE_TRUSTED_PROXIES: %w", err)
	}
	return server.Guard{Allowed: allowed, TrustedProxies: proxies, RequireClientCert: c.Salesforce.ClientCAFile != ""}, nil
}

// trustedSalesforce is the pinned client certificate whose Outbound
// Messages are believed, nil unless HUBFORCE_SALESFORCE_TRUST_MESSAGES.
func trustedSalesforce(c config.Config) (*server.SalesforceSender, error) {
	s := c.Salesforce
	if !s.TrustMessages {
		return nil, nil
	}
	subject, err := server.ParseName(s.ClientCertSubject)
	if err != nil {
		return nil, fmt.Errorf("%sSALESFORCE_CLIENT_CERT_SUBJECT: %w", config.Prefix, err)
	}
	issuer, err := server.ParseName(s.ClientCertIssuer)
	if err != nil {
		return nil, fmt.Errorf("%sSALESFORCE_CLIENT_CERT_ISSUER: %w", config.Prefix, err)
	}
	return &server.SalesforceSender{Subject: subject, Issuer: issuer}, nil
}
