// Package admin is the operators' side of hubforce: the JSON admin API under
// /api/v1 (described in api/openapi.yaml) and the server-rendered dashboard
// at /. Both read the store directly and take the live state of the
// connections (readiness, API budgets) from functions the caller passes in,
// so that what they show is the same on every replica and needs no
// Prometheus.
//
// Everything is behind HUBFORCE_ADMIN_TOKEN: a bearer header for the API, the
// header or a session cookie (an HMAC of the token, never the token) for the
// dashboard. Without a token every route answers 404.
package admin

import (
	"context"
	"net/http"
	"net/netip"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// Store is the part of the store the admin API reads and acts on.
type Store interface {
	store.DLQ
	store.ActivityStore
	GetLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) (hubforce.Link, error)
	Versions(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]time.Time, error)
	History(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) ([]store.HistoryEntry, error)
	QueueStats(ctx context.Context, to hubforce.Side) (store.QueueStats, error)
	InboxDepth(ctx context.Context) (int64, error)
	Checkpoint(ctx context.Context, key string) (string, error)
	Ping(ctx context.Context) error
}

// Check is one readiness condition (the same shape as server.Check, so a
// server.Check converts with admin.Check(c)); a non-nil error is the reason.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Config is what the admin API needs. Only Store is required; a nil
// function shows as "unknown".
type Config struct {
	// Token is HUBFORCE_ADMIN_TOKEN; empty disables every route (404).
	Token string
	// Extra registers more /api/v1 routes behind the same authentication
	// (the credentials endpoint of internal/connect).
	Extra func(r chi.Router)
	Store Store
	Log   zerolog.Logger
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time

	// Health is the delivery engine's state per direction
	// (delivery.Engine.Health): flowing, failing or paused, why and since
	// when. Nil shows both directions as unknown.
	Health func() []hubforce.Health
	// DryRun says the bridge runs as serve --dry-run; the dashboard and
	// the status API say so.
	DryRun bool
	// Connect lists the sides offered the OAuth Connect flow (GET
	// /connect/{side}); the dashboard shows a Connect button for each.
	Connect []hubforce.Side
	// Recorder keeps the last day of API budget use and failed write
	// attempts for the charts; nil leaves those charts out.
	Recorder *Recorder
	// BudgetShare is HUBFORCE_SALESFORCE_BUDGET_SHARE, drawn on the budget
	// chart; 0 draws nothing.
	BudgetShare float64
	// Checks are the components' readiness (store, connections), shown as
	// they are on /readyz.
	Checks []Check
	// SalesforceUsage is the daily API usage from Sforce-Limit-Info
	// (salesforce.Client.Usage); 0, 0 when not known yet.
	SalesforceUsage func() (used, limit int)
	// HubSpotBudget is the rate-limit window from the X-HubSpot-RateLimit
	// headers (hubspot.Client.Budget); zeros when not known yet.
	HubSpotBudget func() (remaining, max int, interval time.Duration)

	// SecureCookies marks the session cookie Secure even when the request
	// arrived over plain HTTP (TLS terminated by a proxy; set it when
	// HUBFORCE_PUBLIC_URL is https). Requests over TLS always get it.
	SecureCookies bool
	// TrustedProxies are the peers whose X-Forwarded-For names the
	// client the sign-in limiter counts failures for
	// (HUBFORCE_TRUSTED_PROXIES); nobody else's header is believed.
	TrustedProxies []netip.Prefix
	// SessionTTL bounds a dashboard login; 0 means 12 hours.
	SessionTTL time.Duration
	// Timeout bounds the store and readiness calls of one status read; 0
	// means 3 seconds.
	Timeout time.Duration
}

// API serves the admin API and the dashboard.
type API struct {
	cfg      Config
	pages    *pages
	failures *signInLimiter // failed sign-ins, per client
}

// New builds the API. It fails only if the embedded templates do not parse.
func New(cfg Config) (*API, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &API{cfg: cfg, pages: p, failures: newSignInLimiter(cfg.TrustedProxies)}, nil
}

// Enabled says whether a token is configured; without one every route
// answers 404 (the caller logs that once at start).
func (a *API) Enabled() bool { return a.cfg.Token != "" }

// Routes registers the API under /api/v1 and the dashboard at / (and
// /dashboard/…) on r, so that the caller's request logging sees the route
// patterns.
func (a *API) Routes(r chi.Router) {
	r.Route("/api/v1", func(r chi.Router) {
		r.Use(a.enabledJSON, a.requireBearer, noStore)
		r.Get("/status", a.getStatus)
		r.Get("/dead-letters", a.listDeadLetters)
		r.Post("/dead-letters/replay", a.bulkReplay)
		r.Post("/dead-letters/discard", a.bulkDiscard)
		r.Get("/dead-letters/{id}", a.getDeadLetter)
		r.Delete("/dead-letters/{id}", a.discardDeadLetter)
		r.Post("/dead-letters/{id}/replay", a.replayDeadLetter)
		r.Get("/records/{side}/{object}/{id}", a.getRecord)
		r.Get("/backfills", a.getBackfills)
		if a.cfg.Extra != nil {
			a.cfg.Extra(r)
		}
		r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusNotFound, "not_found", "no such admin API route")
		})
		r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this route")
		})
	})
	r.Group(func(r chi.Router) {
		r.Use(a.enabledHTML, pageHeaders)
		r.Get("/", a.overviewPage)
		r.Post("/dashboard/login", a.login)
		r.Group(func(r chi.Router) {
			r.Use(a.requireSession)
			r.Post("/dashboard/logout", a.logout)
			r.Get("/dashboard/dead-letters", a.deadLettersPage)
			r.Get("/dashboard/dead-letters/{id}", a.deadLetterPage)
			r.Post("/dashboard/dead-letters/{id}/replay", a.replayForm)
			r.Post("/dashboard/dead-letters/{id}/discard", a.discardForm)
			r.Post("/dashboard/dead-letters/bulk", a.bulkForm)
			r.Get("/dashboard/explain", a.explainPage)
		})
	})
}

// Handler is Routes on a router of its own, for mounting at "/".
func (a *API) Handler() http.Handler {
	r := chi.NewRouter()
	a.Routes(r)
	return r
}
