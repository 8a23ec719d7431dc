package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// HubSpot's per-app limit is a rolling window (X-HubSpot-RateLimit-Max
// requests per X-HubSpot-RateLimit-Interval-Milliseconds), documented at
// developers.hubspot.com/docs/api/usage-details. A plain token bucket with
// burst b and rate Max/Interval lets b+Max requests into one window, so the
// bucket refills at (Max-b-margin)/Interval: then no window of Interval ever
// holds more than Max of this client's requests, with a margin for network
// jitter reordering arrivals at HubSpot.
const (
	defaultRateMax      = 100 // Free/Starter private apps, until headers say otherwise
	defaultRateInterval = 10 * time.Second
	// CRM search has its own limit (5 requests/s per account) and answers
	// without rate-limit headers (search-the-crm page, "Limitations").
	defaultSearchPerSecond = 5
)

// rateLimiter paces calls against the ten-second window. It starts cautious
// (one request at a time at the default rate) and is reshaped by the headers
// of every response; Remaining from another replica's use drains the bucket
// so that the shared window is not overrun either.
type rateLimiter struct {
	lim *rate.Limiter

	mu        sync.Mutex
	max       int
	remaining int
	interval  time.Duration
	seen      bool
	// pausedUntil holds every call back after a response said the window
	// is spent: its oldest request leaves it within one interval.
	pausedUntil time.Time
}

func newRateLimiter() *rateLimiter {
	return &rateLimiter{lim: rate.NewLimiter(windowRate(defaultRateMax, 1, defaultRateInterval), 1)}
}

// windowRate is the refill rate that keeps a bucket of burst b inside max
// requests per interval.
func windowRate(limit, burst int, interval time.Duration) rate.Limit {
	margin := max(1, limit/50)
	n := limit - burst - margin
	if n < 1 {
		n = 1
	}
	return rate.Limit(float64(n) / interval.Seconds())
}

func burstFor(limit int) int { return max(1, limit/10) }

// wait blocks until a request may be sent, or ctx ends.
func (r *rateLimiter) wait(ctx context.Context) error {
	r.mu.Lock()
	pause := time.Until(r.pausedUntil)
	r.mu.Unlock()
	if pause > 0 {
		t := time.NewTimer(pause)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the HubSpot rate limit: %w", ctx.Err())
		}
	}
	if err := r.lim.Wait(ctx); err != nil {
		return fmt.Errorf("waiting for the HubSpot rate limit: %w", err)
	}
	return nil
}

// observe feeds the rate-limit headers of one response into the bucket.
// Responses without them (search, errors before the limiter) change nothing.
func (r *rateLimiter) observe(h http.Header) {
	limit, err1 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Max"))
	remaining, err2 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Remaining"))
	if err1 != nil || err2 != nil || limit <= 0 {
		return
	}
	interval := defaultRateInterval
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		interval = time.Duration(ms) * time.Millisecond
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen || limit != r.max || interval != r.interval {
		b := burstFor(limit)
		r.lim.SetLimit(windowRate(limit, b, interval))
		r.lim.SetBurst(b)
	}
	r.seen, r.max, r.remaining, r.interval = true, limit, remaining, interval
	// Never hold more tokens than HubSpot says are left in the window: the
	// rest were spent by other replicas sharing the app's limit.
	now := time.Now()
	if excess := int(r.lim.TokensAt(now)) - remaining; excess > 0 {
		r.lim.AllowN(now, excess)
	}
	if remaining <= 0 {
		r.pausedUntil = now.Add(interval)
	}
}

func (r *rateLimiter) budget() (remaining, max int, interval time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.remaining, r.max, r.interval
}

// newSearchLimiter paces CRM search below its per-second limit with the same
// window reasoning as above: burst 1 at 90 % of (limit-1) per second.
func newSearchLimiter(perSecond int) *rate.Limiter {
	n := float64(max(perSecond-1, 1)) * 0.9
	return rate.NewLimiter(rate.Limit(n), 1)
}
