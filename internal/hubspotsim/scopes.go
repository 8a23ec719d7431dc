// Scopes (developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes):
// a call needs the read or write scope of the object it touches; a token
// without it gets 403 MISSING_SCOPES. The body is the one widely observed
// (category MISSING_SCOPES, errors[].context.requiredGranularScopes), which
// the error-handling page's field list covers.

package hubspotsim

import (
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"
)

// BridgeScopes are the scopes hubforce's app asks for.
func BridgeScopes() []string {
	return []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
		"crm.objects.companies.read", "crm.objects.companies.write"}
}

// developerScope reads an app's webhook settings and subscriptions
// (HubSpot's Webhooks 2026-03 spec, security developers-read).
const developerScope = "developers-read"

func missingScopes(scope string) *APIError {
	e := newErr(http.StatusForbidden, "MISSING_SCOPES",
		"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.")
	e.Errors = []errorDetail{{Message: "One or more of the following scopes are required.",
		Context: map[string][]string{"requiredGranularScopes": {scope}}}}
	e.Links = map[string]string{"scopes": "https://developers.hubspot.com/scopes"}
	return e
}

// scoped requires the read (or write) scope of the route's object type.
// An unknown type passes: the handler answers for it.
func (s *Server) scoped(write bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if t, ok := s.store.types[chi.URLParam(r, "objectType")]; ok {
				scope := "crm.objects." + t.name + ".read"
				if write {
					scope = "crm.objects." + t.name + ".write"
				}
				if !slices.Contains(principalFrom(r.Context()).scopes, scope) {
					writeErr(w, missingScopes(scope))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// developer requires a token that may read the app's own configuration:
// a client-credentials token of the app with developers-read. Tokens of an
// installed app (private-app or OAuth) cannot.
func (s *Server) developer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(principalFrom(r.Context()).scopes, developerScope) {
			writeErr(w, missingScopes(developerScope))
			return
		}
		next.ServeHTTP(w, r)
	})
}
