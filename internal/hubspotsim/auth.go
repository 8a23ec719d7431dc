package hubspotsim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
)

// principal is who an API request authenticated as.
type principal struct {
	oauth bool
	// bucket keys the ten-secondly window: each private app has its own, and
	// OAuth tokens share the public app's.
	bucket string
	scopes []string
}

type principalKey struct{}

func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// accessToken is an issued OAuth access token.
type accessToken struct {
	expires time.Time
	scopes  []string
	// use is token_use: access_token, or client_credentials for a token of
	// the app itself (no portal, no refresh token).
	use string
}

// tokens holds issued OAuth access tokens and the accepted credentials.
type tokens struct {
	mu       sync.Mutex
	now      func() time.Time
	ttl      time.Duration
	scopes   []string
	private  map[string]int
	refresh  map[string]bool
	access   map[string]accessToken
	refusing bool
}

func newTokens(cfg Config) *tokens {
	t := &tokens{now: cfg.Now, ttl: cfg.TokenTTL, scopes: cfg.Scopes, private: map[string]int{},
		refresh: map[string]bool{}, access: map[string]accessToken{}}
	for i, tok := range cfg.PrivateAppTokens {
		t.private[tok] = i
	}
	for _, tok := range cfg.RefreshTokens {
		t.refresh[tok] = true
	}
	return t
}

// issue mints an access token. HubSpot's are opaque and may be up to 300
// characters (oauth docs); these are shorter but equally opaque.
func (t *tokens) issue(use string, scopes []string) (string, time.Duration) {
	buf := make([]byte, 48)
	_, _ = rand.Read(buf)
	tok := "CK" + base64.RawURLEncoding.EncodeToString(buf)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.access[tok] = accessToken{expires: t.now().Add(t.ttl), scopes: scopes, use: use}
	return tok, t.ttl
}

func (t *tokens) expireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	past := t.now().Add(-time.Millisecond)
	for tok, a := range t.access {
		a.expires = past
		t.access[tok] = a
	}
}

// check classifies a bearer token: ok, or the 401 HubSpot answers.
func (t *tokens) check(tok string) (principal, *APIError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.private[tok]; ok {
		return principal{bucket: fmt.Sprintf("private:%d", i), scopes: t.scopes}, nil
	}
	a, ok := t.access[tok]
	if !ok {
		return principal{}, invalidAuth()
	}
	now := t.now()
	if !now.Before(a.expires) {
		e := newErr(http.StatusUnauthorized, "EXPIRED_AUTHENTICATION",
			"The OAuth token used to make this call expired "+agoText(now.Sub(a.expires))+" ago.")
		e.Context = map[string][]string{"expire time": {isoMillis(a.expires)}}
		return principal{}, e
	}
	return principal{oauth: true, bucket: "oauth", scopes: a.scopes}, nil
}

// invalidAuth is the body observed for a missing or unknown token.
func invalidAuth() *APIError {
	return newErr(http.StatusUnauthorized, "INVALID_AUTHENTICATION",
		"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
}

// agoText renders a duration the way HubSpot's expiry message does
// ("75 second(s)", "5 minute(s)").
func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d second(s)", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d minute(s)", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d hour(s)", int(d/time.Hour))
	}
	return fmt.Sprintf("%d day(s)", int(d/(24*time.Hour)))
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			writeErr(w, invalidAuth())
			return
		}
		p, err := s.tokens.check(strings.TrimSpace(tok))
		if err != nil {
			writeErr(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// oauthError is the token endpoints' error body: RFC 6749's error and
// error_description plus HubSpot's legacy status and message (changelog
// "New OAuth v3 API Endpoints and Standardized Error Responses", whose
// example has exactly these four). The OAuth specs' default response names
// HubSpot's generic Error schema instead; the changelog is followed here.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           string `json:"status"`
	Message          string `json:"message"`
	CorrelationID    string `json:"correlationId"`
}

func writeOAuthError(w http.ResponseWriter, code, status, msg string) {
	writeJSON(w, http.StatusBadRequest, oauthError{Error: code, ErrorDescription: msg,
		Status: status, Message: msg, CorrelationID: newCorrelationID()})
}

// tokenResponse is AccessTokenResponse / ClientCredentialsTokenResponse
// (HubSpot's Auth OAuth 2026-03 spec).
type tokenResponse struct {
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token,omitempty"`
	AccessToken  string   `json:"access_token"`
	HubID        int64    `json:"hub_id,omitempty"`
	UserID       int64    `json:"user_id,omitempty"`
	Scopes       []string `json:"scopes"`
	ExpiresIn    int      `json:"expires_in"`
	TokenUse     string   `json:"token_use"`
}

// installingUser is the HubSpot user who installed the app.
const installingUser = 2202222

func (s *Server) accessResponse(refresh string) tokenResponse {
	tok, ttl := s.tokens.issue("access_token", s.cfg.Scopes)
	return tokenResponse{TokenType: "bearer", RefreshToken: refresh, AccessToken: tok, HubID: s.cfg.PortalID,
		UserID: installingUser, Scopes: s.cfg.Scopes, ExpiresIn: int(ttl / time.Second), TokenUse: "access_token"}
}

// handleTokenGrant serves POST /oauth/{version}/token (and the legacy
// /oauth/v1/token): form-encoded, every parameter in the body.
// authorization_code is in authorize.go.
func (s *Server) handleTokenGrant(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "BAD_REQUEST", "could not parse the form body")
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "authorization_code":
		s.handleAuthCodeGrant(w, r)
		return
	case "refresh_token", "client_credentials":
	default:
		writeOAuthError(w, "unsupported_grant_type", "BAD_GRANT_TYPE", "grant_type must be one of authorization_code, refresh_token, client_credentials")
		return
	}
	if !s.clientOK(w, f) {
		return
	}
	if f.Get("grant_type") == "client_credentials" {
		s.clientCredentials(w, f)
		return
	}
	if !s.tokens.refreshOK(f.Get("refresh_token")) {
		writeOAuthError(w, "invalid_grant", "BAD_REFRESH_TOKEN", "refresh token is invalid, expired or revoked")
		return
	}
	// HubSpot does not rotate refresh tokens: the same one comes back.
	writeJSON(w, http.StatusOK, s.accessResponse(f.Get("refresh_token")))
}

// clientToken reads the introspect and revoke forms: the app's client id
// and secret, checked, and the token asked about.
func (s *Server) clientToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "BAD_REQUEST", "could not parse the form body")
		return "", false
	}
	return r.PostForm.Get("token"), s.clientOK(w, r.PostForm)
}

// clientOK checks client_id and client_secret, answering the refusal.
func (s *Server) clientOK(w http.ResponseWriter, f url.Values) bool {
	switch {
	case f.Get("client_id") != s.cfg.ClientID || s.cfg.ClientID == "":
		writeOAuthError(w, "invalid_client", "BAD_CLIENT_ID", "missing or unknown client id")
		return false
	case f.Get("client_secret") != s.cfg.ClientSecret:
		writeOAuthError(w, "invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret")
		return false
	}
	return true
}

// clientCredentials issues a token of the app itself, for its developer
// APIs (webhook settings and journal: webhooks guide, "powered by a client
// credentials token"): no refresh token, no portal, token_use
// client_credentials, the requested scopes among the developer ones.
func (s *Server) clientCredentials(w http.ResponseWriter, f url.Values) {
	scopes := strings.Fields(f.Get("scope"))
	for _, sc := range scopes {
		if sc != developerScope {
			writeOAuthError(w, "invalid_scope", "BAD_SCOPE", "scope "+sc+" cannot be granted to a client credentials token")
			return
		}
	}
	tok, ttl := s.tokens.issue("client_credentials", scopes)
	writeJSON(w, http.StatusOK, tokenResponse{TokenType: "bearer", AccessToken: tok, Scopes: scopes,
		ExpiresIn: int(ttl / time.Second), TokenUse: "client_credentials"})
}

func (t *tokens) refreshOK(tok string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.refusing && t.refresh[tok]
}

// handleAccessTokenInfo serves the legacy GET /oauth/v1/access-tokens/{token}.
func (s *Server) handleAccessTokenInfo(w http.ResponseWriter, r *http.Request) {
	tok := chi.URLParam(r, "token")
	s.tokens.mu.Lock()
	a, ok := s.tokens.access[tok]
	now := s.tokens.now()
	s.tokens.mu.Unlock()
	if !ok || !now.Before(a.expires) {
		writeErr(w, newErr(http.StatusNotFound, "OBJECT_NOT_FOUND", "access token not found or expired"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token": tok, "user": "bridge@example.com", "hub_domain": "example.com", "scopes": a.scopes,
		"hub_id": s.cfg.PortalID, "app_id": s.cfg.AppID, "expires_in": int(a.expires.Sub(now) / time.Second),
		"user_id": installingUser, "token_type": "access",
	})
}

// handleIntrospect serves POST /oauth/{version}/token/introspect (client_id,
// client_secret, token, token_type_hint): PublicAccessTokenInfoResponse for
// an access token, PublicRefreshTokenInfoResponse for a refresh token
// (Auth OAuth 2026-03 spec). The spec's is_private_distribution says static
// tokens of privately distributed apps are introspected too. An unknown or
// expired token answers {"active": false}, as RFC 7662 §2.2 prescribes (the
// spec documents no other answer).
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.clientToken(w, r)
	if !ok {
		return
	}
	base := map[string]any{"active": true, "token": tok, "app_id": s.cfg.AppID, "client_id": s.cfg.ClientID,
		"hub_id": s.cfg.PortalID, "hub_domain": "example.com", "user_id": installingUser, "user": "bridge@example.com"}
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	now := s.tokens.now()
	a, isAccess := s.tokens.access[tok]
	_, isPrivate := s.tokens.private[tok]
	switch {
	case isPrivate:
		base["scopes"], base["token_type"], base["token_use"] = s.tokens.scopes, "access", "access_token"
		base["is_private_distribution"], base["expires_in"] = true, 0
	case isAccess && now.Before(a.expires) && a.use == "access_token":
		base["scopes"], base["token_type"], base["token_use"] = a.scopes, "access", a.use
		base["is_private_distribution"], base["expires_in"] = false, int(a.expires.Sub(now)/time.Second)
	case s.tokens.refresh[tok]:
		base["scopes"], base["token_type"], base["token_use"] = s.tokens.scopes, "refresh", "refresh_token"
		delete(base, "user")
	default:
		base = map[string]any{"active": false}
	}
	writeJSON(w, http.StatusOK, base)
}

// handleRevoke serves POST /oauth/{version}/token/revoke: the token (access
// or refresh) stops working. The spec documents no success body; RFC 7009
// §2.2 answers 200 with none.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.clientToken(w, r)
	if !ok {
		return
	}
	s.tokens.mu.Lock()
	delete(s.tokens.access, tok)
	delete(s.tokens.refresh, tok)
	s.tokens.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
