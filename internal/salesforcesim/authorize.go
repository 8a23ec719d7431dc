// The web server flow (Salesforce Help, "OAuth 2.0 Web Server Flow for Web
// App Integration", remoteaccess_oauth_web_server_flow.htm): the
// authorization endpoint with its approval page, authorization codes, and
// the authorization_code grant that returns a refresh token.

package salesforcesim

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Consent is what the simulated user answers on the approval page.
type Consent int

const (
	// ConsentAsk shows the approval page (the default).
	ConsentAsk Consent = iota
	// ConsentAllow approves at once, as a user who approved before.
	ConsentAllow
	// ConsentDeny refuses at once, as if the user clicked Deny.
	ConsentDeny
)

// authCodeTTL: Salesforce's authorization code is valid for 15 minutes
// (web server flow page).
const authCodeTTL = 15 * time.Minute

// appScopes are the OAuth scopes selected on the simulated connected app;
// a request without scope gets all of them. refresh_token (or
// offline_access) is what makes the token response carry a refresh token.
var appScopes = []string{"api", "refresh_token", "offline_access"}

type authGrant struct {
	redirectURI string
	scopes      []string
	expires     time.Time
}

type authCodes struct {
	mu        sync.Mutex
	consent   Consent
	redirects []string // the connected app's callback URLs; empty accepts any http(s) URL
	codes     map[string]authGrant
	refresh   map[string]bool // refresh tokens issued by the web server flow
}

func newAuthCodes() *authCodes {
	return &authCodes{codes: map[string]authGrant{}, refresh: map[string]bool{}}
}

// SetConsent decides how the authorization endpoint answers from now on.
func (s *Server) SetConsent(c Consent) {
	s.authz.mu.Lock()
	s.authz.consent = c
	s.authz.mu.Unlock()
}

// SetRedirectURIs sets the connected app's callback URLs; none (the
// default) accepts any http(s) URL.
func (s *Server) SetRedirectURIs(uris ...string) {
	s.authz.mu.Lock()
	s.authz.redirects = slices.Clone(uris)
	s.authz.mu.Unlock()
}

// handleAuthorize serves GET /services/oauth2/authorize?response_type=code
// &client_id&redirect_uri[&scope][&state]. An unknown client or callback
// URL is shown on Salesforce's page (the redirect cannot be trusted);
// everything else goes back to redirect_uri as code&state or
// error&error_description&state. `decision=allow|deny` is the approval
// form's answer, `auto=1` the simulator's shortcut for Allow.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, state := q.Get("redirect_uri"), q.Get("state")
	s.authz.mu.Lock()
	consent, registered := s.authz.consent, slices.Clone(s.authz.redirects)
	s.authz.mu.Unlock()
	if q.Get("client_id") != s.cfg.ClientID {
		approvalPage(w, http.StatusBadRequest, "error=invalid_client_id&error_description=client identifier invalid", nil)
		return
	}
	if !redirectOK(redirect, registered) {
		// petewarden/salesforce_restphp_example#1 shows this pair.
		approvalPage(w, http.StatusBadRequest, "error=redirect_uri_mismatch&error_description=redirect_uri must match configuration", nil)
		return
	}
	fail := func(code, desc string) {
		http.Redirect(w, r, withParams(redirect, url.Values{"error": {code}, "error_description": {desc}}, state), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		scopes = appScopes
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response type not supported")
		return
	case slices.ContainsFunc(scopes, func(sc string) bool { return !slices.Contains(appScopes, sc) }):
		fail("invalid_scope", "the requested scope is not allowed")
		return
	}
	decision := q.Get("decision")
	if decision == "" && q.Get("auto") == "1" {
		decision = "allow"
	}
	if decision == "" && consent != ConsentAsk {
		decision = map[Consent]string{ConsentAllow: "allow", ConsentDeny: "deny"}[consent]
	}
	switch decision {
	case "allow":
		code := "aPrx" + randomToken()[:60]
		s.authz.mu.Lock()
		s.authz.codes[code] = authGrant{redirectURI: redirect, scopes: scopes, expires: s.cfg.Now().Add(authCodeTTL)}
		s.authz.mu.Unlock()
		http.Redirect(w, r, withParams(redirect, url.Values{"code": {code}}, state), http.StatusFound)
	case "deny":
		fail("access_denied", "end-user denied authorization")
	default:
		approvalPage(w, http.StatusOK, "", q)
	}
}

func redirectOK(redirect string, registered []string) bool {
	u, err := url.Parse(redirect)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
		return false
	}
	return len(registered) == 0 || slices.Contains(registered, redirect)
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

var approvalTmpl = template.Must(template.New("approve").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Salesforce (simulated)</title></head><body>
{{if .Error}}<h1>Remote Access Error</h1><p>{{.Error}}</p>{{else}}
<h1>Allow Access?</h1><p>The app is asking to: {{.Scope}}</p>
<p><a id="allow" href="{{.Allow}}">Allow</a> <a id="deny" href="{{.Deny}}">Deny</a></p>{{end}}
</body></html>`))

func approvalPage(w http.ResponseWriter, status int, errMsg string, q url.Values) {
	data := struct{ Error, Scope, Allow, Deny string }{Error: errMsg}
	if q != nil {
		link := func(d string) string {
			v := url.Values{}
			for k, vs := range q {
				if k != "decision" && k != "auto" {
					v[k] = slices.Clone(vs)
				}
			}
			v.Set("decision", d)
			return "/services/oauth2/authorize?" + v.Encode()
		}
		data.Scope, data.Allow, data.Deny = q.Get("scope"), link("allow"), link("deny")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = approvalTmpl.Execute(w, data)
}

// codeTokenResponse is the web server flow's answer: the usual fields plus
// refresh_token when the granted scopes allow one.
type codeTokenResponse struct {
	tokenResponse
	RefreshToken string `json:"refresh_token,omitempty"`
}

// handleTokenGrant dispatches POST /services/oauth2/token: the
// authorization_code grant, and the refresh grant for refresh tokens it
// issued, are answered here; the rest goes to handleToken.
func (s *Server) handleTokenGrant(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.handleToken(w, r)
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") == "authorization_code":
		s.exchangeCode(w, r)
	case f.Get("grant_type") == "refresh_token" && s.issuedRefresh(f.Get("refresh_token")):
		if e := s.checkClient(r, false); e != nil {
			s.refuse(w, e)
			return
		}
		s.mu.Lock()
		refused := s.refuseRefresh
		s.mu.Unlock()
		if refused {
			s.refuse(w, &oauthError{"invalid_grant", "expired access/refresh token"})
			return
		}
		writeJSON(w, http.StatusOK, s.issue())
	default:
		s.handleToken(w, r)
	}
}

func (s *Server) issuedRefresh(tok string) bool {
	s.authz.mu.Lock()
	defer s.authz.mu.Unlock()
	return s.authz.refresh[tok]
}

func (s *Server) refuse(w http.ResponseWriter, e *oauthError) {
	s.cfg.Logger.Info().Str("oauth_error", e.Error).Str("description", e.Description).Msg("salesforcesim: token request refused")
	writeJSON(w, http.StatusBadRequest, e)
}

// exchangeCode runs grant_type=authorization_code: client_id, client_secret
// (the connected app's "Require Secret for Web Server Flow" is on by
// default), the code, and the redirect_uri it was issued for.
func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request) {
	if e := s.checkClient(r, true); e != nil {
		s.refuse(w, e)
		return
	}
	code := r.PostForm.Get("code")
	s.authz.mu.Lock()
	g, ok := s.authz.codes[code]
	delete(s.authz.codes, code) // single use, even when refused below
	s.authz.mu.Unlock()
	switch {
	case !ok:
		s.refuse(w, &oauthError{"invalid_grant", "invalid authorization code"})
		return
	case !s.cfg.Now().Before(g.expires):
		s.refuse(w, &oauthError{"invalid_grant", "expired authorization code"})
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		s.refuse(w, &oauthError{"redirect_uri_mismatch", "redirect_uri must match configuration"})
		return
	}
	resp := codeTokenResponse{tokenResponse: s.issue()}
	resp.Scope = strings.Join(g.scopes, " ")
	if slices.Contains(g.scopes, "refresh_token") || slices.Contains(g.scopes, "offline_access") {
		// Salesforce refresh tokens start 5Aep (documented examples).
		b := make([]byte, 48)
		_, _ = rand.Read(b)
		resp.RefreshToken = "5Aep" + base64.RawURLEncoding.EncodeToString(b)
		s.authz.mu.Lock()
		s.authz.refresh[resp.RefreshToken] = true
		s.authz.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, resp)
}
