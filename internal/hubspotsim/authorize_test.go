package hubspotsim_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

const testRedirect = "https://bridge.example.com/connect/hubspot/callback"

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func authorizeURL(h *harness, extra url.Values) string {
	q := url.Values{"client_id": {"client-1"}, "redirect_uri": {testRedirect},
		"scope": {"oauth crm.objects.contacts.read"}, "state": {"st-1"}}
	for k, v := range extra {
		q[k] = v
	}
	return h.api.URL + "/oauth/authorize?" + q.Encode()
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// grantCode walks the consent page's Allow link and returns the code.
func grantCode(t *testing.T, h *harness) string {
	t.Helper()
	resp, body := get(t, authorizeURL(h, nil))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Allow") {
		t.Fatalf("consent page: %d %s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`id="allow" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no Allow link: %s", body)
	}
	resp, _ = get(t, h.api.URL+html.UnescapeString(m[1]))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("Allow answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "bridge.example.com" || loc.Query().Get("state") != "st-1" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func codeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {"client-1"},
		"client_secret": {testSecret}, "redirect_uri": {testRedirect}, "code": {code}}
}

func TestAuthorizationCodeGrant(t *testing.T) {
	h := newHarness(t, oauthConfig())
	code := grantCode(t, h)
	status, tok := refresh(t, h, codeForm(code))
	rt, _ := tok["refresh_token"].(string)
	if status != http.StatusOK || rt == "" || rt == "na1-refresh" || tok["access_token"] == "" || tok["expires_in"] != float64(1800) {
		t.Fatalf("exchange: %d %v", status, tok)
	}
	r := h.doAs(t, tok["access_token"].(string), http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusOK)

	form := goodForm()
	form.Set("refresh_token", rt)
	if status, body := refresh(t, h, form); status != http.StatusOK || body["refresh_token"] != rt {
		t.Fatalf("refresh with the new token: %d %v", status, body)
	}
	if status, body := refresh(t, h, codeForm(code)); status != http.StatusBadRequest || body["status"] != "BAD_AUTH_CODE" || body["error"] != "invalid_grant" {
		t.Fatalf("second use of a code: %d %v", status, body)
	}
}

func TestAuthorizationCodeRefusals(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(url.Values)
		wait   time.Duration
		status string
	}{
		{"expired", func(url.Values) {}, 11 * time.Minute, "BAD_AUTH_CODE"},
		{"unknown code", func(f url.Values) { f.Set("code", "nope") }, 0, "BAD_AUTH_CODE"},
		{"other redirect", func(f url.Values) { f.Set("redirect_uri", "https://evil.example/cb") }, 0, "BAD_REDIRECT_URI"},
		{"bad secret", func(f url.Values) { f.Set("client_secret", "x") }, 0, "BAD_CLIENT_SECRET"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, oauthConfig())
			f := codeForm(grantCode(t, h))
			tc.mutate(f)
			h.clock.Advance(tc.wait)
			if status, body := refresh(t, h, f); status != http.StatusBadRequest || body["status"] != tc.status {
				t.Fatalf("got %d %v, want %s", status, body, tc.status)
			}
		})
	}
}

func TestAuthorizePageErrors(t *testing.T) {
	cases := []struct {
		name  string
		extra url.Values
		want  string
	}{
		{"unknown client", url.Values{"client_id": {"other"}}, "client_id"},
		{"unregistered redirect", url.Values{"redirect_uri": {"https://other.example/cb"}}, "doesn&#39;t match the app&#39;s registered redirect URL"},
		{"no scope", url.Values{"scope": {""}}, "mismatch between the scopes"},
		{"unknown scope", url.Values{"scope": {"oauth tickets"}}, "mismatch between the scopes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, oauthConfig())
			h.sim.SetRedirectURIs(testRedirect)
			h.sim.SetConsent(hubspotsim.ConsentAllow)
			resp, body := get(t, authorizeURL(h, tc.extra))
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestAuthorizeConsentModes(t *testing.T) {
	h := newHarness(t, oauthConfig())
	h.sim.SetConsent(hubspotsim.ConsentDeny)
	resp, _ := get(t, authorizeURL(h, nil))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-1" || loc.Query().Has("code") {
		t.Fatalf("deny: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, authorizeURL(h, url.Values{"auto": {"1"}}))
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("auto=1: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	h.sim.SetConsent(hubspotsim.ConsentAllow)
	resp, _ = get(t, authorizeURL(h, nil))
	if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("ConsentAllow: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
