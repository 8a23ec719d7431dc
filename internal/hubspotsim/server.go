// Server wiring: routes, middleware order, call accounting and fault switches.

package hubspotsim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce/internal/simfault"
)

// Server is one simulated HubSpot account with one installed app.
type Server struct {
	cfg    Config
	store  *store
	tokens *tokens
	limits *limiter
	hooks  *sender
	faults *simfault.Injector
	authz  *authCodes

	callsMu sync.Mutex
	calls   map[string]int
	created time.Time // when the app was set up
}

// New builds a simulator; unset Config fields take HubSpot's defaults.
func New(cfg Config) *Server {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	cfg = cfg.withDefaults(rnd)
	s := &Server{cfg: cfg, faults: cfg.Faults, calls: map[string]int{}, created: cfg.Now(),
		store:  newStore(newObjectTypes(cfg.CustomProperties), cfg.Now, cfg.PortalID, cfg.SearchLag),
		tokens: newTokens(cfg), limits: newLimiter(cfg), authz: newAuthCodes(),
		hooks: newSender(cfg, cfg.Logger.With().Str("component", "hubspotsim.webhooks").Logger()),
	}
	return s
}

// Handler serves the HubSpot API, the OAuth endpoints and /_sim/faults.
//
// Every API is served at its date-based path (/crm/objects/{version}/…,
// /crm/associations/{version}/…, /crm/properties/{version}/…,
// /oauth/{version}/token…, /webhooks/{version}/…) for each of
// Config.APIVersions, and at its legacy numeric path (/crm/v3, /crm/v4,
// /oauth/v1), which HubSpot keeps answering unchanged until it retires them
// in 2027 (developers.hubspot.com/docs/developer-tooling/platform/versioning;
// changelog "v1 OAuth API Deprecation"). An unknown version answers 404, as
// any unknown path does.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.countCalls)
	r.Handle("/_sim/faults", s.faults.Handler())
	// The token endpoints and webhooks do not count against the API limits.
	r.Post("/oauth/v1/token", s.handleTokenGrant)
	r.Get("/oauth/v1/access-tokens/{token}", s.handleAccessTokenInfo)
	r.Get("/oauth/authorize", s.handleAuthorize)
	// v3 is the pre-dated name of these endpoints (changelog "New OAuth v3
	// API Endpoints"); the specs alias it to each dated version.
	oauth := r.With(s.servedVersion("v3"))
	oauth.Post("/oauth/{version}/token", s.handleTokenGrant)
	oauth.Post("/oauth/{version}/token/introspect", s.handleIntrospect)
	oauth.Post("/oauth/{version}/token/revoke", s.handleRevoke)
	r.Group(func(api chi.Router) {
		api.Use(s.faults.Middleware(writeServerError, func(w http.ResponseWriter, _ *http.Request) {
			writeRateLimited(w, "TEN_SECONDLY_ROLLING")
		}))
		api.Use(s.authenticate)
		// Legacy numeric paths.
		api.With(s.searchLimit, s.scoped(false)).Post("/crm/v3/objects/{objectType}/search", s.handleSearch)
		api.Group(func(lim chi.Router) {
			lim.Use(s.tenSecondly)
			s.objectRoutes(lim, "/crm/v3/objects/{objectType}")
			s.associationRoutes(lim, "/crm/v4/objects/{objectType}/{objectId}/associations")
			lim.With(s.scoped(false)).Get("/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}", s.handleAssocList)
			lim.With(s.scoped(false)).Post("/crm/v4/associations/{objectType}/{toObjectType}/batch/read", s.handleAssocBatchRead)
			lim.With(s.scoped(false)).Get("/crm/v3/properties/{objectType}", s.handleProperties)
			lim.With(s.scoped(false)).Get("/crm/v3/properties/{objectType}/{propertyName}", s.handleProperty)
			lim.With(s.developer).Get("/webhooks/v3/{appId}/settings", s.handleWebhookSettings)
			lim.With(s.developer).Get("/webhooks/v3/{appId}/subscriptions", s.handleWebhookSubscriptions)
		})
		// Date-based paths.
		api.Group(func(dated chi.Router) {
			dated.Use(s.servedVersion())
			dated.With(s.searchLimit, s.scoped(false)).Post("/crm/objects/{version}/{objectType}/search", s.handleSearch)
			dated.Group(func(lim chi.Router) {
				lim.Use(s.tenSecondly)
				s.objectRoutes(lim, "/crm/objects/{version}/{objectType}")
				s.associationRoutes(lim, "/crm/objects/{version}/{objectType}/{objectId}/associations")
				// The single-record list is in the 2026-03 spec and gone
				// from 2026-09's: batch/read replaces it.
				lim.With(s.onlyVersions("2026-03"), s.scoped(false)).
					Get("/crm/objects/{version}/{objectType}/{objectId}/associations/{toObjectType}", s.handleAssocList)
				lim.With(s.scoped(false)).Post("/crm/associations/{version}/{objectType}/{toObjectType}/batch/read", s.handleAssocBatchRead)
				lim.With(s.scoped(false)).Get("/crm/properties/{version}/{objectType}", s.handleProperties)
				lim.With(s.scoped(false)).Get("/crm/properties/{version}/{objectType}/{propertyName}", s.handleProperty)
				lim.With(s.developer).Get("/webhooks/{version}/{appId}/settings", s.handleWebhookSettings)
				lim.With(s.developer).Get("/webhooks/{version}/{appId}/subscriptions", s.handleWebhookSubscriptions)
				lim.Get("/account-info/{version}/details", s.handleAccountDetails)
			})
		})
	})
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, notFound())
	})
	return r
}

// objectRoutes are the CRM objects API under base (…/{objectType}). Full
// patterns, not a subrouter: a call the fault injector answers must still
// be counted under its own route.
func (s *Server) objectRoutes(r chi.Router, base string) {
	read, write := r.With(s.scoped(false)), r.With(s.scoped(true))
	read.Get(base, s.handleList)
	write.Post(base, s.handleCreate)
	read.Get(base+"/{objectId}", s.handleGet)
	write.Patch(base+"/{objectId}", s.handleUpdate)
	write.Delete(base+"/{objectId}", s.handleArchive)
	read.Post(base+"/batch/read", s.handleBatchRead)
	write.Post(base+"/batch/create", s.handleBatchCreate)
	write.Post(base+"/batch/update", s.handleBatchUpdate)
	write.Post(base+"/batch/upsert", s.handleBatchUpsert)
	write.Post(base+"/batch/archive", s.handleBatchArchive)
	write.Post(base+"/merge", s.handleMerge)
	write.Post(base+"/gdpr-delete", s.handleGDPRDelete)
}

// associationRoutes are the single-pair association writes under base
// (…/{objectType}/{objectId}/associations).
func (s *Server) associationRoutes(r chi.Router, base string) {
	write := r.With(s.scoped(true))
	write.Put(base+"/default/{toObjectType}/{toObjectId}", s.handleAssocDefault)
	write.Put(base+"/{toObjectType}/{toObjectId}", s.handleAssocLabeled)
	write.Delete(base+"/{toObjectType}/{toObjectId}", s.handleAssocDelete)
}

// writeServerError is the 5xx the fault injector answers with: HubSpot's
// error body with category INTERNAL_ERROR on a 502 (the docs list 502/504 for
// processing limits and 503 for temporary unavailability).
func writeServerError(w http.ResponseWriter, _ *http.Request) {
	writeErr(w, newErr(http.StatusBadGateway, "INTERNAL_ERROR", "The server encountered an internal error. Please retry the request."))
}

// Calls counts requests by method and route pattern, the version filled in,
// e.g. "POST /crm/objects/2026-03/{objectType}/batch/read" or, for a legacy
// path, "POST /crm/v3/objects/{objectType}/batch/read", whatever their
// outcome.
func (s *Server) Calls() map[string]int {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counts.
func (s *Server) ResetCalls() {
	s.callsMu.Lock()
	s.calls = map[string]int{}
	s.callsMu.Unlock()
}

// Faults returns the injector shared by the API middleware and the webhook
// sender.
func (s *Server) Faults() *simfault.Injector { return s.faults }

// ExpireTokens makes every access token issued so far expired; private-app
// tokens are unaffected.
func (s *Server) ExpireTokens() { s.tokens.expireAll() }

// RefuseRefresh makes the token endpoint answer BAD_REFRESH_TOKEN to every
// refresh while on.
func (s *Server) RefuseRefresh(on bool) {
	s.tokens.mu.Lock()
	s.tokens.refusing = on
	s.tokens.mu.Unlock()
}

// SpendDailyBudget uses up today's daily request budget: API requests get
// 429 policyName DAILY until midnight UTC.
func (s *Server) SpendDailyBudget() { s.limits.spendDaily() }

// WaitIdle returns once no webhook is queued, in flight or waiting for a
// retry, or with ctx's error.
func (s *Server) WaitIdle(ctx context.Context) error { return s.hooks.waitIdle(ctx) }

// SetWebhookURL changes where webhooks go (empty stops new ones), for
// setups that learn the receiver's address after the simulator starts.
// Batches already queued go to the new URL.
func (s *Server) SetWebhookURL(u string) { s.hooks.setURL(u) }

// DeliveryStats reports webhook delivery counts.
func (s *Server) DeliveryStats() DeliveryStats { return s.hooks.snapshot() }

// Close stops webhook delivery (queued and retrying batches are discarded)
// and waits for deliveries in flight to end.
func (s *Server) Close() { s.hooks.close() }
