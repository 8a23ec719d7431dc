package salesforcesim

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testCallback = "https://bridge.example.com/connect/salesforce/callback"

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (e *env) authorize(extra url.Values) (*http.Response, string) {
	e.t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {testClientID}, "redirect_uri": {testCallback}, "state": {"st-1"}}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := noFollow.Get(e.srv.URL + "/services/oauth2/authorize?" + q.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func location(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(u.String(), testCallback+"?") {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return u.Query()
}

// approve follows the approval page's Allow link and returns the code.
func (e *env) approve(extra url.Values) string {
	e.t.Helper()
	resp, body := e.authorize(extra)
	m := regexp.MustCompile(`id="allow" href="([^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		e.t.Fatalf("approval page: %d %s", resp.StatusCode, body)
	}
	resp, err := noFollow.Get(e.srv.URL + html.UnescapeString(m[1]))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	q := location(e.t, resp)
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		e.t.Fatalf("callback parameters %v", q)
	}
	return q.Get("code")
}

func codeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID},
		"client_secret": {testSecret}, "redirect_uri": {testCallback}, "code": {code}}
}

func TestWebServerFlow(t *testing.T) {
	e := newEnv(t, nil)
	code := e.approve(nil)
	status, body := e.form(codeForm(code))
	var tr map[string]any
	_ = json.Unmarshal(body, &tr)
	rt, _ := tr["refresh_token"].(string)
	if status != http.StatusOK || !strings.HasPrefix(rt, "5Aep") || tr["instance_url"] != e.srv.URL ||
		tr["access_token"] == "" || tr["scope"] != "api refresh_token offline_access" || tr["expires_in"] != nil {
		t.Fatalf("exchange: %d %s", status, body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "client_secret": {testSecret}, "refresh_token": {rt}}
	if status, body := e.form(refresh); status != http.StatusOK || strings.Contains(string(body), "refresh_token") {
		t.Fatalf("refresh with the issued token: %d %s", status, body)
	}
	e.sim.RefuseRefresh(true)
	if status, body := e.form(refresh); status != http.StatusBadRequest || !strings.Contains(string(body), "invalid_grant") {
		t.Fatalf("refused refresh: %d %s", status, body)
	}
	e.sim.RefuseRefresh(false)
	if status, body := e.form(codeForm(code)); status != http.StatusBadRequest || !strings.Contains(string(body), "invalid authorization code") {
		t.Fatalf("second use of a code: %d %s", status, body)
	}
}

func TestWebServerFlowNoRefreshScope(t *testing.T) {
	e := newEnv(t, nil)
	status, body := e.form(codeForm(e.approve(url.Values{"scope": {"api"}})))
	if status != http.StatusOK || strings.Contains(string(body), "refresh_token") {
		t.Fatalf("scope=api must not yield a refresh token: %d %s", status, body)
	}
}

func TestCodeExchangeRefusals(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(url.Values)
		wait   time.Duration
		want   string
	}{
		{"expired", func(url.Values) {}, 16 * time.Minute, `"expired authorization code"`},
		{"unknown", func(f url.Values) { f.Set("code", "aPrxnope") }, 0, `"invalid authorization code"`},
		{"other redirect", func(f url.Values) { f.Set("redirect_uri", "https://evil.example/cb") }, 0, `"redirect_uri_mismatch"`},
		{"no secret", func(f url.Values) { f.Del("client_secret") }, 0, `"invalid_client"`},
		{"other client", func(f url.Values) { f.Set("client_id", "x") }, 0, `"invalid_client_id"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			f := codeForm(e.approve(nil))
			tc.mutate(f)
			e.clock.Advance(tc.wait)
			if status, body := e.form(f); status != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
				t.Fatalf("got %d %s, want %s", status, body, tc.want)
			}
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.sim.SetRedirectURIs(testCallback)
	for _, tc := range []struct {
		extra url.Values
		want  string
	}{
		{url.Values{"client_id": {"other"}}, "invalid_client_id"},
		{url.Values{"redirect_uri": {"https://other.example/cb"}}, "redirect_uri_mismatch"},
	} {
		if resp, body := e.authorize(tc.extra); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%v: %d %s", tc.extra, resp.StatusCode, body)
		}
	}
	for _, tc := range []struct {
		extra url.Values
		want  string
	}{
		{url.Values{"response_type": {"token"}}, "unsupported_response_type"},
		{url.Values{"scope": {"api full"}}, "invalid_scope"},
		{url.Values{"decision": {"deny"}}, "access_denied"},
	} {
		resp, _ := e.authorize(tc.extra)
		if q := location(t, resp); q.Get("error") != tc.want || q.Get("state") != "st-1" || q.Has("code") {
			t.Errorf("%v: %v", tc.extra, q)
		}
	}
}

func TestConsentModes(t *testing.T) {
	e := newEnv(t, nil)
	e.sim.SetConsent(ConsentDeny)
	resp, _ := e.authorize(nil)
	if q := location(t, resp); q.Get("error") != "access_denied" {
		t.Fatalf("ConsentDeny: %v", q)
	}
	resp, _ = e.authorize(url.Values{"auto": {"1"}})
	if q := location(t, resp); q.Get("code") == "" {
		t.Fatalf("auto=1: %v", q)
	}
	e.sim.SetConsent(ConsentAllow)
	resp, _ = e.authorize(nil)
	if q := location(t, resp); q.Get("code") == "" {
		t.Fatalf("ConsentAllow: %v", q)
	}
}
