// Package connect runs the OAuth authorization-code "Connect" flow that
// gives the bridge (new) credentials for HubSpot or Salesforce (SPEC §2,
// §3.7): an authenticated operator opens GET /connect/{side}, approves the
// app at the provider, and the provider's redirect to
// /connect/{side}/callback brings a code that is exchanged for a refresh
// token and handed to the side's client, which stores it encrypted and
// lifts the Auth pause. CredentialsHandler does the same for an operator
// who already holds a refresh token.
//
// CSRF (RFC 6749 §10.12): the state sent to the provider is an
// HMAC-signed, expiring value that carries a hash of a random nonce kept in
// an HttpOnly cookie scoped to the callback path; the callback accepts only
// a state whose signature, expiry, side and cookie all check out. Codes,
// states and tokens never reach a log line.
package connect

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
)

// DefaultStateTTL is how long an operator has between starting the flow
// and coming back with the code.
const DefaultStateTTL = 10 * time.Minute

// Side is one provider the bridge can be connected to.
type Side struct {
	Name hubforce.Side
	// AuthorizeURL is the provider's authorization endpoint
	// (https://app.hubspot.com/oauth/authorize,
	// https://login.salesforce.com/services/oauth2/authorize); TokenURL its
	// token endpoint (https://api.hubapi.com/oauth/2026-03/token,
	// https://login.salesforce.com/services/oauth2/token).
	AuthorizeURL, TokenURL string
	ClientID, ClientSecret string
	// Scopes are requested space-separated. HubSpot needs the app's
	// required scopes; Salesforce needs refresh_token (or offline_access)
	// to return a refresh token.
	Scopes []string
	// Apply installs the new refresh token: hubspot.Client.SetRefreshToken
	// or salesforce.Client.SetRefreshToken.
	Apply func(ctx context.Context, refreshToken string) error
}

// Config configures Handler.
type Config struct {
	Sides []Side
	// PublicURL is HUBFORCE_PUBLIC_URL; the redirect_uri is PublicURL +
	// the callback's path. Empty: scheme and Host of the request (never
	// X-Forwarded-*, which any client can send). The provider compares
	// redirect_uri with the app's registered one, so behind a proxy set it.
	PublicURL string
	// Authorize guards the start of the flow (the admin bearer/cookie
	// check). The callback is not behind it: the state and cookie protect
	// it. Nil refuses every start (fail closed).
	Authorize func(http.Handler) http.Handler
	// Key signs states (StateKey derives one from HUBFORCE_SECRET_KEY).
	// Replicas must share it: the callback may reach another replica.
	// Shorter than 16 bytes refuses every start.
	Key []byte
	// StateTTL bounds a flow; default DefaultStateTTL.
	StateTTL time.Duration
	// HTTPClient makes the token exchange; default a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	Now        func() time.Time // default time.Now
	Log        zerolog.Logger
}

type handler struct {
	cfg   Config
	sides map[hubforce.Side]Side
}

// Handler serves GET /{side} (start; behind cfg.Authorize) and GET
// /{side}/callback, to be mounted at /connect.
func Handler(cfg Config) http.Handler {
	if cfg.StateTTL <= 0 {
		cfg.StateTTL = DefaultStateTTL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &handler{cfg: cfg, sides: map[hubforce.Side]Side{}}
	for _, s := range cfg.Sides {
		if s.Apply == nil || s.ClientID == "" || s.AuthorizeURL == "" || s.TokenURL == "" {
			cfg.Log.Error().Str("side", string(s.Name)).Msg("connect: side lacks ClientID, AuthorizeURL, TokenURL or Apply; not offered")
			continue
		}
		h.sides[s.Name] = s
	}
	guard := cfg.Authorize
	if guard == nil {
		guard = func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				page(w, http.StatusForbidden, "Connect is unavailable", "Operator authentication is not configured, so the Connect flow cannot be started.")
			})
		}
	}
	r := chi.NewRouter()
	r.With(guard).Get("/{side}", h.start)
	r.Get("/{side}/callback", h.callback)
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		page(w, http.StatusNotFound, "Not found", "Connect knows /connect/hubspot and /connect/salesforce.")
	})
	return r
}

// side finds the configured side named in the path, or answers 404.
func (h *handler) side(w http.ResponseWriter, r *http.Request) (Side, bool) {
	s, ok := h.sides[hubforce.Side(chi.URLParam(r, "side"))]
	if !ok {
		page(w, http.StatusNotFound, "Unknown connection", "There is no connection named "+chi.URLParam(r, "side")+
			" (configured: hubspot and salesforce when their OAuth app credentials are set).")
	}
	return s, ok
}

// DisplayName is how pages name a side.
func DisplayName(s hubforce.Side) string {
	switch s {
	case hubforce.HubSpot:
		return "HubSpot"
	case hubforce.Salesforce:
		return "Salesforce"
	}
	return string(s)
}
