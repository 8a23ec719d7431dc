package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/salesforce"
	"github.com/hubforce/hubforce/internal/salesforcesim"
)

func TestConnectBothSides(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		side                       string
		want                       string
		rec                        *recorder
		tokenURL, clientID, secret string
	}{
		{"hubspot", "HubSpot connected", f.hsApply, f.hs.URL + "/oauth/2026-03/token", hsClientID, hsSecret},
		{"salesforce", "Salesforce connected", f.sfApp, f.sf.URL + "/services/oauth2/token", sfClientID, sfSecret},
	}
	for _, tc := range cases {
		t.Run(tc.side, func(t *testing.T) {
			b := newBrowser(t)
			p, last := b.follow(f.bridge.URL+"/connect/"+tc.side, false)
			if p.status != http.StatusOK || !strings.Contains(p.body, tc.want) {
				t.Fatalf("final page %d: %s", p.status, p.body)
			}
			got := tc.rec.got()
			if len(got) != 1 || got[0] == "" || got[0] == hsRefresh || got[0] == sfRefresh {
				t.Fatalf("Apply got %q, want one new refresh token", got)
			}
			if !refreshWorks(t, tc.tokenURL, tc.clientID, tc.secret, got[0]) {
				t.Fatal("the simulator does not accept the refresh token Apply got")
			}
			cb, _ := url.Parse(last)
			if cb.Path != "/connect/"+tc.side+"/callback" || cb.Query().Get("code") == "" {
				t.Fatalf("stopped at %s", last)
			}
			logs := f.logs.String()
			for _, secret := range []string{got[0], cb.Query().Get("code"), cb.Query().Get("state")} {
				if strings.Contains(logs, secret) {
					t.Fatalf("a code, state or token reached the log:\n%s", logs)
				}
			}
			if !strings.Contains(logs, `"side":"`+tc.side+`"`) {
				t.Fatalf("no log line for the flow:\n%s", logs)
			}
		})
	}
}

func TestConnectResumesPausedHubSpotClient(t *testing.T) {
	f := newFixture(t, nil)
	client, err := hubspot.NewClient(hubspot.ClientConfig{BaseURL: f.hs.URL, ClientID: hsClientID, ClientSecret: hsSecret,
		RefreshToken: hsRefresh, Log: f.log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client.Ready(ctx); err != nil {
		t.Fatalf("Ready before the refusal: %v", err)
	}
	f.hsSim.RefuseRefresh(true)
	f.hsSim.ExpireTokens()
	_, err = client.Read(ctx, hubforce.Contact, []string{"1"}, nil)
	if hubforce.ClassOf(err) != hubforce.Auth {
		t.Fatalf("Read after a refused refresh: %v, want class auth", err)
	}
	// HubSpot accepts refreshes again, but the old grant is what was
	// refused: the client stays paused until new credentials arrive.
	f.hsSim.RefuseRefresh(false)
	if err := client.Ready(ctx); hubforce.ClassOf(err) != hubforce.Auth {
		t.Fatalf("Ready before Connect: %v, want class auth", err)
	}

	f2Tokens := &recorder{}
	f2 := newFixture(t, func(c *Config) {
		c.Sides[0].AuthorizeURL, c.Sides[0].TokenURL = f.hs.URL+"/oauth/authorize", f.hs.URL+"/oauth/2026-03/token"
		c.Sides[0].Apply = func(ctx context.Context, tok string) error {
			_ = f2Tokens.apply(ctx, tok)
			return client.SetRefreshToken(ctx, tok)
		}
	})
	p, _ := newBrowser(t).follow(f2.bridge.URL+"/connect/hubspot", false)
	if p.status != http.StatusOK || !strings.Contains(p.body, "HubSpot connected") {
		t.Fatalf("Connect: %d %s", p.status, p.body)
	}
	if err := client.Ready(ctx); err != nil {
		t.Fatalf("Ready after Connect: %v", err)
	}
	if _, err := client.Read(ctx, hubforce.Contact, []string{"1"}, nil); err != nil {
		t.Fatalf("Read after Connect: %v", err)
	}
	got := f2Tokens.got()
	if len(got) != 1 || !refreshWorks(t, f.hs.URL+"/oauth/2026-03/token", hsClientID, hsSecret, got[0]) {
		t.Fatalf("Apply got %q", got)
	}
	for _, logs := range []string{f.logs.String(), f2.logs.String()} {
		if strings.Contains(logs, got[0]) {
			t.Fatalf("the refresh token reached the log:\n%s", logs)
		}
	}
}

func TestConnectSalesforceClient(t *testing.T) {
	f := newFixture(t, nil)
	client, err := salesforce.NewClient(salesforce.ClientConfig{LoginURL: f.sf.URL, ClientID: sfClientID, ClientSecret: sfSecret,
		RefreshToken: sfRefresh, Log: f.log})
	if err != nil {
		t.Fatal(err)
	}
	f2 := newFixture(t, func(c *Config) {
		c.Sides[1].AuthorizeURL, c.Sides[1].TokenURL = f.sf.URL+"/services/oauth2/authorize", f.sf.URL+"/services/oauth2/token"
		c.Sides[1].Apply = client.SetRefreshToken
	})
	p, _ := newBrowser(t).follow(f2.bridge.URL+"/connect/salesforce", false)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Salesforce connected") {
		t.Fatalf("Connect: %d %s", p.status, p.body)
	}
	ctx := context.Background()
	if err := client.Ready(ctx); err != nil {
		t.Fatalf("Ready after Connect: %v", err)
	}
	if id, err := client.IntegrationUserID(ctx); err != nil || id != f.sfSim.IntegrationUserID() {
		t.Fatalf("IntegrationUserID = %q, %v", id, err)
	}
}

// TestCallbackRefusals: every broken callback gets a page saying why and
// installs nothing.
func TestCallbackRefusals(t *testing.T) {
	cases := []struct {
		name   string
		run    func(t *testing.T, f *fixture) answer
		status int
		want   string
	}{
		{"tampered state", func(t *testing.T, f *fixture) answer {
			b := newBrowser(t)
			_, cb := b.follow(f.bridge.URL+"/connect/hubspot", true)
			u, _ := url.Parse(cb)
			q := u.Query()
			st := q.Get("state")
			q.Set("state", st[:len(st)-2]+"AA")
			u.RawQuery = q.Encode()
			return b.get(u.String(), false)
		}, http.StatusBadRequest, "not issued by this bridge"},
		{"state of the other side", func(t *testing.T, f *fixture) answer {
			b := newBrowser(t)
			_, cb := b.follow(f.bridge.URL+"/connect/hubspot", true)
			return b.get(strings.Replace(cb, "/connect/hubspot/", "/connect/salesforce/", 1), false)
		}, http.StatusBadRequest, "issued for another connection"},
		{"missing cookie", func(t *testing.T, f *fixture) answer {
			_, cb := newBrowser(t).follow(f.bridge.URL+"/connect/hubspot", true)
			return newBrowser(t).get(cb, false)
		}, http.StatusBadRequest, "the cookie is missing"},
		{"another browser's state", func(t *testing.T, f *fixture) answer {
			_, cb := newBrowser(t).follow(f.bridge.URL+"/connect/hubspot", true)
			other := newBrowser(t)
			other.follow(f.bridge.URL+"/connect/hubspot", true)
			return other.get(cb, false)
		}, http.StatusBadRequest, "does not belong to this browser"},
		{"expired state", func(t *testing.T, f *fixture) answer {
			b := newBrowser(t)
			_, cb := b.follow(f.bridge.URL+"/connect/hubspot", true)
			f.clock.Advance(DefaultStateTTL + time.Second)
			return b.get(cb, false)
		}, http.StatusBadRequest, "expired"},
		{"user denied", func(t *testing.T, f *fixture) answer {
			f.sfSim.SetConsent(salesforcesim.ConsentDeny)
			p, _ := newBrowser(t).follow(f.bridge.URL+"/connect/salesforce", false)
			return p
		}, http.StatusBadRequest, "Salesforce did not grant access: access_denied (end-user denied authorization)"},
		{"provider error escaped", func(t *testing.T, f *fixture) answer {
			b := newBrowser(t)
			_, cb := b.follow(f.bridge.URL+"/connect/hubspot", true)
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Del("code")
			q.Set("error", "<script>alert(1)</script>")
			u.RawQuery = q.Encode()
			p := b.get(u.String(), false)
			if strings.Contains(p.body, "<script>") {
				t.Errorf("provider error not escaped: %s", p.body)
			}
			return p
		}, http.StatusBadRequest, "HubSpot did not grant access: &lt;script&gt;"},
		{"unknown code", func(t *testing.T, f *fixture) answer {
			b := newBrowser(t)
			_, cb := b.follow(f.bridge.URL+"/connect/hubspot", true)
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Set("code", "not-a-code")
			u.RawQuery = q.Encode()
			return b.get(u.String(), false)
		}, http.StatusBadGateway, "HubSpot refused the authorization code: invalid_grant (missing or unknown auth code)"},
		{"replayed callback", func(t *testing.T, f *fixture) answer {
			b := newBrowser(t)
			_, cb := b.follow(f.bridge.URL+"/connect/hubspot", true)
			first := b.get(cb, false)
			if first.status != http.StatusOK {
				t.Fatalf("first callback: %d %s", first.status, first.body)
			}
			f.hsApply.mu.Lock()
			f.hsApply.tokens = nil // only the replay counts below
			f.hsApply.mu.Unlock()
			return b.get(cb, false)
		}, http.StatusBadRequest, "the cookie is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			p := tc.run(t, f)
			if p.status != tc.status || !strings.Contains(p.body, tc.want) {
				t.Fatalf("got %d %s\nwant %d containing %q", p.status, p.body, tc.status, tc.want)
			}
			if n := len(f.hsApply.got()) + len(f.sfApp.got()); n != 0 {
				t.Fatalf("Apply called %d times", n)
			}
			if strings.Contains(p.header.Get("Set-Cookie"), "hubforce_connect_") && !strings.Contains(p.header.Get("Set-Cookie"), "Max-Age=0") {
				t.Fatalf("the callback must clear the flow cookie: %s", p.header.Get("Set-Cookie"))
			}
		})
	}
}

func TestApplyFailureShown(t *testing.T) {
	f := newFixture(t, nil)
	f.hsApply.err = errors.New("saving the HubSpot credential: disk <full>")
	p, _ := newBrowser(t).follow(f.bridge.URL+"/connect/hubspot", false)
	if p.status != http.StatusInternalServerError || !strings.Contains(p.body, "disk &lt;full&gt;") {
		t.Fatalf("%d %s", p.status, p.body)
	}
}

func TestStartRefusals(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		path   string
		admin  bool
		status int
	}{
		{"no operator auth", nil, "/connect/hubspot", false, http.StatusUnauthorized},
		{"unknown side", nil, "/connect/pipedrive", true, http.StatusNotFound},
		{"Authorize unset fails closed", func(c *Config) { c.Authorize = nil }, "/connect/hubspot", true, http.StatusForbidden},
		{"no key", func(c *Config) { c.Key = nil }, "/connect/hubspot", true, http.StatusServiceUnavailable},
		{"unconfigured side", func(c *Config) { c.Sides = c.Sides[:1] }, "/connect/salesforce", true, http.StatusNotFound},
		{"side without Apply", func(c *Config) { c.Sides[1].Apply = nil }, "/connect/salesforce", true, http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.mutate)
			p := newBrowser(t).get(f.bridge.URL+tc.path, tc.admin)
			if p.status != tc.status || p.header.Get("Set-Cookie") != "" {
				t.Fatalf("got %d (Set-Cookie %q), want %d: %s", p.status, p.header.Get("Set-Cookie"), tc.status, p.body)
			}
		})
	}
}

// TestRedirectURI: the redirect_uri comes from PublicURL or the request's
// Host, never from X-Forwarded-*; the cookie is scoped to the callback.
func TestRedirectURI(t *testing.T) {
	cases := []struct {
		public, wantRedirect, wantCookie string
	}{
		{"", "http://bridge.internal/connect/hubspot/callback", "Path=/connect/hubspot/callback; Max-Age=600; HttpOnly; SameSite=Lax"},
		{"https://sync.example.com/hub/", "https://sync.example.com/hub/connect/hubspot/callback", "Path=/hub/connect/hubspot/callback; Max-Age=600; HttpOnly; Secure; SameSite=Lax"},
	}
	for _, tc := range cases {
		h := Handler(Config{PublicURL: tc.public, Key: StateKey("k"), Authorize: func(n http.Handler) http.Handler { return n },
			Sides: []Side{{Name: hubforce.HubSpot, AuthorizeURL: "https://app.hubspot.com/oauth/authorize", TokenURL: "https://api.hubapi.com/oauth/2026-03/token",
				ClientID: "c", Scopes: []string{"oauth"}, Apply: (&recorder{}).apply}}})
		req, _ := http.NewRequest(http.MethodGet, "http://bridge.internal/connect/hubspot", nil)
		req.RequestURI = "/connect/hubspot"
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		http.StripPrefix("/connect", h).ServeHTTP(rec, req)
		loc, _ := url.Parse(rec.Header().Get("Location"))
		if rec.Code != http.StatusFound || loc.Host != "app.hubspot.com" || loc.Query().Get("redirect_uri") != tc.wantRedirect ||
			loc.Query().Get("scope") != "oauth" || loc.Query().Get("client_id") != "c" || loc.Query().Get("state") == "" {
			t.Errorf("public %q: %d %s", tc.public, rec.Code, rec.Header().Get("Location"))
		}
		if c := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(c, "hubforce_connect_hubspot=") || !strings.HasSuffix(c, tc.wantCookie) {
			t.Errorf("public %q: cookie %s", tc.public, c)
		}
	}
}
