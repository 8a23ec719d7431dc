package connect

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/hubforce/hubforce"
)

// applyTimeout bounds Apply, which stores the token and proves it with a
// refresh; it runs detached from the browser's request so that a closed
// tab does not cut it in half.
const applyTimeout = time.Minute

func cookieName(side hubforce.Side) string { return "hubforce_connect_" + string(side) }

// oauthConfig is the side's x/oauth2 configuration for one redirect URL.
// Both providers document client_id and client_secret in the form body.
func oauthConfig(s Side, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: s.ClientID, ClientSecret: s.ClientSecret, RedirectURL: redirect, Scopes: s.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: s.AuthorizeURL, TokenURL: s.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
}

// start serves GET /connect/{side}: a fresh nonce in a cookie scoped to
// the callback, and a 302 to the provider with a state bound to it.
func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	s, ok := h.side(w, r)
	if !ok {
		return
	}
	name := DisplayName(s.Name)
	if len(h.cfg.Key) < 16 {
		h.cfg.Log.Error().Str("side", string(s.Name)).Msg("connect: no state key (HUBFORCE_SECRET_KEY unset); refusing to start")
		page(w, http.StatusServiceUnavailable, "Connect is unavailable", "Set HUBFORCE_SECRET_KEY: it signs the Connect flow's state and encrypts the stored credentials.")
		return
	}
	nonce, err := newNonce()
	if err != nil {
		h.cfg.Log.Error().Err(err).Msg("connect: could not start")
		page(w, http.StatusInternalServerError, "Connect failed", "Could not start the Connect flow: "+err.Error())
		return
	}
	redirect := h.publicURL(r, strings.TrimSuffix(requestPath(r), "/")+"/callback")
	exp := h.cfg.Now().Add(h.cfg.StateTTL)
	http.SetCookie(w, h.cookie(s.Name, redirect, nonce, int(h.cfg.StateTTL/time.Second)))
	h.cfg.Log.Info().Str("side", string(s.Name)).Str("redirect_uri", redirect).Msg("connect: sending the operator to " + name)
	http.Redirect(w, r, oauthConfig(s, redirect).AuthCodeURL(signState(h.cfg.Key, s.Name, exp, nonce)), http.StatusFound)
}

// cookie binds the flow to this browser. SameSite=Lax, not Strict: the
// callback is a top-level navigation coming from the provider's site, and
// Strict cookies are not sent on it.
func (h *handler) cookie(side hubforce.Side, redirect, value string, maxAge int) *http.Cookie {
	path, secure := "/", false
	if u, err := url.Parse(redirect); err == nil {
		path, secure = u.EscapedPath(), u.Scheme == "https"
	}
	return &http.Cookie{Name: cookieName(side), Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// callback serves GET /connect/{side}/callback?code&state (or
// ?error&error_description&state).
func (h *handler) callback(w http.ResponseWriter, r *http.Request) {
	s, ok := h.side(w, r)
	if !ok {
		return
	}
	name := DisplayName(s.Name)
	redirect := h.publicURL(r, requestPath(r))
	log := h.cfg.Log.With().Str("side", string(s.Name)).Logger()
	q := r.URL.Query()
	var nonce string
	if c, err := r.Cookie(cookieName(s.Name)); err == nil {
		nonce = c.Value
	}
	// The nonce is spent whatever happens next: a new attempt starts over.
	http.SetCookie(w, h.cookie(s.Name, redirect, "", -1))
	restart := " Start again at " + strings.TrimSuffix(requestPath(r), "/callback") + "."
	if err := verifyState(h.cfg.Key, q.Get("state"), s.Name, h.cfg.Now(), nonce); err != nil {
		log.Warn().Str("reason", err.Error()).Bool("cookie", nonce != "").Msg("connect: callback refused")
		msg := err.Error() + "."
		switch {
		case errors.Is(err, errStateCookie) && nonce == "":
			msg = "This browser holds no Connect flow for " + name + " (the cookie is missing: the flow was started in another browser or at another address than the bridge's public URL, or cookies are blocked)."
		case errors.Is(err, errStateExpired):
			msg = "The Connect flow expired: it must be finished within " + h.cfg.StateTTL.String() + "."
		}
		page(w, http.StatusBadRequest, name+" was not connected", msg+restart)
		return
	}
	if e := q.Get("error"); e != "" {
		log.Warn().Str("oauth_error", e).Str("description", q.Get("error_description")).Msg("connect: provider refused authorization")
		page(w, http.StatusBadRequest, name+" was not connected", name+" did not grant access: "+e+
			describe(q.Get("error_description"))+"."+restart)
		return
	}
	code := q.Get("code")
	if code == "" {
		page(w, http.StatusBadRequest, name+" was not connected", name+" sent no authorization code."+restart)
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, h.cfg.HTTPClient)
	tok, err := oauthConfig(s, redirect).Exchange(ctx, code)
	if err != nil {
		status, msg := exchangeFailure(name, err)
		log.Warn().Str("reason", msg).Msg("connect: code exchange failed")
		page(w, status, name+" was not connected", msg+restart)
		return
	}
	if tok.RefreshToken == "" {
		msg := name + " returned no refresh token."
		if s.Name == hubforce.Salesforce {
			msg += " Add the refresh_token (or offline_access) scope to the connected app and to the requested scopes."
		}
		log.Warn().Msg("connect: no refresh token in the token response")
		page(w, http.StatusBadGateway, name+" was not connected", msg)
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), applyTimeout)
	defer cancel()
	if err := s.Apply(actx, tok.RefreshToken); err != nil {
		log.Error().Err(err).Msg("connect: the new credentials could not be installed")
		page(w, http.StatusInternalServerError, name+" was not connected", "The new "+name+" credentials could not be installed: "+err.Error())
		return
	}
	log.Info().Msg("connect: new credentials installed; deliveries resume")
	page(w, http.StatusOK, name+" connected", "The bridge holds new "+name+" credentials; deliveries to "+name+" resume.")
}

// exchangeFailure words a failed token exchange. A provider refusal shows
// its error code and description only (its body is not echoed); anything
// else is a connection problem.
func exchangeFailure(name string, err error) (int, string) {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" && re.Response != nil {
			code = "HTTP " + re.Response.Status
		}
		return http.StatusBadGateway, name + " refused the authorization code: " + code + describe(re.ErrorDescription) + "."
	}
	return http.StatusBadGateway, "Could not reach " + name + "'s token endpoint: " + err.Error()
}

func describe(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// publicURL is the externally visible URL of path: PublicURL (with any
// path prefix it carries) or the request's scheme and Host. X-Forwarded-*
// are ignored on purpose: any client can send them.
func (h *handler) publicURL(r *http.Request, path string) string {
	base := strings.TrimRight(h.cfg.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + path
}

// requestPath is the path as received, untouched by routers or
// http.StripPrefix (which rewrite r.URL).
func requestPath(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}
