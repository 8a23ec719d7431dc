package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

const testToken = "s3cret-admin-token-for-tests"

// env is an admin API over a real SQLite store.
type env struct {
	t     *testing.T
	st    store.Store
	api   *API
	h     http.Handler
	seq   atomic.Int64
	logs  *strings.Builder
	clock time.Time
}

func newEnv(t *testing.T, mod ...func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "hubforce.db")
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &env{t: t, st: st, logs: &strings.Builder{}, clock: time.Now()}
	cfg := Config{Token: testToken, Store: st.(Store), Log: zerolog.New(e.logs), Now: func() time.Time { return e.clock }}
	for _, m := range mod {
		m(&cfg)
	}
	if e.api, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	e.h = e.api.Handler()
	return e
}

// ingest commits one HubSpot-side (or Salesforce-side) change and returns
// it.
func (e *env) ingest(side hubforce.Side, obj hubforce.Object, record string, fields map[string]string) hubforce.Change {
	e.t.Helper()
	n := e.seq.Add(1)
	c := hubforce.Change{Side: side, Object: obj, RecordID: record, Kind: hubforce.KindUpdate,
		DeliveryID: fmt.Sprintf("d-%d", n), Version: time.Date(2026, 2, 1, 12, 0, 0, int(n), time.UTC), Fields: fields}
	d, err := e.st.Ingest(context.Background(), []hubforce.Change{c})
	if err != nil || d[0] != hubforce.Accepted {
		e.t.Fatalf("ingest %s: %v, %v", record, d, err)
	}
	return c
}

// deadLetter ingests a change on side and dead-letters it with category;
// it returns the dead letter's id.
func (e *env) deadLetter(side hubforce.Side, record, category string) int64 {
	e.t.Helper()
	ctx := context.Background()
	e.ingest(side, hubforce.Contact, record, map[string]string{"email": "a@example.com"})
	claimed, err := e.st.Claim(ctx, side.Other(), "test", 100, time.Minute)
	if err != nil || len(claimed) == 0 {
		e.t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := e.st.DeadLetter(ctx, claimed, store.Failure{Category: category, Code: "REQUIRED_FIELD_MISSING",
		Message: "Required fields are missing: [LastName]"}); err != nil {
		e.t.Fatal(err)
	}
	list, err := e.st.DeadLetters(ctx, store.DeadLetterFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Change.RecordID == record {
			return list[i].ID
		}
	}
	e.t.Fatalf("dead letter for %s not found", record)
	return 0
}

func (e *env) pending(to hubforce.Side) int64 {
	e.t.Helper()
	q, err := e.st.QueueStats(context.Background(), to)
	if err != nil {
		e.t.Fatal(err)
	}
	return q.Pending
}

type req struct {
	method, path, body string
	auth               string // bearer token; "" sends none
	cookie             *http.Cookie
	form               url.Values
	remote, forwarded  string // peer address and X-Forwarded-For; "" keeps httptest's
}

func (e *env) do(r req) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader = strings.NewReader(r.body)
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.auth != "" {
		hr.Header.Set("Authorization", "Bearer "+r.auth)
	}
	if r.cookie != nil {
		hr.AddCookie(r.cookie)
	}
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	if r.forwarded != "" {
		hr.Header.Set("X-Forwarded-For", r.forwarded)
	}
	if r.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w
}

// get is an authorised API GET decoded into out.
func (e *env) get(path string, out any) {
	e.t.Helper()
	w := e.do(req{method: http.MethodGet, path: path, auth: testToken})
	if w.Code != http.StatusOK {
		e.t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, w.Body)
	}
}

// login signs in through the form and returns the session cookie.
func (e *env) login() *http.Cookie {
	e.t.Helper()
	w := e.do(req{method: http.MethodPost, path: "/dashboard/login", form: url.Values{"token": {testToken}}})
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("login = %d %s", w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	e.t.Fatal("login set no session cookie")
	return nil
}

// wantError checks the one error shape.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	var e apiError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error body %s (%v), want code %q with a message", w.Body, err, code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
