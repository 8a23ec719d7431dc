package hubspotsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

func oauthConfig() hubspotsim.Config {
	return hubspotsim.Config{ClientID: "client-1", ClientSecret: testSecret, RefreshTokens: []string{"na1-refresh"}}
}

func refresh(t *testing.T, h *harness, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(h.api.URL+"/oauth/2026-03/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("token response not JSON: %s", raw)
	}
	return resp.StatusCode, m
}

func goodForm() url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {"client-1"},
		"client_secret": {testSecret}, "refresh_token": {"na1-refresh"}}
}

func TestOAuthRefreshAndExpiry(t *testing.T) {
	h := newHarness(t, oauthConfig())
	status, tok := refresh(t, h, goodForm())
	if status != http.StatusOK || tok["token_type"] != "bearer" || tok["expires_in"] != float64(1800) || tok["refresh_token"] != "na1-refresh" {
		t.Fatalf("token response %d %v", status, tok)
	}
	access := tok["access_token"].(string)
	r := h.doAs(t, access, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	if r.header.Get("X-HubSpot-RateLimit-Daily") != "" {
		t.Errorf("OAuth request carries daily headers")
	}

	h.clock.Advance(30*time.Minute + 75*time.Second)
	r = h.doAs(t, access, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusUnauthorized)
	b := r.json(t)
	if b["category"] != "EXPIRED_AUTHENTICATION" || b["message"] != "The OAuth token used to make this call expired 1 minute(s) ago." {
		t.Errorf("expired body = %s", r.raw)
	}
	if ctx, _ := b["context"].(map[string]any); ctx["expire time"] == nil {
		t.Errorf("expired body lacks context.expire time: %s", r.raw)
	}

	_, tok = refresh(t, h, goodForm())
	access = tok["access_token"].(string)
	wantStatus(t, h.doAs(t, access, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	h.sim.ExpireTokens()
	wantStatus(t, h.doAs(t, access, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusUnauthorized)
	// Private-app tokens do not expire.
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
}

func TestOAuthErrors(t *testing.T) {
	h := newHarness(t, oauthConfig())
	with := func(k, v string) url.Values {
		f := goodForm()
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		status string
		errStr string
	}{
		{"bad refresh token", with("refresh_token", "stolen"), "BAD_REFRESH_TOKEN", "invalid_grant"},
		{"bad client id", with("client_id", "other"), "BAD_CLIENT_ID", "invalid_client"},
		{"bad secret", with("client_secret", "nope"), "BAD_CLIENT_SECRET", "invalid_client"},
		{"bad grant", with("grant_type", "password"), "BAD_GRANT_TYPE", "unsupported_grant_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, b := refresh(t, h, tc.form)
			if code != http.StatusBadRequest || b["status"] != tc.status || b["error"] != tc.errStr || b["message"] == nil || b["correlationId"] == nil {
				t.Errorf("%d %v", code, b)
			}
		})
	}
	h.sim.RefuseRefresh(true)
	if _, b := refresh(t, h, goodForm()); b["status"] != "BAD_REFRESH_TOKEN" || b["message"] != "refresh token is invalid, expired or revoked" {
		t.Errorf("refused refresh = %v", b)
	}
	h.sim.RefuseRefresh(false)
	if code, _ := refresh(t, h, goodForm()); code != http.StatusOK {
		t.Errorf("refresh after RefuseRefresh(false) = %d", code)
	}
}

func TestInvalidAuthentication(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	for _, tok := range []string{"", "garbage"} {
		r := h.doAs(t, tok, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
		wantStatus(t, r, http.StatusUnauthorized)
		b := r.json(t)
		if b["category"] != "INVALID_AUTHENTICATION" || !strings.HasPrefix(b["message"].(string), "Authentication credentials not found") {
			t.Errorf("token %q: %s", tok, r.raw)
		}
		if r.header.Get("X-HubSpot-RateLimit-Remaining") != "" {
			t.Errorf("401 counted against the rate limit")
		}
	}
}

func TestIntrospection(t *testing.T) {
	h := newHarness(t, oauthConfig())
	_, tok := refresh(t, h, goodForm())
	access := tok["access_token"].(string)
	r := h.doAs(t, "", http.MethodGet, "/oauth/v1/access-tokens/"+access, nil)
	wantStatus(t, r, http.StatusOK)
	if b := r.json(t); b["token"] != access || b["expires_in"] != float64(1800) || b["hub_id"] != float64(62515) {
		t.Errorf("introspection = %s", r.raw)
	}
	h.sim.ExpireTokens()
	wantStatus(t, h.doAs(t, "", http.MethodGet, "/oauth/v1/access-tokens/"+access, nil), http.StatusNotFound)
}
