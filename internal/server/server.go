// Package server is hubforce's HTTP front: the two webhook endpoints, the
// health probes and /metrics. Handlers are plain: decode → verify → store →
// respond. The store decides duplicates and stale versions; the handlers only
// make sure nothing is acknowledged before it is durable.
package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/metrics"
)

// Ingester commits a request's changes durably (SPEC §3.1). It returns
// only once they are committed; on error nothing of the call was committed.
// Duplicates and stale versions are decided by the store just after, off
// the acknowledgement path (store.WithOnIngested reports the decisions).
type Ingester interface {
	Receive(ctx context.Context, changes []hubforce.Change) error
}

// Check is one readiness condition; a non-nil error is the reason it is not
// ready.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Server holds what the handlers need. Fields are set by the caller before
// Handler is called and not changed afterwards.
type Server struct {
	Log     zerolog.Logger
	Store   Ingester
	Metrics *metrics.Metrics

	// HubSpot verifies webhook signatures.
	HubSpot hubspot.Verifier
	// SalesforceOrgID refuses outbound messages from any other org.
	SalesforceOrgID string
	// SalesforceGuard admits a Salesforce request or says why not (client
	// certificate, source address). The zero Guard admits everything.
	SalesforceGuard Guard
	// TrustSalesforceValues takes the values an Outbound Message carries as
	// the truth; otherwise every notification is a trigger and delivery
	// reads the record back (SPEC §3.14).
	TrustSalesforceValues bool

	// BodyLimit caps webhook bodies in bytes (413 past it).
	BodyLimit int64
	// Ready lists the readiness checks (store, connections).
	Ready []Check
	// ReadyTimeout bounds all readiness checks together.
	ReadyTimeout time.Duration
	// Admin registers the operators' routes (admin API, dashboard, Connect
	// flow); nil serves none.
	Admin func(r chi.Router)
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(s.logRequests)
	r.Use(middleware.Recoverer)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Method(http.MethodGet, "/metrics", s.Metrics.Handler())
	r.Post("/webhooks/hubspot", s.hubspotWebhook)
	r.Post("/webhooks/salesforce", s.salesforceWebhook)
	if s.Admin != nil {
		s.Admin(r)
	}
	return r
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

type readiness struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	timeout := s.ReadyTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	body := readiness{Status: "ready"}
	for _, c := range s.Ready {
		if err := c.Fn(ctx); err != nil {
			body.Reasons = append(body.Reasons, c.Name+": "+err.Error())
		}
	}
	code := http.StatusOK
	if len(body.Reasons) > 0 {
		body.Status, code = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// logRequests logs one line per request with the route pattern (never the
// raw path: it may carry ids), status and latency, and feeds the HTTP series.
// Bodies and headers are never logged: they carry signatures and personal data.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		log := s.Log.With().Str("request_id", middleware.GetReqID(r.Context())).Logger()
		r = r.WithContext(log.WithContext(r.Context()))
		next.ServeHTTP(ww, r)
		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.Metrics.HTTPRequests.WithLabelValues(r.Method, route, statusCode(ww.Status())).Inc()
		s.Metrics.HTTPDuration.WithLabelValues(r.Method, route).Observe(elapsed.Seconds())
		level := zerolog.InfoLevel
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			level = zerolog.DebugLevel
		}
		log.WithLevel(level).Str("method", r.Method).Str("route", route).Int("status", ww.Status()).
			Dur("latency", elapsed).Int("bytes", ww.BytesWritten()).Msg("request")
	})
}

func statusCode(code int) string {
	if code == 0 {
		code = http.StatusOK
	}
	return strconv.Itoa(code)
}
