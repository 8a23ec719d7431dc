package salesforce

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/simfault"
)

func TestParseLimitInfo(t *testing.T) {
	// The docs' examples (REST API "Limit Info Header").
	tests := []struct {
		in          string
		used, limit int
		ok          bool
	}{
		{"api-usage=10018/100000", 10018, 100000, true},
		{"api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)", 25, 5000, true},
		{"per-app-api-usage=17/250(appName=x); api-usage=18/5000", 18, 5000, true},
		{"api-usage=110018/100000; api-bursts=1/750", 110018, 100000, true},
		{"", 0, 0, false},
		{"api-usage=12", 0, 0, false},
		{"api-usage=a/b", 0, 0, false},
	}
	for _, tt := range tests {
		used, limit, ok := parseLimitInfo(tt.in)
		if used != tt.used || limit != tt.limit || ok != tt.ok {
			t.Errorf("parseLimitInfo(%q) = %d, %d, %v; want %d, %d, %v", tt.in, used, limit, ok, tt.used, tt.limit, tt.ok)
		}
	}
}

func TestUsageFromHeader(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	if u, l := c.Usage(); u != 0 || l != 0 {
		t.Errorf("Usage before any call = %d/%d", u, l)
	}
	f.sim.SetDailyUsage(1200)
	if err := someCall(c); err != nil {
		t.Fatal(err)
	}
	used, limit := c.Usage()
	simUsed, simLimit := f.sim.DailyUsage()
	if used != simUsed || limit != simLimit || used != 1201 {
		t.Errorf("Usage = %d/%d, simulator says %d/%d", used, limit, simUsed, simLimit)
	}
}

func TestDailyLimitSpent(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	ctx := context.Background()
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	f.sim.SpendDailyLimit()
	ae := apiErr(t, someCall(c), hubforce.Budget)
	if ae.Code != "REQUEST_LIMIT_EXCEEDED" || ae.Status != http.StatusForbidden {
		t.Errorf("spent limit: %+v", ae)
	}
	if used, limit := c.Usage(); used != limit || limit == 0 {
		t.Errorf("Usage = %d/%d, want spent", used, limit)
	}
	apiErr(t, c.Ready(ctx), hubforce.Budget)

	f.sim.SetDailyUsage(0) // the rolling window moved on
	probes := f.calls("GET /limits")
	apiErr(t, c.Ready(ctx), hubforce.Budget) // not probed again within a minute
	if n := f.calls("GET /limits"); n != probes {
		t.Errorf("Ready probed %d times within a minute", n-probes)
	}
	f.clock.Advance(budgetProbeEvery)
	if err := c.Ready(ctx); err != nil {
		t.Errorf("Ready after the window recovered: %v", err)
	}
	if err := someCall(c); err != nil {
		t.Errorf("call after recovery: %v", err)
	}
}

func TestConcurrentLimitIsRetryable(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	if err := c.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sim.Faults().Set(simfault.Plan{RateLimited: 1})
	ae := apiErr(t, someCall(c), hubforce.Retryable)
	if ae.Code != "REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("concurrent limit: %+v", ae)
	}
	if err := c.Ready(context.Background()); err != nil {
		t.Errorf("a concurrency refusal must not pause deliveries: %v", err)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	f := newFixture(t, nil)
	var mu sync.Mutex
	routes := map[string][]int{}
	c := f.client(func(cfg *ClientConfig) {
		cfg.OnCall = func(route string, status int, _ time.Duration) {
			mu.Lock()
			routes[route] = append(routes[route], status)
			mu.Unlock()
		}
	})
	if err := c.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sim.Faults().Set(simfault.Plan{ServerErrors: 2})
	res, err := c.Create(context.Background(), hubforce.Contact, []map[string]any{{"LastName": "Patient"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("create after two 503s: %v %+v", err, res)
	}
	if n := f.calls("POST /composite/sobjects"); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}

	f.sim.Faults().Set(simfault.Plan{Outage: true})
	ae := apiErr(t, someCall(c), hubforce.Retryable)
	if ae.Status != http.StatusServiceUnavailable || ae.Code != "SERVER_UNAVAILABLE" {
		t.Errorf("outage: %+v", ae)
	}
	f.sim.Faults().Reset()

	mu.Lock()
	defer mu.Unlock()
	for route := range routes {
		if strings.ContainsAny(route, "0123456789?") && !strings.HasPrefix(route, "POST /services/oauth2") {
			t.Errorf("route %q carries an id or query", route)
		}
	}
	if got := routes["POST /composite/sobjects"]; len(got) != 1 || got[0] != http.StatusOK {
		t.Errorf("OnCall for the create = %v, want one 200 (retries included)", got)
	}
	if len(routes[tokenRoute]) != 1 {
		t.Errorf("token calls reported: %v", routes[tokenRoute])
	}
}
