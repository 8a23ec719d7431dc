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
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/metrics"
)

// Inbox commits a request's changes durably (SPEC §3.1). It returns
// only once they are committed; on error nothing of the call was committed.
// Duplicates and stale versions are decided by the store just after, off
// the acknowledgement path (store.WithOnIngested reports the decisions).
type Inbox interface {
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
	Store   Inbox
	Metrics *metrics.Metrics

	// HubSpot verifies webhook signatures.
	HubSpot hubspot.Verifier
	// HubSpotScope acknowledges and drops events for another portal or
	// app; nil processes every signed event.
	HubSpotScope *HubSpotScope
	// SalesforceOrgID refuses outbound messages from any other org.
	SalesforceOrgID string
	// SalesforceGuard admits a Salesforce request or says why not (client
	// certificate, source address). The zero Guard admits everything.
	SalesforceGuard Guard
	// TrustedSalesforce, when set (HUBFORCE_SALESFORCE_TRUST_MESSAGES),
	// takes the values of an Outbound Message as the truth if and only if
	// it came with Salesforce's pinned client certificate; every other
	// notification is a trigger and delivery reads the record back
	// (SPEC §3.14).
	TrustedSalesforce *SalesforceSender

	// BodyLimit caps webhook bodies in bytes (413 past it).
	BodyLimit int64
	// Ready lists the checks readiness depends on: what the bridge needs to
	// accept webhooks durably (the store). One failing answers 503.
	Ready []Check
	// APIs reports, per side (Check.Name is the side), whether calls to
	// that CRM can be made now; Health is the delivery engine's state per
	// direction. Both are named in /readyz's body and never make it fail:
	// a paused connection must not take the bridge off the network while
	// webhooks can still be stored (SPEC §2).
	APIs   []Check
	Health func() []hubforce.Health
	// ReadyTimeout bounds all readiness checks together.
	ReadyTimeout time.Duration
	// Admin registers the operators' routes (admin API, dashboard, Connect
	// flow); nil serves none.
	Admin func(r chi.Router)

	draining atomic.Bool
}

// Drain makes /readyz answer 503 from now on, so that the orchestrator
// stops sending traffic while in-flight requests finish.
func (s *Server) Drain() { s.draining.Store(true) }

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

// readiness is /readyz's body.
type readiness struct {
	Status string `json:"status"` // ready or unavailable
	// Reasons are what makes it unavailable (store, draining); empty
	// while ready.
	Reasons []string `json:"reasons"`
	// Connections says how each side is doing; informational.
	Connections []connection `json:"connections"`
}

// connection is one side's state as /readyz names it.
type connection struct {
	Side hubforce.Side `json:"side"`
	// State is the delivery engine's for deliveries to this side
	// (flowing, failing, paused), or "unknown" without an engine.
	State  hubforce.DeliveryState `json:"state"`
	Reason string                 `json:"reason,omitempty"`
	Since  *time.Time             `json:"since,omitempty"`
	// API is "ok", or why calls to this side cannot be made now (refused
	// credentials, a spent daily budget).
	API string `json:"api"`
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	timeout := s.ReadyTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	body := readiness{Status: "ready", Reasons: []string{}, Connections: s.connections(ctx)}
	if s.draining.Load() {
		body.Reasons = append(body.Reasons, "draining: the process is shutting down")
	}
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
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) connections(ctx context.Context) []connection {
	out := []connection{}
	health := map[hubforce.Side]hubforce.Health{}
	if s.Health != nil {
		for _, h := range s.Health() {
			health[h.To] = h
		}
	}
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		c := connection{Side: side, State: "unknown", API: "ok"}
		if h, ok := health[side]; ok {
			c.State, c.Reason = h.State, h.Reason
			if !h.Since.IsZero() {
				since := h.Since.UTC()
				c.Since = &since
			}
		}
		for _, check := range s.APIs {
			if check.Name == string(side) {
				if err := check.Fn(ctx); err != nil {
					c.API = err.Error()
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// logRequests logs one line per request with the route pattern (never the
// raw path: it may carry ids), status and duration, and feeds the HTTP series.
// Successful requests are logged at debug level: a webhook that went well is
// told by what became of its changes, and /metrics has the counts.
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
		log.WithLevel(accessLevel(ww.Status())).Str("method", r.Method).Str("route", route).Int("status", ww.Status()).
			Float64("duration_ms", float64(elapsed.Microseconds())/1000).Int("bytes", ww.BytesWritten()).Msg("request")
	})
}

// accessLevel: successes are debug; refusals (a bad signature, a body too
// large) are worth an operator's eye; server errors are warnings.
func accessLevel(status int) zerolog.Level {
	switch {
	case status >= 500:
		return zerolog.WarnLevel
	case status >= 400:
		return zerolog.InfoLevel
	}
	return zerolog.DebugLevel
}

func statusCode(code int) string {
	if code == 0 {
		code = http.StatusOK
	}
	return strconv.Itoa(code)
}
