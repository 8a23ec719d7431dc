// Date-based API versions (developers.hubspot.com/docs/developer-tooling/platform/versioning):
// a version is named YYYY-MM, ships each March and September, and every API
// path carries it (/crm/objects/2026-03/contacts). The legacy numeric paths
// (/crm/v3, /crm/v4, /oauth/v1, /webhooks/v3) answer as before until their
// retirement.

package hubspotsim

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
)

// DefaultAPIVersions are the dated versions served by default: those with a
// published specification for every API the bridge uses
// (HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/CRM/*/2026-03
// and 2026-09).
var DefaultAPIVersions = []string{"2026-03", "2026-09"}

var datedSegment = regexp.MustCompile(`/\d{4}-\d{2}(/|$)`)

// servedVersion answers 404 for a {version} the simulator does not serve;
// extra names non-dated versions also accepted on that route.
func (s *Server) servedVersion(extra ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := chi.URLParam(r, "version")
			if !slices.Contains(s.cfg.APIVersions, v) && !slices.Contains(extra, v) {
				writeErr(w, notFound())
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// onlyVersions limits a dated route to the versions whose specification
// has it.
func (s *Server) onlyVersions(vs ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !slices.Contains(vs, chi.URLParam(r, "version")) {
				writeErr(w, notFound())
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// LegacyCalls are the calls counted on numeric-version paths (/crm/v3,
// /crm/v4, /oauth/v1, /oauth/v3, /webhooks/v3), which HubSpot retires in
// 2027; an integration built today makes none.
func (s *Server) LegacyCalls() map[string]int {
	out := map[string]int{}
	for k, v := range s.Calls() {
		_, path, _ := strings.Cut(k, " ")
		if strings.HasPrefix(path, "/_sim/") || path == "/oauth/authorize" || datedSegment.MatchString(path) {
			continue
		}
		out[k] = v
	}
	return out
}
