package salesforcesim

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type session struct {
	userID string
	issued time.Time
	// person is a Config.UserSessions token: it never expires.
	person bool
}

type ctxKey struct{}

// userOf returns the user the request's session belongs to.
func userOf(r *http.Request) string {
	u, _ := r.Context().Value(ctxKey{}).(string)
	return u
}

// authenticate accepts "Authorization: Bearer <token>" (and the older
// "OAuth <token>") for a live session.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			tok, ok = strings.CutPrefix(h, "OAuth ")
		}
		s.mu.Lock()
		sess, found := s.sessions[strings.TrimSpace(tok)]
		if found && !sess.person && !s.cfg.Now().Before(sess.issued.Add(s.cfg.SessionTTL)) {
			delete(s.sessions, strings.TrimSpace(tok))
			found = false
		}
		s.mu.Unlock()
		if !ok || !found {
			writeAPIError(w, errSession())
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess.userID)))
	})
}

// meter counts the request against the daily allocation and sets
// Sforce-Limit-Info on the answer (REST API "Limit Info Header",
// developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
// A spent allocation answers 403 REQUEST_LIMIT_EXCEEDED.
func (s *Server) meter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		now := s.cfg.Now()
		spent := s.used.total(now) >= s.cfg.DailyAPILimit
		if !spent {
			s.used.add(now, 1)
		}
		s.mu.Unlock()
		s.setLimitHeader(w)
		if spent {
			writeAPIError(w, errDailyLimit())
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) setLimitHeader(w http.ResponseWriter) {
	s.mu.Lock()
	v := fmt.Sprintf("api-usage=%d/%d", s.used.total(s.cfg.Now()), s.cfg.DailyAPILimit)
	s.mu.Unlock()
	w.Header().Set("Sforce-Limit-Info", v)
}

// faultUnavailable is the simulated 5xx. Salesforce answers an overloaded
// or unavailable instance with 503 and SERVER_UNAVAILABLE ("Server too
// busy", as reported in restforce/restforce#156 and handled in #568/#570).
func (s *Server) faultUnavailable(w http.ResponseWriter, _ *http.Request) {
	s.setLimitHeader(w)
	writeAPIError(w, apiErr(http.StatusServiceUnavailable, "SERVER_UNAVAILABLE", "Server too busy"))
}

// faultConcurrent stands in for simfault's 429: Salesforce REST has no 429;
// too many concurrent long-running requests are refused with 403
// REQUEST_LIMIT_EXCEEDED and a ConcurrentRequests message
// (SalesforceLabs/OrgCheck#432; REST errorcodes page: "403 … If the error
// code is REQUEST_LIMIT_EXCEEDED, you've exceeded API request limits").
func (s *Server) faultConcurrent(w http.ResponseWriter, _ *http.Request) {
	s.setLimitHeader(w)
	writeAPIError(w, apiErr(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED",
		"ConcurrentRequests (Concurrent API Requests) Limit exceeded."))
}

// ExpireSessions ends every session: the next REST call answers 401
// INVALID_SESSION_ID and the client must get a new token.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	for tok, sess := range s.sessions {
		if !sess.person {
			delete(s.sessions, tok)
		}
	}
	s.mu.Unlock()
}

// RefuseRefresh makes the refresh-token grant answer invalid_grant (a
// revoked or expired refresh token) while on.
func (s *Server) RefuseRefresh(on bool) {
	s.mu.Lock()
	s.refuseRefresh = on
	s.mu.Unlock()
}

// SpendDailyLimit uses up the daily allocation (for the next 24 h).
func (s *Server) SpendDailyLimit() { s.SetDailyUsage(s.cfg.DailyAPILimit) }

// SetDailyUsage sets the number of requests counted in the rolling 24 h
// window, as if they were all made now (they age out 24 h later).
func (s *Server) SetDailyUsage(used int) {
	s.mu.Lock()
	s.used.set(s.cfg.Now(), used)
	s.mu.Unlock()
}

// DailyUsage returns the requests counted and the allocation.
func (s *Server) DailyUsage() (used, limit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used.total(s.cfg.Now()), s.cfg.DailyAPILimit
}

// handleLimits serves GET /limits in the shape of "List Organization
// Limits" (resources_limits.htm): each limit {"Max","Remaining"}.
func (s *Server) handleLimits(w http.ResponseWriter, _ *http.Request) {
	used, limit := s.DailyUsage()
	type lim struct {
		Max       int `json:"Max"`
		Remaining int `json:"Remaining"`
	}
	writeJSON(w, http.StatusOK, map[string]lim{
		"ConcurrentAsyncGetReportInstances": {200, 200},
		"ConcurrentSyncReportRuns":          {20, 20},
		"DailyApiRequests":                  {limit, max(limit-used, 0)},
		"DailyAsyncApexExecutions":          {250000, 250000},
		"DailyBulkApiRequests":              {5000, 5000},
		"DailyBulkV2QueryJobs":              {10000, 10000},
	})
}

// versionLabels names the releases of the versions the simulator may serve.
var versionLabels = map[string]string{
	"64.0": "Summer '25", "65.0": "Winter '26", "66.0": "Spring '26", "67.0": "Summer '26", "68.0": "Winter '27",
}

// handleVersions serves GET /services/data/ (no authentication, no
// Sforce-Limit-Info: the docs exempt the Versions resource).
func (s *Server) handleVersions(w http.ResponseWriter, _ *http.Request) {
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	out := []version{}
	for _, v := range s.cfg.APIVersions {
		n := strings.TrimPrefix(v, "v")
		out = append(out, version{Label: versionLabels[n], URL: "/services/data/" + v, Version: n})
	}
	writeJSON(w, http.StatusOK, out)
}
