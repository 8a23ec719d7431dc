// Package e2e runs the real bridge against the HubSpot and Salesforce
// simulators over real HTTP on loopback. The end-to-end tests and the
// delivery benchmark (cmd/hubforce-bench e2e) share this harness.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/server"
)

// Credentials of the simulated accounts.
const (
	HubSpotAppID        = 777001
	HubSpotClientID     = "e2e-hubspot-client"
	HubSpotClientSecret = "e2e-hubspot-secret"
	HubSpotToken        = "pat-na1-e2e-token"
	HubSpotRefresh      = "e2e-hubspot-refresh"
	HubSpotUser         = 4242

	SalesforceOrg         = "00D5g000004E2eTEAS"
	SalesforceIntegration = "0055g00000E2eIntAAA"
	SalesforceUser        = "0055g00000E2eUsrAAA"
	SalesforceClientID    = "e2e-salesforce-client"
	SalesforceSecret      = "e2e-salesforce-secret"
	SalesforceRefresh     = "e2e-salesforce-refresh"
)

// Options shape one environment.
type Options struct {
	// DatabaseURL of the bridge's store.
	DatabaseURL string
	// Replicas of the bridge sharing the store (PostgreSQL for more than
	// one); default 1.
	Replicas int
	// HubSpotOAuth makes the bridge use OAuth refresh tokens instead of a
	// private-app token.
	HubSpotOAuth bool
	// HubSpotTokenTTL shortens HubSpot's access tokens.
	HubSpotTokenTTL time.Duration
	// OutboundFields overrides the Salesforce outbound message's fields.
	OutboundFields map[string][]string
	// Mapping, when set, is the mapping file's YAML (HUBFORCE_MAPPING_FILE).
	Mapping string
	// SalesforceCheckboxes are custom Checkbox fields per sObject.
	SalesforceCheckboxes map[string][]string
	// Env overrides bridge variables (HUBFORCE_…).
	Env map[string]string
	// Log receives the bridge's and simulators' logs (default: discarded).
	Log zerolog.Logger
	// Slack starts a receiver for the bridge's Slack alerts (Env.Slack).
	Slack bool
	// DryRun runs the bridge in shadow mode (serve --dry-run).
	DryRun bool
	// HubSpotMiddleware and SalesforceMiddleware, when set, wrap the
	// simulators' handlers, so that an observer (the delivery benchmark)
	// sees every request the bridge makes as it arrives.
	HubSpotMiddleware    func(http.Handler) http.Handler
	SalesforceMiddleware func(http.Handler) http.Handler
	// HubSpotRateLimit is the HubSpot simulator's burst limit in requests
	// per 10 s (default: the simulator's, 100).
	HubSpotRateLimit int
}

// Env is a running environment.
type Env struct {
	HubSpot       *hubspotsim.Server
	Salesforce    *salesforcesim.Server
	HubSpotURL    string
	SalesforceURL string
	// BridgeURLs of the replicas; webhooks go to the first (or are spread
	// by a front that the caller sets up).
	BridgeURLs []string

	// Slack holds the alerts the bridge sent, when Options.Slack is set.
	Slack *SlackSink
	// SalesforceClock is the Salesforce simulator's clock: the wall clock
	// until a test holds it, so that edits share one SystemModstamp.
	SalesforceClock *HeldClock

	stop    context.CancelFunc
	done    []chan error
	servers []*http.Server
	cleanup []func()
	opts    Options
	vars    map[string]string
}

// HeldClock is the wall clock, except while held: then it stands still at
// the instant Hold was called. Salesforce stores datetimes to the second, so
// edits made while it is held share a SystemModstamp, as two saves within
// one second do, without a test having to race the clock.
type HeldClock struct {
	mu   sync.Mutex
	held time.Time
}

// Now is the held instant, or the wall clock.
func (c *HeldClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held.IsZero() {
		return c.held
	}
	return time.Now()
}

// Hold stops the clock at the current instant and returns it.
func (c *HeldClock) Hold() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = time.Now()
	return c.held
}

// Release lets the clock run again.
func (c *HeldClock) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = time.Time{}
}

// SlackSink is a stand-in for a Slack incoming webhook: it keeps the text
// of every message posted to it.
type SlackSink struct {
	mu   sync.Mutex
	msgs []string
}

func (s *SlackSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, body.Text)
	s.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

// Messages returns what was posted so far.
func (s *SlackSink) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// Start brings up the simulators and the bridge.
func Start(ctx context.Context, o Options) (*Env, error) {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	e := &Env{SalesforceClock: &HeldClock{}}
	hsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sfLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e.HubSpotURL, e.SalesforceURL = "http://"+hsLn.Addr().String(), "http://"+sfLn.Addr().String()
	var bridgeLns []net.Listener
	for range o.Replicas {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		bridgeLns = append(bridgeLns, ln)
		e.BridgeURLs = append(e.BridgeURLs, "http://"+ln.Addr().String())
	}
	fast := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, 1600 * time.Millisecond, 3 * time.Second, 5 * time.Second, 8 * time.Second, 13 * time.Second}
	e.HubSpot = hubspotsim.New(hubspotsim.Config{
		AppID: HubSpotAppID, ClientID: HubSpotClientID, ClientSecret: HubSpotClientSecret,
		PrivateAppTokens: []string{HubSpotToken}, RefreshTokens: []string{HubSpotRefresh},
		TokenTTL: o.HubSpotTokenTTL, WebhookURL: e.BridgeURLs[0] + "/webhooks/hubspot",
		WebhookLinger: 20 * time.Millisecond, RetryDelays: fast, RateLimitMax: o.HubSpotRateLimit,
		Logger: o.Log.With().Str("component", "hubspot-sim").Logger(),
	})
	e.Salesforce = salesforcesim.New(salesforcesim.Config{
		OrgID: SalesforceOrg, IntegrationUserID: SalesforceIntegration,
		InstanceURL: e.SalesforceURL, LoginURL: e.SalesforceURL,
		ClientID: SalesforceClientID, ClientSecret: SalesforceSecret, RefreshTokens: []string{SalesforceRefresh},
		OutboundURL: e.BridgeURLs[0] + "/webhooks/salesforce", OutboundFields: o.OutboundFields,
		CheckboxFields:      o.SalesforceCheckboxes,
		OutboundRetryDelays: fast, Now: e.SalesforceClock.Now,
		Logger: o.Log.With().Str("component", "salesforce-sim").Logger(),
	})
	hsHandler, sfHandler := e.HubSpot.Handler(), e.Salesforce.Handler()
	if o.HubSpotMiddleware != nil {
		hsHandler = o.HubSpotMiddleware(hsHandler)
	}
	if o.SalesforceMiddleware != nil {
		sfHandler = o.SalesforceMiddleware(sfHandler)
	}
	for _, s := range []struct {
		ln net.Listener
		h  http.Handler
	}{{hsLn, hsHandler}, {sfLn, sfHandler}} {
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 5 * time.Second}
		e.servers = append(e.servers, srv)
		go func() { _ = srv.Serve(s.ln) }()
	}

	vars := map[string]string{
		"HUBFORCE_DATABASE_URL":          o.DatabaseURL,
		"HUBFORCE_HUBSPOT_CLIENT_SECRET": HubSpotClientSecret,
		"HUBFORCE_HUBSPOT_APP_ID":        fmt.Sprint(HubSpotAppID),
		"HUBFORCE_HUBSPOT_API_URL":       e.HubSpotURL,
		// The simulator serves HubSpot's app host (the authorize page) on
		// its one address.
		"HUBFORCE_HUBSPOT_APP_URL": e.HubSpotURL,
		// The simulator calls the bridge over plain HTTP and signs that URL
		// (HubSpot would call https://): the public URL says so.
		"HUBFORCE_PUBLIC_URL":               e.BridgeURLs[0],
		"HUBFORCE_SALESFORCE_ORG_ID":        SalesforceOrg,
		"HUBFORCE_SALESFORCE_LOGIN_URL":     e.SalesforceURL,
		"HUBFORCE_SALESFORCE_CLIENT_ID":     SalesforceClientID,
		"HUBFORCE_SALESFORCE_CLIENT_SECRET": SalesforceSecret,
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN": SalesforceRefresh,
		"HUBFORCE_SECRET_KEY":               "e2e-secret-key-not-for-production",
		"HUBFORCE_BATCH_LINGER":             "50ms",
		"HUBFORCE_RETRY_MAX_DELAY":          "2s",
		"HUBFORCE_SHUTDOWN_TIMEOUT":         "20s",
		"HUBFORCE_ADMIN_TOKEN":              "e2e-admin-token",
	}
	if o.HubSpotOAuth {
		vars["HUBFORCE_HUBSPOT_CLIENT_ID"] = HubSpotClientID
		vars["HUBFORCE_HUBSPOT_REFRESH_TOKEN"] = HubSpotRefresh
	} else {
		vars["HUBFORCE_HUBSPOT_ACCESS_TOKEN"] = HubSpotToken
	}
	if o.Slack {
		e.Slack = &SlackSink{}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: e.Slack, ReadHeaderTimeout: 5 * time.Second}
		e.servers = append(e.servers, srv)
		go func() { _ = srv.Serve(ln) }()
		vars["HUBFORCE_SLACK_WEBHOOK_URL"] = "http://" + ln.Addr().String() + "/services/T000/B000/e2e"
	}
	if o.Mapping != "" {
		dir, err := os.MkdirTemp("", "hubforce-e2e-mapping")
		if err != nil {
			return nil, err
		}
		e.cleanup = append(e.cleanup, func() { _ = os.RemoveAll(dir) })
		path := filepath.Join(dir, "mapping.yaml")
		if err := os.WriteFile(path, []byte(o.Mapping), 0o600); err != nil {
			return nil, err
		}
		vars["HUBFORCE_MAPPING_FILE"] = path
	}
	for k, v := range o.Env {
		vars[k] = v
	}
	e.opts, e.vars = o, vars
	if err := e.startBridges(ctx, bridgeLns); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// startBridges runs one bridge per listener with the environment's
// variables, and returns once each serves.
func (e *Env) startBridges(ctx context.Context, lns []net.Listener) error {
	c, err := config.Parse(e.vars)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.stop = cancel
	for i, ln := range lns {
		done := make(chan error, 1)
		ready := make(chan string, 1)
		e.done = append(e.done, done)
		log := e.opts.Log.With().Str("component", "bridge").Int("replica", i).Logger()
		go func() {
			done <- bridge.Run(rctx, c, bridge.Options{Listener: ln, Owner: fmt.Sprintf("replica-%d", i), Ready: ready, DryRun: e.opts.DryRun}, log)
		}()
		select {
		case <-ready:
		case err := <-done:
			return fmt.Errorf("bridge replica %d: %w", i, err)
		case <-time.After(30 * time.Second):
			return errors.New("bridge did not start within 30 s")
		}
	}
	return nil
}

// Restart stops the bridge replicas (draining, as on SIGTERM) and starts
// them again on the same addresses and store, with vars overriding their
// variables; the simulators keep running.
func (e *Env) Restart(ctx context.Context, vars map[string]string) error {
	if err := e.stopBridges(); err != nil {
		return fmt.Errorf("stopping the bridge: %w", err)
	}
	for k, v := range vars {
		e.vars[k] = v
	}
	var lns []net.Listener
	for _, u := range e.BridgeURLs {
		ln, err := net.Listen("tcp", strings.TrimPrefix(u, "http://"))
		if err != nil {
			return fmt.Errorf("listening again on %s: %w", u, err)
		}
		lns = append(lns, ln)
	}
	return e.startBridges(ctx, lns)
}

func (e *Env) stopBridges() error {
	if e.stop != nil {
		e.stop()
	}
	var errs []error
	for _, d := range e.done {
		if err := <-d; err != nil {
			errs = append(errs, err)
		}
	}
	e.done = nil
	return errors.Join(errs...)
}

// Stop shuts the bridge replicas down (draining) and then the simulators.
func (e *Env) Stop() error {
	err := e.stopBridges()
	for _, s := range e.servers {
		_ = s.Close()
	}
	e.HubSpot.Close()
	e.Salesforce.Close()
	for _, f := range e.cleanup {
		f()
	}
	return err
}

// Get fetches a bridge URL (probes, metrics) and returns status and body.
func Get(url string, header ...string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// MetricValue reads one sample from a Prometheus text page: the sum of the
// series named name whose labels contain every given label="value" pair.
func MetricValue(page, name string, labels ...string) float64 {
	var sum float64
	for _, line := range strings.Split(page, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(line, l) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
			sum += v
		}
	}
	return sum
}

var _ = server.Check{}

// Put and Post send a JSON body to a bridge URL.
func Put(url, body string, header ...string) (int, string, error) {
	return send(http.MethodPut, url, body, header)
}

func Post(url, body string, header ...string) (int, string, error) {
	return send(http.MethodPost, url, body, header)
}

func send(method, url, body string, header []string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
