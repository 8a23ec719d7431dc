package httpretry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

func fastPolicy() Policy {
	p := DefaultPolicy()
	p.WaitMin, p.WaitMax, p.MaxRetryAfter = time.Millisecond, 5*time.Millisecond, 2*time.Second
	return p
}

func TestRetriesThenReturnsLastResponseWithBody(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"message":"down"}`)
	}))
	defer ts.Close()
	c := New(fastPolicy())
	req, _ := retryablehttp.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("want the last response, got error %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || string(body) != `{"message":"down"}` {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	if n := calls.Load(); n != 4 {
		t.Fatalf("want 1 attempt + 3 retries, got %d", n)
	}
}

func TestDoesNotRetryClientErrors(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer ts.Close()
	req, _ := retryablehttp.NewRequest(http.MethodPost, ts.URL, []byte("{}"))
	resp, err := New(fastPolicy()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if calls.Load() != 1 {
		t.Fatalf("400 retried: %d calls", calls.Load())
	}
}

func TestLongRetryAfterIsHandedBack(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer ts.Close()
	req, _ := retryablehttp.NewRequest(http.MethodGet, ts.URL, nil)
	resp, err := New(fastPolicy()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if calls.Load() != 1 || resp.StatusCode != 429 {
		t.Fatalf("a Retry-After over the cap must end retries: %d calls, %d", calls.Load(), resp.StatusCode)
	}
}

func TestShortRetryAfterHonoured(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	req, _ := retryablehttp.NewRequest(http.MethodGet, ts.URL, nil)
	resp, err := New(fastPolicy()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 204 || calls.Load() != 2 {
		t.Fatalf("got %d after %d calls", resp.StatusCode, calls.Load())
	}
}

func TestBackoffJitterStaysInBounds(t *testing.T) {
	min, max := 100*time.Millisecond, 2*time.Second
	seen := map[time.Duration]bool{}
	for attempt := range 8 {
		for range 50 {
			d := Backoff(min, max, attempt, nil)
			if d < min || d > max {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, min, max)
			}
			seen[d] = true
		}
	}
	if len(seen) < 50 {
		t.Fatalf("backoff has too little jitter: %d distinct values", len(seen))
	}
}

func TestRetryAfterForms(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{{"", 0, false}, {"5", 5 * time.Second, true}, {"soon", 0, false}} {
		resp := &http.Response{Header: http.Header{}}
		if tc.v != "" {
			resp.Header.Set("Retry-After", tc.v)
		}
		d, ok := RetryAfter(resp)
		if d != tc.want || ok != tc.ok {
			t.Errorf("%q: got %v %v", tc.v, d, ok)
		}
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}}
	if d, ok := RetryAfter(resp); !ok || d < 58*time.Minute {
		t.Errorf("HTTP date form: %v %v", d, ok)
	}
}
