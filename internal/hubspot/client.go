package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/httpretry"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// DefaultAPIVersion is the date-based API version every call uses unless
// configured otherwise: the newest one verified as generally available in
// HubSpot's documents (developers.hubspot.com/docs/developer-tooling/platform/versioning:
// a version ships each March and September and is supported 18 months;
// the 2026-03 reference pages, developers.hubspot.com/docs/api-reference/2026-03/…,
// and HubSpot's published 2026-03 specs for every API used here). 2026-09
// specs are published too and work (HUBFORCE_HUBSPOT_API_VERSION=2026-09).
const DefaultAPIVersion = "2026-03"

var apiVersionRE = regexp.MustCompile(`^\d{4}-(03|09)$`)

// ValidAPIVersion reports whether v names a date-based HubSpot API version
// (YYYY-03 or YYYY-09).
func ValidAPIVersion(v string) bool { return apiVersionRE.MatchString(v) }

// ClientConfig configures a Client. Set AccessToken for a static token, or
// ClientID, ClientSecret and RefreshToken for OAuth.
type ClientConfig struct {
	BaseURL string // default DefaultBaseURL
	// APIVersion is the date-based version in every path ("2026-03");
	// default DefaultAPIVersion.
	APIVersion string
	// AccessToken is the static token of a privately distributed app (or a
	// legacy private app), sent as a Bearer.
	AccessToken string
	// ClientID, ClientSecret and RefreshToken are the OAuth app's credentials.
	// With AccessToken, ClientID and ClientSecret only serve introspection
	// and the app's webhook settings (doctor).
	ClientID, ClientSecret, RefreshToken string
	// Credentials, if set, persists rotated refresh tokens and the current
	// access token, and serialises refreshes across replicas.
	Credentials hubforce.CredentialStore
	// Policy is the retry policy of one call; zero means httpretry.DefaultPolicy.
	Policy httpretry.Policy
	Log    zerolog.Logger
	Now    func() time.Time // default time.Now
	// OnCall is told about every HTTP request sent: the endpoint pattern
	// (e.g. "POST /crm/objects/2026-03/{type}/batch/read"), the status (0 for
	// a connection error) and how long it took.
	OnCall func(route string, status int, d time.Duration)
}

// Client calls HubSpot's CRM API for the bridge: batch reads and writes,
// associations and search, within HubSpot's rate limits. It is safe for
// concurrent use; share one per HubSpot account.
type Client struct {
	base    string
	version string
	// clientID and clientSecret identify the app to the token endpoints.
	clientID, clientSecret string
	tokenHTTP              *http.Client
	http                   *retryablehttp.Client
	auth                   bearer
	limit                  *rateLimiter
	search                 *rate.Limiter
	log                    zerolog.Logger
	now                    func() time.Time
	onCall                 func(string, int, time.Duration)
}

// NewClient checks cfg and builds a client. It makes no request.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if !ValidAPIVersion(cfg.APIVersion) {
		return nil, fmt.Errorf("hubspot: API version %q is not a date-based version such as %s", cfg.APIVersion, DefaultAPIVersion)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Policy.Timeout == 0 && cfg.Policy.WaitMax == 0 {
		log := cfg.Policy.Log
		cfg.Policy = httpretry.DefaultPolicy()
		cfg.Policy.Log = log
	}
	c := &Client{base: cfg.BaseURL, version: cfg.APIVersion, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret,
		limit: newRateLimiter(), search: newSearchLimiter(defaultSearchPerSecond),
		log: cfg.Log, now: cfg.Now, onCall: cfg.OnCall}
	c.http = newHTTPClient(cfg.Policy, c)
	tr := tokenCalls{base: http.DefaultTransport.(*http.Transport).Clone(), route: c.label(routeToken), onCall: cfg.OnCall}
	c.tokenHTTP = &http.Client{Timeout: cfg.Policy.Timeout, Transport: tr}
	switch {
	case cfg.AccessToken != "":
		c.auth = staticBearer(cfg.AccessToken)
	case cfg.ClientID != "" && cfg.ClientSecret != "" && (cfg.RefreshToken != "" || cfg.Credentials != nil):
		c.auth = newOAuthBearer(cfg, c.TokenURL(), c.tokenHTTP)
	default:
		return nil, errors.New("hubspot: set AccessToken (static token) or ClientID, ClientSecret and RefreshToken (OAuth)")
	}
	return c, nil
}

// APIVersion is the date-based version the client calls.
func (c *Client) APIVersion() string { return c.version }

// label fills the client's version into a route pattern.
func (c *Client) label(route string) string { return strings.Replace(route, "{version}", c.version, 1) }

// TokenURL is the dated token endpoint, POST /oauth/{version}/token (Auth
// OAuth 2026-03 spec; changelog "v1 OAuth API Deprecation": /oauth/v1/token
// is switched off on 16 February 2027).
func (c *Client) TokenURL() string { return c.base + "/oauth/" + c.version + "/token" }

// DefaultAppURL is HubSpot's app host, where users authorise apps; accounts
// hosted in the EU use https://app-eu1.hubspot.com. It is not the API host:
// the authorize page is never derived from the API URL.
const DefaultAppURL = "https://app.hubspot.com"

// AuthorizeURL is the OAuth authorize page on HubSpot's app host appURL
// (oauth quickstart guide, "Getting OAuth 2.0 tokens":
// https://app.hubspot.com/oauth/authorize?client_id=…&scope=…&redirect_uri=…).
func AuthorizeURL(appURL string) string { return strings.TrimRight(appURL, "/") + "/oauth/authorize" }

// Scopes are the scopes the bridge needs: read and write on contacts and
// companies (scopes page, developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes),
// and oauth, which every OAuth app requests.
func Scopes() []string {
	return []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
		"crm.objects.companies.read", "crm.objects.companies.write"}
}

// BatchCall names the batch call that writes (op "create", "update",
// "upsert") or reads ("read") obj, as history and logs should show it:
// e.g. "POST /crm/objects/2026-03/contacts/batch/create".
func (c *Client) BatchCall(obj hubforce.Object, op string) string {
	return "POST " + c.objectPath(obj, "/batch/"+op)
}

// Ready is nil, or why calls to HubSpot cannot be made: an *APIError of class
// Auth when the refresh token was refused. Deliveries pause until
// SetRefreshToken; nothing is lost.
func (c *Client) Ready(ctx context.Context) error { return c.auth.ready(ctx) }

// SetRefreshToken installs new OAuth credentials (from the Connect flow),
// persists them, clears the Auth state and checks them with a refresh.
func (c *Client) SetRefreshToken(ctx context.Context, token string) error {
	return c.auth.setRefreshToken(ctx, token)
}

// Budget is what the last rate-limit headers said: requests remaining in
// the current window, the window's maximum and its length. Zeros until a
// response carried them.
func (c *Client) Budget() (remaining, max int, interval time.Duration) { return c.limit.budget() }
