package admin

import (
	"net/http"
	"net/netip"
	"net/url"
	"testing"
)

// TestSignInLimiterIsPerClient: one client guessing the token locks out
// only itself, also behind a trusted proxy; a forged X-Forwarded-For from
// anyone else buys no fresh bucket.
func TestSignInLimiterIsPerClient(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	attempt := func(token, remote, forwarded string) int {
		return e.do(req{method: http.MethodPost, path: "/dashboard/login", form: url.Values{"token": {token}},
			remote: remote, forwarded: forwarded}).Code
	}
	for i := range 10 {
		if code := attempt("guess", "198.51.100.7:4000", ""); code != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d", i, code)
		}
	}
	if code := attempt(testToken, "198.51.100.7:4001", ""); code != http.StatusTooManyRequests {
		t.Fatalf("the guesser after 10 failures = %d, want 429", code)
	}
	if code := attempt(testToken, "198.51.100.7:4002", "203.0.113.9"); code != http.StatusTooManyRequests {
		t.Fatalf("the guesser with a forged X-Forwarded-For = %d, want 429", code)
	}
	if code := attempt(testToken, "203.0.113.20:5000", ""); code != http.StatusSeeOther {
		t.Fatalf("another operator = %d, want 303: one guesser locked everyone out", code)
	}

	for i := range 10 {
		if code := attempt("guess", "10.1.1.1:80", "192.0.2.50"); code != http.StatusUnauthorized {
			t.Fatalf("guess %d through the proxy = %d", i, code)
		}
	}
	if code := attempt(testToken, "10.1.1.1:80", "192.0.2.50"); code != http.StatusTooManyRequests {
		t.Fatalf("the guesser behind the proxy = %d, want 429", code)
	}
	if code := attempt(testToken, "10.1.1.1:80", "192.0.2.51"); code != http.StatusSeeOther {
		t.Fatalf("another client behind the same proxy = %d, want 303", code)
	}
}
