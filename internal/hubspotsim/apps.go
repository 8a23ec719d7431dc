package hubspotsim

import (
	"net/http"
	"strings"
)

// sourceOf is who made an API write: the app whose token authenticated it.
// Writes through the API show changeSource INTEGRATION with that app's id as
// sourceId (observed; the bridge tells its own writes by it), whether the
// token is the bridge's (Config.AppID) or another app's
// (Config.OtherAppTokens).
func (s *Server) sourceOf(r *http.Request) Source {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		if app, other := s.cfg.OtherAppTokens[strings.TrimSpace(tok)]; other {
			return Integration(app)
		}
	}
	return s.source()
}
