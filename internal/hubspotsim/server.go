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
}

// New builds a simulator; unset Config fields take HubSpot's defaults.
func New(cfg Config) *Server {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	cfg = cfg.withDefaults(rnd)
	s := &Server{cfg: cfg, faults: cfg.Faults, calls: map[string]int{},
		store:  newStore(newObjectTypes(cfg.CustomProperties), cfg.Now, cfg.PortalID, cfg.SearchLag),
		tokens: newTokens(cfg), limits: newLimiter(cfg), authz: newAuthCodes(),
		hooks: newSender(cfg, cfg.Logger.With().Str("component", "hubspotsim.webhooks").Logger()),
	}
	return s
}

// Handler serves the HubSpot API, the OAuth token endpoint and /_sim/faults.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.countCalls)
	r.Handle("/_sim/faults", s.faults.Handler())
	// The token endpoint and webhooks do not count against the API limits.
	r.Post("/oauth/v1/token", s.handleTokenGrant)
	r.Get("/oauth/authorize", s.handleAuthorize)
	r.Get("/oauth/v1/access-tokens/{token}", s.handleIntrospect)
	r.Group(func(api chi.Router) {
		api.Use(s.faults.Middleware(writeServerError, func(w http.ResponseWriter, _ *http.Request) {
			writeRateLimited(w, "TEN_SECONDLY_ROLLING")
		}))
		api.Use(s.authenticate)
		api.With(s.searchLimit).Post("/crm/v3/objects/{objectType}/search", s.handleSearch)
		api.Group(func(lim chi.Router) {
			lim.Use(s.tenSecondly)
			s.objectRoutes(lim)
			s.associationRoutes(lim)
		})
	})
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, notFound())
	})
	return r
}

func (s *Server) objectRoutes(r chi.Router) {
	const base = "/crm/v3/objects/{objectType}"
	r.Get(base, s.handleList)
	r.Post(base, s.handleCreate)
	r.Get(base+"/{objectId}", s.handleGet)
	r.Patch(base+"/{objectId}", s.handleUpdate)
	r.Delete(base+"/{objectId}", s.handleArchive)
	r.Post(base+"/batch/read", s.handleBatchRead)
	r.Post(base+"/batch/create", s.handleBatchCreate)
	r.Post(base+"/batch/update", s.handleBatchUpdate)
	r.Post(base+"/batch/upsert", s.handleBatchUpsert)
	r.Post(base+"/batch/archive", s.handleBatchArchive)
	r.Post(base+"/merge", s.handleMerge)
	r.Post(base+"/gdpr-delete", s.handleGDPRDelete)
}

func (s *Server) associationRoutes(r chi.Router) {
	const base = "/crm/v4/objects/{objectType}/{objectId}/associations"
	r.Get(base+"/{toObjectType}", s.handleAssocList)
	r.Put(base+"/default/{toObjectType}/{toObjectId}", s.handleAssocDefault)
	r.Put(base+"/{toObjectType}/{toObjectId}", s.handleAssocLabeled)
	r.Delete(base+"/{toObjectType}/{toObjectId}", s.handleAssocDelete)
}

// writeServerError is the 5xx the fault injector answers with: HubSpot's
// error body with category INTERNAL_ERROR on a 502 (the docs list 502/504 for
// processing limits and 503 for temporary unavailability).
func writeServerError(w http.ResponseWriter, _ *http.Request) {
	writeErr(w, newErr(http.StatusBadGateway, "INTERNAL_ERROR", "The server encountered an internal error. Please retry the request."))
}

// Calls counts requests by method and route pattern, e.g.
// "POST /crm/v3/objects/{objectType}/batch/read", whatever their outcome.
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
