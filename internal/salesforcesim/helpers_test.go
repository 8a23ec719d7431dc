package salesforcesim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/testkit"
)

const (
	testClientID = "3MVG9test.client"
	testSecret   = "test-secret"
	testRefresh  = "5Aep861test.refresh"
)

type env struct {
	t     *testing.T
	sim   *Server
	srv   *httptest.Server
	clock *testkit.Clock
	token string
}

func newEnv(t *testing.T, mutate func(*Config)) *env {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	cfg := Config{
		ClientID: testClientID, ClientSecret: testSecret, RefreshTokens: []string{testRefresh},
		Now: clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	sim := New(cfg)
	srv := httptest.NewServer(sim.Handler())
	sim.SetURL(srv.URL)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	e := &env{t: t, sim: sim, srv: srv, clock: clock}
	e.token = e.login()
	return e
}

// login runs the client credentials flow and returns the access token.
func (e *env) login() string {
	e.t.Helper()
	status, body := e.form(url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testSecret}})
	if status != http.StatusOK {
		e.t.Fatalf("login: %d %s", status, body)
	}
	var tr map[string]any
	if err := json.Unmarshal(body, &tr); err != nil {
		e.t.Fatalf("login: %v", err)
	}
	return tr["access_token"].(string)
}

func (e *env) form(v url.Values) (int, []byte) {
	e.t.Helper()
	resp, err := http.PostForm(e.srv.URL+"/services/oauth2/token", v)
	if err != nil {
		e.t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// do calls the REST API under /services/data/v66.0 (path without it) or a
// full path starting with /services.
func (e *env) do(method, path string, body any) (*http.Response, []byte) {
	e.t.Helper()
	if !strings.HasPrefix(path, "/services") {
		path = "/services/data/v66.0" + path
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// expect checks the status and decodes the body into v (when non-nil).
func (e *env) expect(method, path string, body any, status int, v any) *http.Response {
	e.t.Helper()
	resp, b := e.do(method, path, body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, status, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp
}

type restErr struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}
