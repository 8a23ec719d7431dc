// The app's webhook configuration as HubSpot's webhooks management API
// tells it: GET /webhooks/{version}/{appId}/settings (SettingsResponse:
// targetUrl, throttling.maxConcurrentRequests, createdAt) and
// …/subscriptions (SubscriptionListResponse: id, eventType, propertyName,
// active, createdAt), HubSpot's Webhooks 2026-03 spec. They need a token of
// the app itself with developers-read (a client-credentials token: webhooks
// guide, developers.hubspot.com/docs/api-reference/2026-03/webhooks/guide);
// an installed app's token gets 403 MISSING_SCOPES.

package hubspotsim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// appOf answers 404 unless the path names the simulated app.
func (s *Server) appOf(w http.ResponseWriter, r *http.Request) bool {
	if chi.URLParam(r, "appId") != strconv.FormatInt(s.cfg.AppID, 10) {
		writeErr(w, newErr(http.StatusNotFound, "OBJECT_NOT_FOUND", "App "+chi.URLParam(r, "appId")+" not found"))
		return false
	}
	return true
}

func (s *Server) handleWebhookSettings(w http.ResponseWriter, r *http.Request) {
	if !s.appOf(w, r) {
		return
	}
	s.hooks.mu.Lock()
	target := s.hooks.cfg.WebhookURL
	s.hooks.mu.Unlock()
	if target == "" {
		writeErr(w, newErr(http.StatusNotFound, "OBJECT_NOT_FOUND", "No webhook settings found for app "+chi.URLParam(r, "appId")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"targetUrl": target, "createdAt": isoMillis(s.created),
		"throttling": map[string]int{"maxConcurrentRequests": s.cfg.MaxConcurrent}})
}

func (s *Server) handleWebhookSubscriptions(w http.ResponseWriter, r *http.Request) {
	if !s.appOf(w, r) {
		return
	}
	type sub struct {
		ID           string `json:"id"`
		EventType    string `json:"eventType"`
		PropertyName string `json:"propertyName,omitempty"`
		Active       bool   `json:"active"`
		CreatedAt    string `json:"createdAt"`
	}
	out := []sub{}
	for i, typ := range s.cfg.Subscriptions {
		event, prop, _ := strings.Cut(typ, ":")
		out = append(out, sub{ID: strconv.Itoa(1000 + i), EventType: event, PropertyName: prop, Active: true,
			CreatedAt: isoMillis(s.created)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}
