package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/hubforce/hubforce"
)

// maxBody bounds a response read into memory: a 2,000-record query page
// with long text fields stays well below it.
const maxBody = 64 << 20

// call is one REST request.
type call struct {
	method string
	route  string // metrics pattern, never an id
	path   string // from the instance root, query included
	body   any
	create bool // the outcome of a lost answer is unknown: do not resend
}

type createKey struct{}

// createAware keeps the transport from resending a create whose answer was
// lost or was a 5xx other than 503 (which says the request was not taken):
// go-retryablehttp would otherwise repeat the POST and could make a record
// twice (WIRE.md, library pitfalls). The engine re-checks instead.
func createAware(next retryablehttp.CheckRetry) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Value(createKey{}) != nil && ctx.Err() == nil && (err != nil || resp.StatusCode != http.StatusServiceUnavailable) {
			return false, nil
		}
		return next(ctx, resp, err)
	}
}

// do sends cl with the current access token and decodes a 2xx answer into
// out. A 401 renews the token and sends again once (twice when the first
// renewal only adopted a token another replica had, which may itself be
// stale). Failures are *hubforce.APIError.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent, Message: "encode request", Err: err}
		}
	}
	adopted := false
	for attempt := 0; ; attempt++ {
		s, err := c.auth.current(ctx)
		if err != nil {
			return err
		}
		resp, body, err := c.send(ctx, cl, s, payload)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusUnauthorized && (attempt == 0 || (attempt == 1 && adopted)) {
			// Salesforce sends no expires_in: a 401 INVALID_SESSION_ID is
			// how an expired session shows (REST "Status Codes and Error
			// Responses"; restforce/restforce#284).
			if adopted, err = c.auth.renew(ctx, s.access, false); err != nil {
				return err
			}
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			aerr := callError(resp, body)
			if aerr.Class == hubforce.Budget {
				c.limits.setSpent(aerr)
			}
			if cl.create && resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
				aerr.Err = ErrOutcomeUnknown
			}
			return aerr
		}
		c.limits.setSpent(nil)
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			aerr := &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Retryable, Status: resp.StatusCode,
				Message: "unreadable answer to " + cl.route, Err: err}
			if cl.create {
				aerr.Err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
			}
			return aerr
		}
		return nil
	}
}

// send makes one exchange (with the transport's retries) and reads the
// body. The access token goes only into the Authorization header.
func (c *Client) send(ctx context.Context, cl call, s session, payload []byte) (*http.Response, []byte, error) {
	rctx := ctx
	if cl.create {
		rctx = context.WithValue(ctx, createKey{}, true)
	}
	var body any
	if payload != nil {
		body = payload
	}
	req, err := retryablehttp.NewRequestWithContext(rctx, cl.method, s.instanceURL+cl.path, body)
	if err != nil {
		return nil, nil, &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent, Message: "build request for " + cl.route, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+s.access)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	c.observe(cl.route, status, time.Since(start))
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		// The URL may hold a SOQL query with people's addresses: name the
		// route instead.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("%s %s: %w", ue.Op, cl.route, ue.Err)
		}
		aerr := connError(err)
		if cl.create {
			aerr.Err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		return nil, nil, aerr
	}
	defer resp.Body.Close()
	c.limits.observe(resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		aerr := connError(fmt.Errorf("read answer to %s: %w", cl.route, err))
		if cl.create {
			aerr.Err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, aerr.Err)
		}
		return nil, nil, aerr
	}
	return resp, bytes.TrimSpace(data), nil
}

func (c *Client) observe(route string, status int, d time.Duration) {
	c.cfg.Log.Debug().Str("route", route).Int("status", status).Stringer("took", d).Msg("salesforce: call")
	if c.cfg.OnCall != nil {
		c.cfg.OnCall(route, status, d)
	}
}

// hookTransport reports token endpoint exchanges to OnCall.
type hookTransport struct {
	next   http.RoundTripper
	route  string
	onCall func(string, int, time.Duration)
}

func (h *hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := h.next.RoundTrip(r)
	if h.onCall != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		h.onCall(h.route, status, time.Since(start))
	}
	return resp, err
}
