package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAPIAuth(t *testing.T) {
	e := newEnv(t)
	cookie := e.login()
	for _, tc := range []struct {
		name   string
		r      req
		status int
	}{
		{"no token", req{}, http.StatusUnauthorized},
		{"wrong token", req{auth: "wrong"}, http.StatusUnauthorized},
		{"token prefix", req{auth: testToken[:5]}, http.StatusUnauthorized},
		{"session cookie is not enough for the API", req{cookie: cookie}, http.StatusUnauthorized},
		{"right token", req{auth: testToken}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.method, tc.r.path = http.MethodGet, "/api/v1/status"
			w := e.do(tc.r)
			if tc.status == http.StatusUnauthorized {
				wantError(t, w, tc.status, "unauthorized")
				if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Fatal("401 without a Bearer challenge")
				}
				return
			}
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
		})
	}
	if strings.Contains(e.logs.String(), testToken) {
		t.Fatal("the token reached the log")
	}
}

func TestDashboardAuth(t *testing.T) {
	e := newEnv(t)
	cookie := e.login()
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure {
		t.Fatalf("cookie flags %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", cookie)
	}
	if strings.Contains(cookie.Value, testToken) {
		t.Fatal("the cookie holds the token itself")
	}
	forged := *cookie
	forged.Value = strings.Split(cookie.Value, ".")[0] + ".AAAA"
	for _, tc := range []struct {
		name   string
		r      req
		status int
	}{
		{"nothing: sign-in form", req{}, http.StatusUnauthorized},
		{"wrong bearer", req{auth: "nope"}, http.StatusUnauthorized},
		{"bearer", req{auth: testToken}, http.StatusOK},
		{"session cookie", req{cookie: cookie}, http.StatusOK},
		{"forged cookie", req{cookie: &forged}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.method, tc.r.path = http.MethodGet, "/"
			w := e.do(tc.r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; log %s", w.Code, tc.status, e.logs)
			}
			signIn := strings.Contains(w.Body.String(), `action="/dashboard/login"`)
			if signIn != (tc.status == http.StatusUnauthorized) {
				t.Fatalf("sign-in form shown: %v, status %d", signIn, w.Code)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		w := e.do(req{method: http.MethodPost, path: "/dashboard/login", form: url.Values{"token": {"guess"}}})
		if w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 {
			t.Fatalf("wrong login = %d with cookies %v", w.Code, w.Result().Cookies())
		}
	})
	t.Run("failed sign-ins are rate limited", func(t *testing.T) {
		l := newEnv(t)
		wrong := req{method: http.MethodPost, path: "/dashboard/login", form: url.Values{"token": {"guess"}}}
		right := req{method: http.MethodPost, path: "/dashboard/login", form: url.Values{"token": {testToken}}}
		for i := range 10 {
			if w := l.do(wrong); w.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d, want 401", i+1, w.Code)
			}
		}
		if w := l.do(right); w.Code != http.StatusTooManyRequests {
			t.Fatalf("sign-in after 10 failures = %d, want 429", w.Code)
		}
		if w := l.do(req{method: http.MethodGet, path: "/api/v1/status", auth: testToken}); w.Code != http.StatusOK {
			t.Fatalf("the bearer header is locked out too: %d", w.Code)
		}
		l.clock = l.clock.Add(2 * time.Second)
		if w := l.do(right); w.Code != http.StatusSeeOther {
			t.Fatalf("sign-in after waiting = %d, want 303", w.Code)
		}
	})
	t.Run("session expires", func(t *testing.T) {
		e.clock = e.clock.Add(13 * time.Hour)
		defer func() { e.clock = e.clock.Add(-13 * time.Hour) }()
		if w := e.do(req{method: http.MethodGet, path: "/", cookie: cookie}); w.Code != http.StatusUnauthorized {
			t.Fatalf("expired session = %d", w.Code)
		}
	})
	t.Run("rotated token ends sessions", func(t *testing.T) {
		other := newEnv(t, func(c *Config) { c.Token = "another-token" })
		if w := other.do(req{method: http.MethodGet, path: "/", cookie: cookie}); w.Code != http.StatusUnauthorized {
			t.Fatalf("session of another token = %d", w.Code)
		}
	})
	t.Run("secure over TLS or when configured", func(t *testing.T) {
		s := newEnv(t, func(c *Config) { c.SecureCookies = true })
		if c := s.login(); !c.Secure {
			t.Fatal("cookie not Secure with SecureCookies")
		}
	})
	t.Run("logout", func(t *testing.T) {
		w := e.do(req{method: http.MethodPost, path: "/dashboard/logout", cookie: cookie,
			form: url.Values{csrfField: {e.api.csrfToken(cookie.Value)}}})
		if w.Code != http.StatusSeeOther || len(w.Result().Cookies()) != 1 || w.Result().Cookies()[0].MaxAge >= 0 {
			t.Fatalf("logout = %d, cookies %v", w.Code, w.Result().Cookies())
		}
	})
}

func TestDisabledWithoutToken(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Token = "" })
	if e.api.Enabled() {
		t.Fatal("enabled without a token")
	}
	for _, p := range []string{"/api/v1/status", "/api/v1/dead-letters", "/api/v1/nope"} {
		wantError(t, e.do(req{method: http.MethodGet, path: p, auth: ""}), http.StatusNotFound, "not_found")
		// An empty bearer must not match the empty token.
		wantError(t, e.do(req{method: http.MethodGet, path: p, auth: " "}), http.StatusNotFound, "not_found")
	}
	for _, p := range []string{"/", "/dashboard/dead-letters"} {
		if w := e.do(req{method: http.MethodGet, path: p}); w.Code != http.StatusNotFound {
			t.Fatalf("GET %s = %d, want 404", p, w.Code)
		}
	}
	if w := e.do(req{method: http.MethodPost, path: "/dashboard/login", form: url.Values{"token": {""}}}); w.Code != http.StatusNotFound {
		t.Fatalf("login with the empty token = %d, want 404", w.Code)
	}
}
