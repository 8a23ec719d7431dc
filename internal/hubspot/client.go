package hubspot

import (
	"context"
	"errors"
	"net/http"
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

// ClientConfig configures a Client. Set AccessToken for a private app, or
// ClientID, ClientSecret and RefreshToken for OAuth.
type ClientConfig struct {
	BaseURL string // default DefaultBaseURL
	// AccessToken is a private-app token, sent as a static Bearer.
	AccessToken string
	// ClientID, ClientSecret and RefreshToken are the OAuth app's credentials.
	ClientID, ClientSecret, RefreshToken string
	// Credentials, if set, persists rotated refresh tokens and the current
	// access token, and serialises refreshes across replicas.
	Credentials hubforce.CredentialStore
	// Policy is the retry policy of one call; zero means httpretry.DefaultPolicy.
	Policy httpretry.Policy
	Log    zerolog.Logger
	Now    func() time.Time // default time.Now
	// OnCall is told about every HTTP request sent: the endpoint pattern
	// (e.g. "POST /crm/v3/objects/{type}/batch/read"), the status (0 for a
	// connection error) and how long it took.
	OnCall func(route string, status int, d time.Duration)
}

// Client calls HubSpot's CRM API for the bridge: batch reads and writes,
// associations and search, within HubSpot's rate limits. It is safe for
// concurrent use; share one per HubSpot account.
type Client struct {
	base   string
	http   *retryablehttp.Client
	auth   bearer
	limit  *rateLimiter
	search *rate.Limiter
	log    zerolog.Logger
	now    func() time.Time
	onCall func(string, int, time.Duration)
}

// NewClient checks cfg and builds a client. It makes no request.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Policy.Timeout == 0 && cfg.Policy.WaitMax == 0 {
		log := cfg.Policy.Log
		cfg.Policy = httpretry.DefaultPolicy()
		cfg.Policy.Log = log
	}
	c := &Client{base: cfg.BaseURL, limit: newRateLimiter(), search: newSearchLimiter(defaultSearchPerSecond),
		log: cfg.Log, now: cfg.Now, onCall: cfg.OnCall}
	c.http = newHTTPClient(cfg.Policy, c)
	switch {
	case cfg.AccessToken != "":
		c.auth = staticBearer(cfg.AccessToken)
	case cfg.ClientID != "" && cfg.ClientSecret != "" && (cfg.RefreshToken != "" || cfg.Credentials != nil):
		tr := tokenCalls{base: http.DefaultTransport.(*http.Transport).Clone(), onCall: cfg.OnCall}
		c.auth = newOAuthBearer(cfg, &http.Client{Timeout: cfg.Policy.Timeout, Transport: tr})
	default:
		return nil, errors.New("hubspot: set AccessToken (private app) or ClientID, ClientSecret and RefreshToken (OAuth)")
	}
	return c, nil
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
