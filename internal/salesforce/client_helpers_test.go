package salesforce

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/httpretry"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/testkit"
)

const (
	testClientID = "3MVG9client.test"
	testSecret   = "client-secret-do-not-log"
	testRefresh  = "5Aep861refresh-do-not-log"
	tokenRoute   = "POST /services/oauth2/token"
)

type fixture struct {
	hook  atomic.Pointer[func(http.ResponseWriter, *http.Request) bool]
	t     *testing.T
	sim   *salesforcesim.Server
	srv   *httptest.Server
	clock *testkit.Clock
	logs  *testkit.LogBuffer
}

func newFixture(t *testing.T, mutate func(*salesforcesim.Config)) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	cfg := salesforcesim.Config{
		ClientID: testClientID, ClientSecret: testSecret, RefreshTokens: []string{testRefresh},
		Now: clk.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	sim := salesforcesim.New(cfg)
	f := &fixture{t: t, sim: sim, clock: clk, logs: &testkit.LogBuffer{}}
	h := sim.Handler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fn := f.hook.Load(); fn != nil && (*fn)(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	}))
	sim.SetURL(f.srv.URL)
	t.Cleanup(func() { f.srv.Close(); sim.Close() })
	return f
}

// intercept lets fn answer a request before the simulator (it returns
// true when it did).
func (f *fixture) intercept(fn func(http.ResponseWriter, *http.Request) bool) { f.hook.Store(&fn) }

// client builds a refresh token client logging at debug into f.logs, with
// a fast retry policy.
func (f *fixture) client(mutate func(*ClientConfig)) *Client {
	f.t.Helper()
	cfg := ClientConfig{
		LoginURL: f.srv.URL, ClientID: testClientID, ClientSecret: testSecret, RefreshToken: testRefresh,
		Policy: httpretry.Policy{RetryMax: 2, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond,
			MaxRetryAfter: time.Second, Timeout: 5 * time.Second},
		Log: zerolog.New(f.logs).Level(zerolog.DebugLevel),
		Now: f.clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		f.t.Fatalf("NewClient: %v", err)
	}
	return c
}

// calls returns how often the simulator served route ("POST
// /composite/sobjects"; the version prefix is added).
func (f *fixture) calls(route string) int {
	for k, v := range f.sim.Calls() {
		if k == route || k == addVersion(route) {
			return v
		}
	}
	return 0
}

func addVersion(route string) string {
	for i := 0; i < len(route); i++ {
		if route[i] == ' ' {
			return route[:i+1] + "/services/data/{version}" + route[i+1:]
		}
	}
	return route
}

// mustCreate creates a record as a UI user would.
func (f *fixture) mustCreate(sobject string, fields map[string]any) string {
	f.t.Helper()
	id, err := f.sim.Create(sobject, fields, "005000000000009AAA")
	if err != nil {
		f.t.Fatalf("sim create: %v", err)
	}
	return id
}

// apiErr asserts err is an *hubforce.APIError of class want.
func apiErr(t *testing.T, err error, want hubforce.Class) *hubforce.APIError {
	t.Helper()
	var ae *hubforce.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *hubforce.APIError", err, err)
	}
	if ae.Class != want {
		t.Fatalf("class = %s, want %s (%v)", ae.Class, want, ae)
	}
	return ae
}
