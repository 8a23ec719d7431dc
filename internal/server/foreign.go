package server

import (
	"strconv"
	"sync"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/hubspot"
)

// Foreign events are signed with the app's secret but come from a portal
// this bridge does not serve, or name another app: an app installed in
// several portals gets them all (SPEC §3.14). They are acknowledged, so that
// HubSpot does not retry them for a day, and never processed.
const (
	foreignPortal = "portal"
	foreignApp    = "app"
)

// HubSpotScope is whose events the HubSpot endpoint processes.
type HubSpotScope struct {
	// Portal is the connected portal's id, 0 while it is not known yet
	// (the first start, before HubSpot has answered): events are then not
	// judged by portal.
	Portal func() int64
	// AppID is HUBFORCE_HUBSPOT_APP_ID; 0 judges no app.
	AppID int64

	mu     sync.Mutex
	logged map[string]bool // "portal 123", "app 456": logged once each
}

// keep returns the events of this portal and app, and counts and logs (once
// per foreign portal or app) the others.
func (s *Server) keepOwn(events []hubspot.Event, log *zerolog.Logger) []hubspot.Event {
	sc := s.HubSpotScope
	if sc == nil {
		return events
	}
	var portal int64
	if sc.Portal != nil {
		portal = sc.Portal()
	}
	own := events[:0]
	for _, e := range events {
		reason, id := "", int64(0)
		switch {
		case portal != 0 && e.PortalID != portal:
			reason, id = foreignPortal, e.PortalID
		case sc.AppID != 0 && e.AppID != 0 && e.AppID != sc.AppID:
			reason, id = foreignApp, e.AppID
		}
		if reason == "" {
			own = append(own, e)
			continue
		}
		s.Metrics.Foreign.WithLabelValues("hubspot", reason).Inc()
		if sc.firstSight(reason + " " + strconv.FormatInt(id, 10)) {
			log.Warn().Str("reason", reason).Int64("portal", e.PortalID).Int64("app", e.AppID).Int64("connected_portal", portal).Int64("configured_app", sc.AppID).
				Msg("hubspot events for another portal or app: acknowledged, never processed (logged once per portal and app)")
		}
	}
	return own
}

// firstSight says whether key is seen for the first time. The set is
// bounded only by the foreign portals that hold the app's secret-signed
// events, which HubSpot alone can send.
func (sc *HubSpotScope) firstSight(key string) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.logged[key] {
		return false
	}
	if sc.logged == nil {
		sc.logged = map[string]bool{}
	}
	sc.logged[key] = true
	return true
}
