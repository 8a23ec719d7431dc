// Package httpretry builds the outbound HTTP client both CRM adapters use:
// go-retryablehttp with the three things its defaults lack — jitter, a cap on
// Retry-After, and an error handler that hands the last response back so the
// adapter can classify the failure from its body.
package httpretry

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
)

// Policy says how hard to try before the delivery engine's durable
// rescheduling takes over. Keep it short: a change that keeps failing waits
// in the store, not in a goroutine.
type Policy struct {
	// RetryMax is the number of retries after the first attempt.
	RetryMax int
	// WaitMin and WaitMax bound the exponential backoff.
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps what a server may ask for in Retry-After; longer
	// asks end the retries and the answer goes back to the caller, which
	// reschedules durably.
	MaxRetryAfter time.Duration
	// Retry decides whether a response is worth retrying; nil means
	// connection errors, 5xx and 429. Adapters add their own (HubSpot 423
	// and 477, Salesforce UNABLE_TO_LOCK_ROW is per record and not here).
	Retry func(resp *http.Response) bool
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Log receives one line per retry; never a header or body.
	Log zerolog.Logger
}

// DefaultPolicy suits an API call inside a delivery batch.
func DefaultPolicy() Policy {
	return Policy{RetryMax: 3, WaitMin: 200 * time.Millisecond, WaitMax: 5 * time.Second, MaxRetryAfter: 10 * time.Second, Timeout: 30 * time.Second}
}

// New returns a client following p. Its Do returns the last response (body
// unread) when retries are exhausted, rather than go-retryablehttp's default
// of dropping it, so the caller always sees what the server said.
func New(p Policy) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.HTTPClient = &http.Client{Timeout: p.Timeout}
	c.RetryMax = p.RetryMax
	c.RetryWaitMin, c.RetryWaitMax = p.WaitMin, p.WaitMax
	c.Logger = nil
	retry := p.Retry
	if retry == nil {
		retry = DefaultRetryable
	}
	c.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil {
			return true, nil // connection refused, reset, timeout
		}
		if !retry(resp) {
			return false, nil
		}
		if d, ok := RetryAfter(resp); ok && d > p.MaxRetryAfter {
			return false, nil // the caller reschedules for that long
		}
		return true, nil
	}
	c.Backoff = func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		return Backoff(min, max, attempt, resp)
	}
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	c.RequestLogHook = func(_ retryablehttp.Logger, r *http.Request, attempt int) {
		if attempt > 0 {
			p.Log.Debug().Str("method", r.Method).Str("host", r.URL.Host).Int("attempt", attempt).Msg("retrying API call")
		}
	}
	return c
}

// DefaultRetryable: 5xx and 429.
func DefaultRetryable(resp *http.Response) bool {
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
}

// Backoff honours Retry-After when the server sent one, else doubles from min
// up to max with full jitter, so that many workers that failed together do
// not retry together.
func Backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if d, ok := RetryAfter(resp); ok {
		return d
	}
	ceiling := min << attempt
	if ceiling <= 0 || ceiling > max {
		ceiling = max
	}
	if ceiling <= min {
		return min
	}
	return min + rand.N(ceiling-min)
}

// RetryAfter reads a Retry-After header given in seconds or as an HTTP date.
func RetryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
