package salesforce

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/httpretry"
)

// ClientConfig configures the REST client. One of three grants is used:
// JWT bearer when Username and PrivateKeyPEM are set; else the refresh
// token flow when RefreshToken is set (or will come from the store or
// SetRefreshToken: leave ClientSecret empty then, or set RefreshToken);
// else client credentials with ClientID and ClientSecret.
type ClientConfig struct {
	// LoginURL is the OAuth base; default https://login.salesforce.com.
	// The client credentials flow needs the org's My Domain URL.
	LoginURL string
	// APIVersion is the REST version, DefaultAPIVersion by default.
	APIVersion string
	// JWTAudience is the JWT bearer assertion's aud: the authorization
	// server, https://login.salesforce.com (production, the default),
	// https://test.salesforce.com (sandboxes) or an Experience Cloud site
	// URL — not the My Domain URL the assertion may be posted to
	// (help.salesforce.com "OAuth 2.0 JWT Bearer Flow for Server-to-Server
	// Integration", "Create a JWT").
	JWTAudience string

	ClientID, ClientSecret string
	// ClientCredentials selects the client credentials flow (ClientID and
	// ClientSecret alone, at the org's My Domain login URL); otherwise,
	// without Username, the refresh-token flow is used.
	ClientCredentials bool
	RefreshToken      string
	// Username and PrivateKeyPEM (PKCS#1 or PKCS#8 RSA) select the JWT
	// bearer flow; the connected app holds the matching certificate.
	Username      string
	PrivateKeyPEM []byte

	// Credentials, when set, persists the access token and instance URL
	// and serialises renewals across replicas.
	Credentials hubforce.CredentialStore
	// Policy is the transport retry policy; the zero value means
	// httpretry.DefaultPolicy(). Its Log is replaced by Log.
	Policy httpretry.Policy
	Log    zerolog.Logger
	// Now is the clock for JWT exp and credential timestamps; default
	// time.Now.
	Now func() time.Time
	// OnCall is told of every HTTP exchange: a route pattern such as
	// "PATCH /composite/sobjects" (never an id), the status (0 without an
	// answer) and the time it took, retries included.
	OnCall func(route string, status int, d time.Duration)
}

// Client calls Salesforce's REST API for the delivery engine. It is safe
// for concurrent use.
type Client struct {
	cfg    ClientConfig
	http   *retryablehttp.Client
	auth   *tokens
	limits *limits
	base   string // "/services/data/v68.0"
}

// DefaultAPIVersion is the newest generally available REST version: v68.0,
// Winter '27 (developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/soql-sosl-pdf-archive.html
// lists 68.0 as released; REST API Developer Guide, "Versions").
const DefaultAPIVersion = "v68.0"

// DefaultJWTAudience is the JWT bearer aud of a production org.
const DefaultJWTAudience = "https://login.salesforce.com"

var versionRE = regexp.MustCompile(`^v\d+\.\d$`)

// NewClient checks cfg and builds a client. It makes no call: the first
// grant happens on the first request or Ready.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.LoginURL == "" {
		cfg.LoginURL = "https://login.salesforce.com"
	}
	cfg.LoginURL = strings.TrimRight(cfg.LoginURL, "/")
	if u, err := url.Parse(cfg.LoginURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("salesforce: LoginURL %q is not an http(s) URL", cfg.LoginURL)
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if !versionRE.MatchString(cfg.APIVersion) {
		return nil, fmt.Errorf("salesforce: APIVersion %q is not like %s", cfg.APIVersion, DefaultAPIVersion)
	}
	if cfg.JWTAudience == "" {
		cfg.JWTAudience = DefaultJWTAudience
	}
	if cfg.ClientID == "" {
		return nil, errors.New("salesforce: ClientID (the connected app's consumer key) is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Policy.Timeout == 0 && cfg.Policy.WaitMax == 0 {
		cfg.Policy = httpretry.DefaultPolicy()
	}
	cfg.Policy.Log = cfg.Log

	c := &Client{cfg: cfg, base: "/services/data/" + cfg.APIVersion}
	c.http = httpretry.New(cfg.Policy)
	c.http.CheckRetry = createAware(c.http.CheckRetry)
	c.limits = &limits{onSpent: func(spent bool) {
		if spent {
			cfg.Log.Warn().Msg("salesforce: daily API allocation spent; deliveries pause")
		} else {
			cfg.Log.Info().Msg("salesforce: daily API allocation available again")
		}
	}}

	tokenHTTP := &http.Client{Transport: &hookTransport{
		next: httpretry.New(cfg.Policy).StandardClient().Transport, route: "POST /services/oauth2/token", onCall: cfg.OnCall,
	}}
	// The grants' long-lived context: never a request's (x/oauth2 keeps
	// it), and carrying the retrying client.
	gctx := context.WithValue(context.Background(), oauth2.HTTPClient, tokenHTTP)
	tokenURL := cfg.LoginURL + "/services/oauth2/token"
	var src oauth2.TokenSource
	var refresh *refreshSource
	switch {
	case cfg.Username != "" || len(cfg.PrivateKeyPEM) > 0:
		key, err := parseKey(cfg.Username, cfg.PrivateKeyPEM)
		if err != nil {
			return nil, err
		}
		src = &jwtSource{ctx: gctx, client: tokenHTTP, tokenURL: tokenURL, aud: strings.TrimRight(cfg.JWTAudience, "/"),
			clientID: cfg.ClientID, username: cfg.Username, key: key, now: cfg.Now}
	case !cfg.ClientCredentials:
		// The refresh-token flow, also without a refresh token yet: one
		// comes from the store or the Connect flow (SetRefreshToken).
		refresh = &refreshSource{ctx: gctx, rt: cfg.RefreshToken, conf: &oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			// Salesforce's examples send client_id/secret in the body.
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		}}
		src = refresh
	default:
		src = &clientCredentialsSource{ctx: gctx, client: tokenHTTP, tokenURL: tokenURL,
			clientID: cfg.ClientID, clientSecret: cfg.ClientSecret}
	}
	c.auth = newTokens(src, refresh, cfg.Credentials, cfg.Now, cfg.Log)
	return c, nil
}

func parseKey(username string, pemBytes []byte) (*rsa.PrivateKey, error) {
	if username == "" || len(pemBytes) == 0 {
		return nil, errors.New("salesforce: the JWT bearer flow needs both Username and PrivateKeyPEM")
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("salesforce: PrivateKeyPEM: %w", err)
	}
	return key, nil
}

// IntegrationUserID returns the id of the user the bridge calls as, from
// the token response's identity URL (…/id/{orgId}/{userId}); Salesforce
// records it as LastModifiedById on the bridge's writes.
func (c *Client) IntegrationUserID(ctx context.Context) (string, error) {
	idURL, err := c.auth.identity(ctx)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(idURL)
	if err == nil {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if n := len(parts); n >= 3 && parts[n-3] == "id" && strings.HasPrefix(parts[n-1], "005") {
			return parts[n-1], nil
		}
	}
	return "", &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent,
		Message: fmt.Sprintf("identity URL %q does not end in /id/{orgId}/{userId}", idURL)}
}

// Ready returns nil when calls can be made, or why not: a refused grant
// (class Auth; deliveries pause until SetRefreshToken or newer stored
// credentials) or a spent daily allocation (class Budget; checked again
// with GET /limits at most once a minute).
func (c *Client) Ready(ctx context.Context) error {
	if _, err := c.auth.current(ctx); err != nil {
		return err
	}
	spent, probe := c.limits.spentErr(c.cfg.Now())
	if spent == nil {
		return nil
	}
	if !probe {
		return spent
	}
	// "List Organization Limits" (resources_limits.htm); any answer that
	// is not a refusal clears the spent state in do.
	return c.do(ctx, call{method: http.MethodGet, route: "GET /limits", path: c.base + "/limits"}, nil)
}

// SetRefreshToken installs fresh refresh token credentials, proves them
// with a grant, and clears the Auth state.
func (c *Client) SetRefreshToken(ctx context.Context, token string) error {
	if token == "" {
		return errors.New("salesforce: empty refresh token")
	}
	return c.auth.setRefreshToken(ctx, token)
}

// Usage returns the org's daily API usage as of the last response
// (Sforce-Limit-Info: api-usage=used/limit); 0, 0 before any.
func (c *Client) Usage() (used, limit int) { return c.limits.usage() }

// RefreshUsage makes one cheap call (GET /limits) so that Usage is current
// while deliveries are held back by the budget and make no calls of their
// own.
func (c *Client) RefreshUsage(ctx context.Context) error {
	return c.do(ctx, call{method: http.MethodGet, route: "GET /limits", path: c.base + "/limits"}, nil)
}
