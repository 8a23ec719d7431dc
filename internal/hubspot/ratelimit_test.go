package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/simfault"
)

// A burst of calls larger than the window never draws a 429: the client
// learns the window from the headers and paces itself.
func TestBurstStaysInsideTheWindow(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{RateLimitMax: 10, RateLimitInterval: 500 * time.Millisecond})
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	c := e.client(t, nil)
	// Start as if the client assumed a generous limit (190 per 10 s with
	// a full burst): only the headers can keep it inside a 10-per-500 ms window.
	c.limit.lim = rate.NewLimiter(19, 50)
	ctx := context.Background()
	for i := range 30 {
		if _, err := c.Update(ctx, hubforce.Contact, ids, []map[string]string{{"firstname": strconv.Itoa(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.calls.count(http.StatusTooManyRequests); n != 0 {
		t.Fatalf("HubSpot answered 429 %d times", n)
	}
	if n := e.sim.Calls()[simUpdate]; n != 30 {
		t.Fatalf("want 30 calls, got %d", n)
	}
	remaining, limit, interval := c.Budget()
	if limit != 10 || interval != 500*time.Millisecond || remaining < 0 || remaining >= 10 {
		t.Fatalf("Budget() = %d, %d, %v", remaining, limit, interval)
	}
}

// Another replica spending the shared window shows up as a low Remaining:
// the client drains its bucket to match, and a spent window holds every
// call back for one interval instead of drawing a 429.
func TestRemainingFromOtherReplicasDrainsTheBucket(t *testing.T) {
	r := newRateLimiter()
	r.lim = rate.NewLimiter(rate.Limit(1), 10) // starts full: 10 tokens
	h := http.Header{}
	h.Set("X-HubSpot-RateLimit-Max", "100")
	h.Set("X-HubSpot-RateLimit-Remaining", "3")
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
	r.observe(h)
	if tok := r.lim.Tokens(); tok > 3.5 {
		t.Fatalf("Remaining 3 left %.1f tokens", tok)
	}
	h.Set("X-HubSpot-RateLimit-Remaining", "0")
	r.observe(h)
	if rem, limit, iv := r.budget(); rem != 0 || limit != 100 || iv != 10*time.Second {
		t.Fatalf("budget %d %d %v", rem, limit, iv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a spent window must hold calls back, got %v", err)
	}
}

func TestWindowRateNeverExceedsMax(t *testing.T) {
	for _, limit := range []int{1, 2, 5, 10, 100, 110, 190} {
		b := burstFor(limit)
		perWindow := float64(windowRate(limit, b, 10*time.Second)) * 10
		if float64(b)+perWindow > float64(limit) && limit > 2 {
			t.Errorf("max %d: burst %d + %.1f per window exceeds it", limit, b, perWindow)
		}
		if perWindow <= 0 {
			t.Errorf("max %d: no progress", limit)
		}
	}
}

func TestRateLimitedThenSuccess(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	c := e.client(t, nil)
	e.sim.Faults().Update(func(p *simfault.Plan) { p.RateLimited = 2 })
	if _, err := c.Read(context.Background(), hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.calls.count(http.StatusTooManyRequests); n != 2 {
		t.Fatalf("want two 429s retried, saw %d", n)
	}
}

func TestDailyLimitIsBudgetAndNotRetried(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	c := e.client(t, nil)
	e.sim.SpendDailyBudget()
	_, err := c.Read(context.Background(), hubforce.Contact, []string{"1"}, nil)
	if classOf(t, err) != hubforce.Budget {
		t.Fatalf("got %v", err)
	}
	if n := e.sim.Calls()[simRead]; n != 1 {
		t.Fatalf("a spent daily budget was retried: %d calls", n)
	}
}

func TestLockedWaitsAtLeastTwoSeconds(t *testing.T) {
	rc := newHTTPClient(fastPolicy(nopLog()), &Client{})
	resp := &http.Response{StatusCode: http.StatusLocked, Header: http.Header{}}
	if d := rc.Backoff(time.Millisecond, 5*time.Millisecond, 0, resp); d < lockedWait {
		t.Fatalf("423 backoff %v, want ≥ %v", d, lockedWait)
	}
}
