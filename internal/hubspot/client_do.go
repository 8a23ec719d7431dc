package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/httpretry"
)

// maxBody bounds what is read of one response (a batch of 100 records with
// every property is well under this).
const maxBody = 32 << 20

// lockedWait is the least wait after 423 Locked: "locks last 2 s, wait at
// least 2 s before retrying" (developers.hubspot.com/docs/api/error-handling).
const lockedWait = 2 * time.Second

type routeKey struct{}

type routeInfo struct {
	pattern string
	search  bool
	// creates: the call makes records, so an attempt whose outcome is
	// unknown (5xx, connection lost) is not repeated here — a blind retry
	// could create them twice. The caller re-checks first (SPEC §3.12).
	creates bool
}

// newHTTPClient is httpretry's client with HubSpot's extra retryable
// statuses and a transport that paces, and reports, every attempt.
func newHTTPClient(p httpretry.Policy, c *Client) *retryablehttp.Client {
	p.Retry = hubspotRetryable(p.Retry)
	rc := httpretry.New(p)
	rc.HTTPClient.Transport = &transport{base: http.DefaultTransport.(*http.Transport).Clone(), c: c}
	check := rc.CheckRetry
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		ri, _ := ctx.Value(routeKey{}).(routeInfo)
		if ri.creates && ctx.Err() == nil && (err != nil || resp.StatusCode >= 500) {
			return false, nil
		}
		return check(ctx, resp, err)
	}
	backoff := rc.Backoff
	rc.Backoff = func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		d := backoff(min, max, attempt, resp)
		if resp != nil && resp.StatusCode == http.StatusLocked && d < lockedWait {
			d = lockedWait
		}
		return d
	}
	return rc
}

// hubspotRetryable adds 423 Locked and 477 Migration in Progress to base
// (error-handling page) and leaves out 429 DAILY: the daily budget does not
// come back within a retry loop.
func hubspotRetryable(base func(*http.Response) bool) func(*http.Response) bool {
	if base == nil {
		base = httpretry.DefaultRetryable
	}
	return func(resp *http.Response) bool {
		switch resp.StatusCode {
		case http.StatusLocked:
			return true
		case 477:
			_, ok := httpretry.RetryAfter(resp)
			return ok
		case http.StatusTooManyRequests:
			if policyOf(peekBody(resp)) == "DAILY" {
				return false
			}
		}
		return base(resp)
	}
}

// peekBody reads resp's body and puts it back for the next reader.
func peekBody(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

func policyOf(body []byte) string {
	var v struct {
		PolicyName string `json:"policyName"`
	}
	_ = json.Unmarshal(body, &v)
	return v.PolicyName
}

// transport waits for the rate limiter before each attempt (retries
// included), feeds it the response headers and reports the call.
type transport struct {
	base http.RoundTripper
	c    *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ri, _ := req.Context().Value(routeKey{}).(routeInfo)
	var err error
	if ri.search {
		err = t.c.search.Wait(req.Context())
	} else {
		err = t.c.limit.wait(req.Context())
	}
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		if !ri.search {
			t.c.limit.observe(resp.Header)
		}
	}
	if t.c.onCall != nil {
		t.c.onCall(ri.pattern, status, time.Since(start))
	}
	return resp, err
}

// do sends one API call with in as its JSON body and decodes a 2xx answer
// into out. It returns the status, or a classified *hubforce.APIError. A 401
// refreshes the token and tries once more (HubSpot: a 401 may mean the token
// expired early).
func (c *Client) do(ctx context.Context, method, route, path string, in, out any) (int, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return 0, fmt.Errorf("hubspot %s: encoding the request: %w", route, err)
		}
	}
	ctx = context.WithValue(ctx, routeKey{}, routeInfo{pattern: c.label(route), search: isSearch(route), creates: route == routeBatchCreate})
	for attempt := 0; ; attempt++ {
		tok, err := c.auth.token(ctx)
		if err != nil {
			return 0, err
		}
		status, raw, hdr, err := c.send(ctx, method, path, body, tok)
		if err != nil {
			return 0, err
		}
		if status == http.StatusUnauthorized && attempt == 0 && c.auth.invalidate(tok) {
			continue
		}
		if status < 200 || status > 299 {
			return status, classify(status, hdr, raw)
		}
		if out != nil && len(raw) > 0 {
			if err := json.Unmarshal(raw, out); err != nil {
				return status, &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Status: status,
					Message: "unreadable response", Err: fmt.Errorf("hubspot %s: decoding the response: %w", route, err)}
			}
		}
		return status, nil
	}
}

func (c *Client) send(ctx context.Context, method, path string, body []byte, tok string) (int, []byte, http.Header, error) {
	var rb any
	if body != nil {
		rb = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, c.base+path, rb)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("hubspot: building the request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL is ours and carries no credential; the error may name it.
		return 0, nil, nil, &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable,
			Message: "request failed", Err: fmt.Errorf("hubspot %s %s: %w", method, path, err)}
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Status: resp.StatusCode,
			Message: "reading the response failed", Err: fmt.Errorf("hubspot %s %s: %w", method, path, err)}
	}
	return resp.StatusCode, raw, resp.Header, nil
}

func isSearch(route string) bool { return strings.HasSuffix(route, "/search") }
