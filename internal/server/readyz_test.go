package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/metrics"
	"github.com/hubforce/hubforce/internal/server"
)

type readyBody struct {
	Status      string   `json:"status"`
	Reasons     []string `json:"reasons"`
	Connections []struct {
		Side   string     `json:"side"`
		State  string     `json:"state"`
		Reason string     `json:"reason"`
		Since  *time.Time `json:"since"`
		API    string     `json:"api"`
	} `json:"connections"`
}

func readyz(t *testing.T, s *server.Server) (int, readyBody) {
	t.Helper()
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var b readyBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("readyz body %q: %v", w.Body, err)
	}
	return w.Code, b
}

// Readiness means "can durably accept webhooks" (SPEC §2): a paused or
// failing connection is named in the body and keeps the answer 200; only
// the store or draining make it 503.
func TestReadyzNamesConnectionsWithoutFailing(t *testing.T) {
	since := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var storeErr error
	s := &server.Server{
		Log: zerolog.New(io.Discard), Metrics: metrics.New(),
		Ready: []server.Check{{Name: "store", Fn: func(context.Context) error { return storeErr }}},
		APIs: []server.Check{
			{Name: "hubspot", Fn: func(context.Context) error { return nil }},
			{Name: "salesforce", Fn: func(context.Context) error { return errors.New("refresh token refused: invalid_grant") }},
		},
		Health: func() []hubforce.Health {
			return []hubforce.Health{
				{To: hubforce.HubSpot, State: hubforce.Failing, Reason: "HTTP 502", Since: since},
				{To: hubforce.Salesforce, State: hubforce.Paused, Reason: "refresh token refused: invalid_grant", Since: since},
			}
		},
	}
	code, b := readyz(t, s)
	if code != http.StatusOK || b.Status != "ready" || len(b.Reasons) != 0 || len(b.Connections) != 2 {
		t.Fatalf("readyz %d %+v: want 200 ready with both connections named", code, b)
	}
	hs, sf := b.Connections[0], b.Connections[1]
	if hs.Side != "hubspot" || hs.State != "failing" || hs.Reason != "HTTP 502" || hs.API != "ok" || hs.Since == nil || !hs.Since.Equal(since) {
		t.Errorf("hubspot %+v", hs)
	}
	if sf.Side != "salesforce" || sf.State != "paused" || sf.API != "refresh token refused: invalid_grant" {
		t.Errorf("salesforce %+v", sf)
	}

	storeErr = errors.New("database is locked")
	if code, b = readyz(t, s); code != http.StatusServiceUnavailable || b.Status != "unavailable" ||
		len(b.Reasons) != 1 || b.Reasons[0] != "store: database is locked" {
		t.Fatalf("store down: readyz %d %+v, want 503 naming the store", code, b)
	}
	storeErr = nil
	s.Drain()
	if code, b = readyz(t, s); code != http.StatusServiceUnavailable || len(b.Reasons) != 1 || b.Reasons[0] != "draining: the process is shutting down" {
		t.Fatalf("draining: readyz %d %+v, want 503", code, b)
	}
}

func TestReadyzWithoutEngine(t *testing.T) {
	s := &server.Server{Log: zerolog.New(io.Discard), Metrics: metrics.New()}
	code, b := readyz(t, s)
	if code != http.StatusOK || len(b.Connections) != 2 || b.Connections[0].State != "unknown" || b.Connections[1].API != "ok" {
		t.Fatalf("readyz %d %+v", code, b)
	}
}
