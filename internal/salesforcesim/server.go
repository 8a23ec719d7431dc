package salesforcesim

import (
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce/internal/simfault"
)

// Server is one simulated Salesforce org: OAuth token endpoint, REST API,
// and an Outbound Message sender.
type Server struct {
	cfg     Config
	schemas map[string]*schema
	store   *store
	out     *outbound
	authz   *authCodes

	mu            sync.Mutex
	instanceURL   string
	loginURL      string
	sessions      map[string]session
	refuseRefresh bool
	used          usage
	calls         map[string]int
	cursors       map[string]*cursor
	cursorSeq     uint64
	jwtKey        any // public key from JWTCertificatePEM
	jwtErr        error
}

// New builds a simulator from cfg (see Config for the defaults). The
// Outbound Message sender starts at once; Close stops it.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:      cfg,
		sessions: map[string]session{},
		calls:    map[string]int{},
		cursors:  map[string]*cursor{},
		authz:    newAuthCodes(),
	}
	for tok, user := range cfg.UserSessions {
		s.sessions[tok] = session{userID: to18(user), person: true}
	}
	s.schemas = buildSchemas(cfg.CustomFields, cfg.CheckboxFields, cfg.ExternalIDFields)
	s.store = newStore(s.schemas, cfg.Now)
	s.out = newOutbound(s)
	s.store.onChange = s.out.enqueue
	s.setURLs(cfg.InstanceURL, cfg.LoginURL)
	if len(cfg.JWTCertificatePEM) > 0 {
		s.jwtKey, s.jwtErr = parseCertKey(cfg.JWTCertificatePEM)
		if s.jwtErr != nil {
			cfg.Logger.Error().Err(s.jwtErr).Msg("salesforcesim: JWT certificate unusable; JWT bearer logins will fail")
		}
	}
	s.out.start()
	return s
}

// SetURL sets the base URL the simulator is served at (and the login URL
// when Config.LoginURL was empty), for httptest servers started after New.
func (s *Server) SetURL(u string) { s.setURLs(u, s.cfg.LoginURL) }

func (s *Server) setURLs(instance, login string) {
	instance = strings.TrimRight(instance, "/")
	if login == "" {
		login = instance
	}
	s.mu.Lock()
	s.instanceURL, s.loginURL = instance, strings.TrimRight(login, "/")
	s.mu.Unlock()
}

func (s *Server) urls() (instance, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instanceURL, s.loginURL
}

// Close stops the Outbound Message sender; undelivered messages are lost.
func (s *Server) Close() { s.out.stop() }

// Faults returns the injector that drives simfault faults.
func (s *Server) Faults() *simfault.Injector { return s.cfg.Faults }

// OrgID returns the organisation id.
func (s *Server) OrgID() string { return s.cfg.OrgID }

// IntegrationUserID returns the user the OAuth tokens belong to.
func (s *Server) IntegrationUserID() string { return s.cfg.IntegrationUserID }

// Handler serves the OAuth endpoint, the REST API under /services/data and
// the fault switch under /_sim/faults.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.countCalls)
	r.Post("/services/oauth2/token", s.handleTokenGrant)
	r.Get("/services/oauth2/authorize", s.handleAuthorize)
	r.Get("/services/data", s.handleVersions)
	r.Get("/services/data/", s.handleVersions)
	r.Route("/services/data/{version}", func(r chi.Router) {
		// Middlewares of a group wrap each endpoint, so they run after
		// routing and Calls sees the route pattern even for faulted calls.
		chain := []func(http.Handler) http.Handler{
			s.checkVersion, s.cfg.Faults.Middleware(s.faultUnavailable, s.faultConcurrent), s.authenticate, s.meter,
		}
		r.Group(func(r chi.Router) {
			r.Use(chain...)
			s.restRoutes(r)
		})
		r.NotFound(chi.Chain(chain...).HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeAPIError(w, errNotFound())
		}).ServeHTTP)
		r.MethodNotAllowed(chi.Chain(chain...).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeAPIError(w, apiErr(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
				"HTTP Method '"+r.Method+"' not allowed."))
		}).ServeHTTP)
	})
	r.Handle("/_sim/faults", s.cfg.Faults.Handler())
	return r
}

func (s *Server) restRoutes(r chi.Router) {
	r.Get("/limits", s.handleLimits)
	r.Get("/sobjects/{sobject}/describe", s.handleDescribe)
	r.Get("/tooling/query", s.handleToolingQuery)
	r.Get("/tooling/query/", s.handleToolingQuery)
	r.Get("/limits/", s.handleLimits)
	r.Get("/query", s.handleQuery(false))
	r.Get("/query/", s.handleQuery(false))
	r.Get("/queryAll", s.handleQuery(true))
	r.Get("/queryAll/", s.handleQuery(true))
	r.Get("/query/{locator}", s.handleQueryMore)
	r.Get("/queryAll/{locator}", s.handleQueryMore)
	r.Post("/composite/sobjects", s.handleCollectionCreate)
	r.Patch("/composite/sobjects", s.handleCollectionUpdate)
	r.Delete("/composite/sobjects", s.handleCollectionDelete)
	r.Patch("/composite/sobjects/{sobject}/{field}", s.handleCollectionUpsert)
	r.Get("/composite/sobjects/{sobject}", s.handleCollectionRetrieve)
	r.Post("/sobjects/{sobject}", s.handleCreate)
	r.Post("/sobjects/{sobject}/", s.handleCreate)
	r.Get("/sobjects/{sobject}/{id}", s.handleGet)
	r.Patch("/sobjects/{sobject}/{id}", s.handleUpdate)
	r.Delete("/sobjects/{sobject}/{id}", s.handleDelete)
	r.Patch("/sobjects/{sobject}/{field}/{value}", s.handleUpsert)
	r.Get("/sobjects/{sobject}/{field}/{value}", s.handleGetByExternalID)
}

// Calls returns how many requests each route served, keyed "METHOD
// /route/{pattern}".
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls clears the call counts.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.mu.Unlock()
}

func (s *Server) countCalls(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			pattern := chi.RouteContext(r.Context()).RoutePattern()
			if pattern == "" {
				pattern = r.URL.Path
			}
			s.mu.Lock()
			s.calls[r.Method+" "+pattern]++
			s.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) checkVersion(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := chi.URLParam(r, "version")
		for _, known := range s.cfg.APIVersions {
			if v == known {
				next.ServeHTTP(w, r)
				return
			}
		}
		writeAPIError(w, errNotFound())
	})
}
