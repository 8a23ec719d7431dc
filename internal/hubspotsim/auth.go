package hubspotsim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
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
}

type principalKey struct{}

func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// tokens holds issued OAuth access tokens and the accepted credentials.
type tokens struct {
	mu       sync.Mutex
	now      func() time.Time
	ttl      time.Duration
	private  map[string]int
	refresh  map[string]bool
	access   map[string]time.Time // token → expiry
	refusing bool
}

func newTokens(cfg Config) *tokens {
	t := &tokens{now: cfg.Now, ttl: cfg.TokenTTL, private: map[string]int{},
		refresh: map[string]bool{}, access: map[string]time.Time{}}
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
func (t *tokens) issue() (string, time.Duration) {
	buf := make([]byte, 48)
	_, _ = rand.Read(buf)
	tok := "CK" + base64.RawURLEncoding.EncodeToString(buf)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.access[tok] = t.now().Add(t.ttl)
	return tok, t.ttl
}

func (t *tokens) expireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	past := t.now().Add(-time.Millisecond)
	for tok := range t.access {
		t.access[tok] = past
	}
}

// check classifies a bearer token: ok, or the 401 HubSpot answers.
func (t *tokens) check(tok string) (principal, *APIError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.private[tok]; ok {
		return principal{bucket: fmt.Sprintf("private:%d", i)}, nil
	}
	exp, ok := t.access[tok]
	if !ok {
		return principal{}, invalidAuth()
	}
	now := t.now()
	if !now.Before(exp) {
		e := newErr(http.StatusUnauthorized, "EXPIRED_AUTHENTICATION",
			"The OAuth token used to make this call expired "+agoText(now.Sub(exp))+" ago.")
		e.Context = map[string][]string{"expire time": {isoMillis(exp)}}
		return principal{}, e
	}
	return principal{oauth: true, bucket: "oauth"}, nil
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

// oauthError is the token endpoint's error body: the OAuth fields plus
// HubSpot's status/message (tokenErrorExample in the oauth docs).
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           string `json:"status"`
	Message          string `json:"message"`
	CorrelationID    string `json:"correlationId"`
}

type tokenResponse struct {
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token"`
	AccessToken  string   `json:"access_token"`
	HubID        int64    `json:"hub_id"`
	Scopes       []string `json:"scopes"`
	ExpiresIn    int      `json:"expires_in"`
}

var bridgeScopes = []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
	"crm.objects.companies.read", "crm.objects.companies.write"}

// handleToken serves POST /oauth/v1/token for grant_type=refresh_token.
// HubSpot does not rotate refresh tokens: the same one comes back.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	fail := func(code, status, msg string) {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: code, ErrorDescription: msg,
			Status: status, Message: msg, CorrelationID: newCorrelationID()})
	}
	if err := r.ParseForm(); err != nil {
		fail("invalid_request", "BAD_REQUEST", "could not parse the form body")
		return
	}
	switch {
	case r.PostForm.Get("grant_type") != "refresh_token":
		fail("unsupported_grant_type", "BAD_GRANT_TYPE", "grant_type must be one of authorization_code, refresh_token")
	case r.PostForm.Get("client_id") != s.cfg.ClientID:
		fail("invalid_client", "BAD_CLIENT_ID", "missing or unknown client id")
	case r.PostForm.Get("client_secret") != s.cfg.ClientSecret:
		fail("invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret")
	case !s.tokens.refreshOK(r.PostForm.Get("refresh_token")):
		fail("invalid_grant", "BAD_REFRESH_TOKEN", "refresh token is invalid, expired or revoked")
	default:
		tok, ttl := s.tokens.issue()
		writeJSON(w, http.StatusOK, tokenResponse{TokenType: "bearer", RefreshToken: r.PostForm.Get("refresh_token"),
			AccessToken: tok, HubID: s.cfg.PortalID, Scopes: bridgeScopes, ExpiresIn: int(ttl / time.Second)})
	}
}

func (t *tokens) refreshOK(tok string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.refusing && t.refresh[tok]
}

// handleIntrospect serves GET /oauth/v1/access-tokens/{token}.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	tok := chi.URLParam(r, "token")
	s.tokens.mu.Lock()
	exp, ok := s.tokens.access[tok]
	now := s.tokens.now()
	s.tokens.mu.Unlock()
	if !ok || !now.Before(exp) {
		writeErr(w, newErr(http.StatusNotFound, "OBJECT_NOT_FOUND", "access token not found or expired"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token": tok, "user": "bridge@example.com", "hub_domain": "example.com", "scopes": bridgeScopes,
		"hub_id": s.cfg.PortalID, "app_id": s.cfg.AppID, "expires_in": int(exp.Sub(now) / time.Second),
		"user_id": 2202222, "token_type": "access",
	})
}
