package hubspotsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/testkit"
)

const (
	testToken  = "pat-na1-test-token"
	testSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
)

// newClock starts the tests' clock.
func newClock() *testkit.Clock { return testkit.NewClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)) }

type harness struct {
	sim   *hubspotsim.Server
	api   *httptest.Server
	clock *testkit.Clock
}

// newHarness starts a simulator on a real listener. cfg's Now defaults to a
// fake clock unless the test sets one.
func newHarness(t *testing.T, cfg hubspotsim.Config) *harness {
	t.Helper()
	h := &harness{clock: newClock()}
	if cfg.Now == nil {
		cfg.Now = h.clock.Now
	}
	if cfg.PrivateAppTokens == nil {
		cfg.PrivateAppTokens = []string{testToken}
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = testSecret
	}
	h.sim = hubspotsim.New(cfg)
	h.api = httptest.NewServer(h.sim.Handler())
	t.Cleanup(func() {
		h.api.Close()
		h.sim.Close()
	})
	return h
}

type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %v: %s", r.status, err, r.raw)
	}
	return m
}

// do sends one API request with the test's private-app token.
func (h *harness) do(t *testing.T, method, path string, body any) response {
	t.Helper()
	return h.doAs(t, testToken, method, path, body)
}

func (h *harness) doAs(t *testing.T, token, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.api.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body %s", r.status, want, r.raw)
	}
}

// received is one webhook POST as the receiver saw it.
type received struct {
	header http.Header
	url    string
	body   []byte
	events []map[string]any
}

// receiver is a webhook endpoint that records every POST and answers with
// the status reply returns for the n-th request (0-based).
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []received
	reply func(n int) int
	serve func(w http.ResponseWriter, r *http.Request, n int)
}

func newReceiver(t *testing.T, reply func(n int) int) *receiver {
	return newReceiverFunc(t, reply, nil)
}

// newReceiverFunc records like newReceiver, then lets serve answer.
func newReceiverFunc(t *testing.T, reply func(n int) int, serve func(w http.ResponseWriter, r *http.Request, n int)) *receiver {
	t.Helper()
	rc := &receiver{reply: reply, serve: serve}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var evs []map[string]any
		_ = json.Unmarshal(body, &evs)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, received{header: r.Header.Clone(), url: r.URL.String(), body: body, events: evs})
		rc.mu.Unlock()
		if rc.serve != nil {
			rc.serve(w, r, n)
			return
		}
		status := http.StatusNoContent
		if rc.reply != nil {
			status = rc.reply(n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// events flattens every received event.
func (rc *receiver) events() []map[string]any {
	var out []map[string]any
	for _, r := range rc.requests() {
		out = append(out, r.events...)
	}
	return out
}

func waitIdle(t *testing.T, sim *hubspotsim.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatalf("webhooks never went idle: %v", err)
	}
}

// eventsOfType filters events by subscriptionType.
func eventsOfType(evs []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, e := range evs {
		if e["subscriptionType"] == typ {
			out = append(out, e)
		}
	}
	return out
}

func createContact(t *testing.T, h *harness, props map[string]string) map[string]any {
	t.Helper()
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{"properties": props})
	wantStatus(t, r, http.StatusCreated)
	return r.json(t)
}
