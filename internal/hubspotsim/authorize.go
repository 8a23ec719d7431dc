// The app-install half of HubSpot OAuth: the consent page, authorization
// codes and the authorization_code grant that turns one into tokens.
// developers.hubspot.com/docs/api/oauth-quickstart-guide ("Getting OAuth
// 2.0 tokens") and /docs/api/working-with-oauth (query parameters).

package hubspotsim

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Consent is what the simulated user answers on the consent page.
type Consent int

const (
	// ConsentAsk shows the consent page (the default): a person, or a test
	// following its Allow link, decides.
	ConsentAsk Consent = iota
	// ConsentAllow grants at once, as if the user clicked Allow.
	ConsentAllow
	// ConsentDeny refuses at once, as if the user clicked Deny.
	ConsentDeny
)

// authCodeTTL: HubSpot documents no lifetime for authorization codes; RFC
// 6749 §4.1.2 recommends at most 10 minutes.
const authCodeTTL = 10 * time.Minute

type authGrant struct {
	clientID, redirectURI string
	expires               time.Time
}

// authCodes holds the codes handed out and not yet exchanged.
type authCodes struct {
	mu        sync.Mutex
	consent   Consent
	redirects []string // registered redirect URLs; empty accepts any http(s) URL
	codes     map[string]authGrant
}

func newAuthCodes() *authCodes { return &authCodes{codes: map[string]authGrant{}} }

// SetConsent decides how GET /oauth/authorize answers from now on.
func (s *Server) SetConsent(c Consent) {
	s.authz.mu.Lock()
	s.authz.consent = c
	s.authz.mu.Unlock()
}

// SetRedirectURIs registers the app's redirect URLs; an authorization
// request naming another one gets HubSpot's error page. None registered
// (the default) accepts any http(s) URL.
func (s *Server) SetRedirectURIs(uris ...string) {
	s.authz.mu.Lock()
	s.authz.redirects = slices.Clone(uris)
	s.authz.mu.Unlock()
}

// handleAuthorize serves GET /oauth/authorize?client_id&redirect_uri&scope
// [&optional_scope][&state]. Problems with the app itself (client id,
// redirect URL, scopes) are shown on HubSpot's page, since the redirect URL
// cannot be trusted; the user's answer goes back to redirect_uri with code
// and state. `decision=allow|deny` is the consent form's answer and
// `auto=1` the simulator's shortcut for Allow.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	s.authz.mu.Lock()
	consent, registered := s.authz.consent, slices.Clone(s.authz.redirects)
	s.authz.mu.Unlock()
	switch {
	case q.Get("client_id") == "" || q.Get("client_id") != s.cfg.ClientID:
		authPage(w, http.StatusBadRequest, "Authorization failed: the client_id does not belong to a known app.", nil)
		return
	case !redirectOK(redirect, registered):
		// Wording observed on HubSpot's page (HubSpot/oauth-quickstart-python#3).
		authPage(w, http.StatusBadRequest, "Authorization failed as the redirect URL '"+redirect+
			"' doesn't match the app's registered redirect URL", nil)
		return
	case !scopesOK(q.Get("scope"), s.cfg.Scopes):
		authPage(w, http.StatusBadRequest, "Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes.", nil)
		return
	}
	decision := q.Get("decision")
	if decision == "" && q.Get("auto") == "1" {
		decision = "allow"
	}
	if decision == "" {
		switch consent {
		case ConsentAllow:
			decision = "allow"
		case ConsentDeny:
			decision = "deny"
		}
	}
	switch decision {
	case "allow":
		code := uuid.NewString()
		s.authz.mu.Lock()
		s.authz.codes[code] = authGrant{clientID: s.cfg.ClientID, redirectURI: redirect, expires: s.cfg.Now().Add(authCodeTTL)}
		s.authz.mu.Unlock()
		http.Redirect(w, r, withParams(redirect, url.Values{"code": {code}}, q.Get("state")), http.StatusFound)
	case "deny":
		// HubSpot does not document the denial redirect; RFC 6749 §4.1.2.1.
		http.Redirect(w, r, withParams(redirect, url.Values{"error": {"access_denied"},
			"error_description": {"The user denied access to the app."}}, q.Get("state")), http.StatusFound)
	default:
		authPage(w, http.StatusOK, "", q)
	}
}

func redirectOK(redirect string, registered []string) bool {
	u, err := url.Parse(redirect)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
		return false
	}
	return len(registered) == 0 || slices.Contains(registered, redirect)
}

// scopesOK: scope is required, space-separated, and must be among the
// app's configured scopes.
func scopesOK(scope string, app []string) bool {
	fields := strings.Fields(scope)
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		if !slices.Contains(app, f) {
			return false
		}
	}
	return true
}

func withParams(redirect string, params url.Values, state string) string {
	u, _ := url.Parse(redirect) // checked by redirectOK
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

var authTmpl = template.Must(template.New("authorize").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>HubSpot (simulated)</title></head><body>
{{if .Error}}<h1>Something went wrong</h1><p>{{.Error}}</p>{{else}}
<h1>Connect app to HubSpot account {{.Portal}}</h1>
<p>The app requests: {{.Scope}}</p>
<form method="get" action="/oauth/authorize">{{range $k, $vs := .Query}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></form>
<p><a id="allow" href="{{.AllowURL}}">Allow</a></p>{{end}}
</body></html>`))

// authPage renders the consent page for q, or errMsg.
func authPage(w http.ResponseWriter, status int, errMsg string, q url.Values) {
	data := struct {
		Error, Scope, AllowURL string
		Portal                 int64
		Query                  url.Values
	}{Error: errMsg}
	if q != nil {
		allow := url.Values{}
		for k, v := range q {
			if k != "decision" && k != "auto" {
				allow[k] = v
			}
		}
		data.Query = allow
		data.Scope = q.Get("scope")
		allow = cloneValues(allow)
		allow.Set("decision", "allow")
		data.AllowURL = "/oauth/authorize?" + allow.Encode()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = authTmpl.Execute(w, data)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// handleAuthCodeGrant answers grant_type=authorization_code (client_id,
// client_secret, redirect_uri, code; the form is parsed) like the refresh
// grant, with a new refresh token.
func (s *Server) handleAuthCodeGrant(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if !s.clientOK(w, f) {
		return
	}
	s.authz.mu.Lock()
	g, ok := s.authz.codes[f.Get("code")]
	delete(s.authz.codes, f.Get("code")) // single use, even when refused below
	s.authz.mu.Unlock()
	switch {
	case !ok || g.clientID != f.Get("client_id") || !s.cfg.Now().Before(g.expires):
		// Observed wording (HGData/mk-node-hubspot#87).
		writeOAuthError(w, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code")
		return
	case f.Get("redirect_uri") != g.redirectURI:
		// RFC 6749 §4.1.3 requires the same redirect_uri; HubSpot's status
		// name for it follows its BAD_* pattern (not documented).
		writeOAuthError(w, "invalid_grant", "BAD_REDIRECT_URI", "redirect_uri does not match the one the code was issued for")
		return
	}
	// HubSpot refresh tokens are UUID-shaped (oauth docs' example).
	refresh := uuid.NewString()
	s.tokens.mu.Lock()
	s.tokens.refresh[refresh] = true
	s.tokens.mu.Unlock()
	writeJSON(w, http.StatusOK, s.accessResponse(refresh))
}
