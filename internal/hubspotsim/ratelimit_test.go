package hubspotsim_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/simfault"
)

func TestTenSecondlyWindow(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{RateLimitMax: 5, ClientID: "client-1", RefreshTokens: []string{"rt"}})
	for i := range 5 {
		r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
		wantStatus(t, r, http.StatusOK)
		for k, want := range map[string]string{
			"X-HubSpot-RateLimit-Max":                   "5",
			"X-HubSpot-RateLimit-Remaining":             strconv.Itoa(4 - i),
			"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
			"X-HubSpot-RateLimit-Daily":                 "250000",
			"X-HubSpot-RateLimit-Daily-Remaining":       strconv.Itoa(250000 - 1 - i),
		} {
			if got := r.header.Get(k); got != want {
				t.Errorf("request %d: %s = %q, want %q", i, k, got, want)
			}
		}
		h.clock.Advance(time.Second)
	}
	// The token endpoint does not count.
	if code, _ := refresh(t, h, url.Values{"grant_type": {"refresh_token"}, "client_id": {"client-1"},
		"client_secret": {testSecret}, "refresh_token": {"rt"}}); code != http.StatusOK {
		t.Fatalf("token endpoint = %d", code)
	}
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	b := r.json(t)
	if b["status"] != "error" || b["errorType"] != "RATE_LIMIT" || b["policyName"] != "TEN_SECONDLY_ROLLING" ||
		b["message"] != "You have reached your ten_secondly_rolling limit." || !uuidRe.MatchString(b["correlationId"].(string)) {
		t.Errorf("429 body = %s", r.raw)
	}
	if r.header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Errorf("429 Remaining = %q", r.header.Get("X-HubSpot-RateLimit-Remaining"))
	}
	// The window rolls: the first request (t=0) leaves it at t=10s+.
	h.clock.Advance(5*time.Second + time.Millisecond)
	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	if got := r.header.Get("X-HubSpot-RateLimit-Remaining"); got != "0" {
		t.Errorf("Remaining after one slot freed = %q, want 0", got)
	}
}

func TestDailyBudget(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	h.sim.SpendDailyBudget()
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	if b := r.json(t); b["policyName"] != "DAILY" || b["message"] != "You have reached your daily limit." || b["errorType"] != "RATE_LIMIT" {
		t.Errorf("daily 429 = %s", r.raw)
	}
	if r.header.Get("X-HubSpot-RateLimit-Daily-Remaining") != "0" {
		t.Errorf("Daily-Remaining = %q", r.header.Get("X-HubSpot-RateLimit-Daily-Remaining"))
	}
	h.clock.Advance(24 * time.Hour)
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
}

func TestFaultInjectionAnswers(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	h.sim.Faults().Set(simfault.Plan{ServerErrors: 1, RateLimited: 1})
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	if r.status < 500 || r.json(t)["status"] != "error" || r.json(t)["correlationId"] == nil {
		t.Errorf("server error fault = %d %s", r.status, r.raw)
	}
	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.json(t)["policyName"] != "TEN_SECONDLY_ROLLING" {
		t.Errorf("429 fault = %s", r.raw)
	}
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	// The standalone switch.
	resp, err := http.Post(h.api.URL+"/_sim/faults", "application/json", strings.NewReader(`{"outage":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !h.sim.Faults().Plan().Outage {
		t.Errorf("/_sim/faults did not set the plan")
	}
}

func TestDroppedConnectionFault(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	h.sim.Faults().Set(simfault.Plan{DropConnections: 1})
	req, _ := http.NewRequest(http.MethodGet, h.api.URL+"/crm/objects/2026-03/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
	if n := h.sim.Calls()["GET /crm/objects/2026-03/{objectType}"]; n != 1 {
		t.Errorf("dropped call counted %d times, want 1", n)
	}
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
}
