package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	sessionCookie = "hubforce_session"
	csrfField     = "csrf"
)

// enabledJSON answers 404 on every API route while no token is configured.
func (a *API) enabledJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.Enabled() {
			writeError(w, http.StatusNotFound, "not_found", "the admin API is disabled: HUBFORCE_ADMIN_TOKEN is not set")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) enabledHTML(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.Enabled() {
			http.Error(w, "the dashboard is disabled: HUBFORCE_ADMIN_TOKEN is not set", http.StatusNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) requireBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.bearerOK(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hubforce"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer <HUBFORCE_ADMIN_TOKEN>")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerOK compares digests so that neither the contents nor the length of
// the token leak through timing.
func (a *API) bearerOK(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return a.tokenOK(strings.TrimSpace(cred))
}

func (a *API) tokenOK(candidate string) bool {
	want := sha256.Sum256([]byte(a.cfg.Token))
	got := sha256.Sum256([]byte(candidate))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// mac is keyed with the token itself: rotating HUBFORCE_ADMIN_TOKEN ends
// every session, and nothing else needs to be kept.
func (a *API) mac(parts ...string) string {
	m := hmac.New(sha256.New, []byte(a.cfg.Token))
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newSession is "<issued unix seconds>.<HMAC(token, session, issued)>".
func (a *API) newSession() string {
	issued := strconv.FormatInt(a.cfg.Now().Unix(), 10)
	return issued + "." + a.mac("session", issued)
}

func (a *API) sessionOK(v string) bool {
	issued, sig, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(issued, 10, 64)
	if err != nil {
		return false
	}
	age := a.cfg.Now().Sub(time.Unix(n, 0))
	if age < -time.Minute || age > a.cfg.SessionTTL {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(a.mac("session", issued)))
}

// session returns the request's valid session cookie value, or "".
func (a *API) session(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil || !a.sessionOK(c.Value) {
		return ""
	}
	return c.Value
}

// csrfToken binds a form to the session it was rendered for.
func (a *API) csrfToken(session string) string {
	if session == "" {
		return ""
	}
	return a.mac("csrf", session)
}

// authed says whether a dashboard request carries the token, as a bearer
// header or a session cookie.
func (a *API) authed(r *http.Request) bool {
	return a.bearerOK(r) || a.session(r) != ""
}

// requireSession guards the dashboard's pages; its POSTs must also carry
// the CSRF token of their session (a bearer header needs none: browsers
// never add one on their own).
func (a *API) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.bearerOK(r) {
			next.ServeHTTP(w, r)
			return
		}
		s := a.session(r)
		if s == "" {
			a.renderLogin(w, r, http.StatusUnauthorized, "Sign in to continue.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
			got := r.PostFormValue(csrfField)
			if !hmac.Equal([]byte(got), []byte(a.csrfToken(s))) {
				a.renderError(w, r, http.StatusForbidden, "This form has expired or did not come from this dashboard. Reload the page and try again.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) setSession(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   r.TLS != nil || a.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode,
	})
}

// login checks the token from the sign-in form. Failed attempts drain the
// client's own bucket (burst 10, one a second after that) so that the form
// cannot be used to guess the token quickly, nor one guesser lock everyone
// out; the bearer header is not limited, so a flood of bad guesses never
// locks out scripts.
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	now := a.cfg.Now()
	failures := a.failures.bucket(r, now)
	if failures.TokensAt(now) < 1 {
		a.renderLogin(w, r, http.StatusTooManyRequests, "Too many failed sign-ins. Wait a few seconds and try again.")
		return
	}
	if !a.tokenOK(r.PostFormValue("token")) {
		failures.AllowN(now, 1)
		a.cfg.Log.Warn().Msg("dashboard sign-in refused: wrong token")
		a.renderLogin(w, r, http.StatusUnauthorized, "That is not the admin token.")
		return
	}
	a.cfg.Log.Info().Msg("dashboard sign-in")
	a.setSession(w, r, a.newSession(), int(a.cfg.SessionTTL.Seconds()))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	a.setSession(w, r, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// RequireOperator admits the admin bearer token or a dashboard session; it
// guards the start of the Connect flow (GET /connect/{side}).
func (a *API) RequireOperator(next http.Handler) http.Handler {
	return a.enabledHTML(a.requireSession(next))
}
