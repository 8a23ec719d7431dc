package hubspotsim

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/simfault"
)

// Config describes the simulated HubSpot account and the app talking to it.
// The zero value is usable: New fills every unset field with HubSpot's
// documented default.
type Config struct {
	// PortalID is the HubSpot account ("hub") id; it appears as portalId in
	// webhooks and hub_id in token responses. Default 62515 (HubSpot's doc
	// examples).
	PortalID int64
	// AppID is the id of the app the bridge runs as. Webhooks carry it as
	// appId, and writes made with any token accepted here carry it as sourceId
	// (changeSource INTEGRATION). Default 54321.
	AppID int64
	// ClientID and ClientSecret are the app's OAuth credentials. The secret
	// also signs webhooks (v1, v2 and v3 all use it); an empty secret signs
	// with an empty key.
	ClientID     string
	ClientSecret string
	// PrivateAppTokens are static bearer tokens that never expire (HubSpot
	// documents no expiry for private-app tokens). They count as AppID.
	PrivateAppTokens []string
	// OtherAppTokens are static tokens of other apps installed in the
	// account (a person's own script, another integration), by app id:
	// writes made with them carry changeSource INTEGRATION and that app's id
	// as sourceId, so the bridge takes them for changes like anyone's.
	OtherAppTokens map[string]int64
	// RefreshTokens are the OAuth refresh tokens the token endpoint accepts.
	RefreshTokens []string
	// Scopes are the scopes granted to the app's tokens, private-app and
	// OAuth alike: a call needing another one answers 403 MISSING_SCOPES.
	// Default: the bridge's (oauth and read/write on contacts and
	// companies).
	Scopes []string
	// APIVersions are the date-based versions served. Default
	// DefaultAPIVersions.
	APIVersions []string
	// TokenTTL is the lifetime of issued access tokens (HubSpot: 30 minutes,
	// expires_in 1800).
	TokenTTL time.Duration
	// RateLimitMax requests per RateLimitInterval (rolling) per app. HubSpot:
	// 100 per 10 s for Free/Starter private apps, 110 for public OAuth apps.
	RateLimitMax      int
	RateLimitInterval time.Duration
	// DailyLimit is the account's daily request budget (250,000 on
	// Free/Starter). It resets at midnight UTC here (HubSpot: midnight in the
	// account's time zone).
	DailyLimit int
	// SearchPerSecond is the CRM search limit per account (5 per second).
	SearchPerSecond int
	// SearchLag is how long a write takes to show in search results (HubSpot
	// documents "a short lag" without a figure); 0 makes writes visible at
	// once. Reconciliation tests should set a few seconds.
	SearchLag time.Duration
	// WebhookURL receives webhook batches; empty disables webhooks.
	WebhookURL string
	// SignatureVersion is "v3" (default; X-HubSpot-Signature-v3 plus the v1
	// header kept for backward compatibility), "v1" or "v2".
	SignatureVersion string
	// Subscriptions lists the subscription types that are sent, e.g.
	// "contact.creation". "contact.propertyChange" covers every property;
	// "contact.propertyChange:email" only that one (HubSpot subscribes
	// property changes per property). Default: every contact.* and company.*
	// type, property changes for every property.
	Subscriptions []string
	// WebhookLinger is how long events wait to be batched (at most 100 per
	// request) before they are sent.
	WebhookLinger time.Duration
	// RetryDelays are the waits before each retry of a failed delivery; its
	// length is the number of retries. Default: 10 retries spread over about
	// 24 h with randomised delays, as HubSpot documents.
	RetryDelays []time.Duration
	// WebhookTimeout is how long a delivery may take before it counts as
	// failed (HubSpot: 5 s).
	WebhookTimeout time.Duration
	// MaxConcurrent caps webhook requests in flight (HubSpot: 10 per account).
	MaxConcurrent int
	// Now is the clock for record stamps, token expiry, rate limits and
	// signature timestamps. Webhook retry waits use real timers.
	Now func() time.Time
	// Faults injects API faults and webhook delivery faults; nil means a
	// fresh injector (switched with Server.Faults or /_sim/faults).
	Faults *simfault.Injector
	// CustomProperties adds writable properties per object type
	// ("contacts"/"companies"), as an account's custom properties would.
	CustomProperties map[string][]string
	// Logger receives the simulator's own log lines; tokens never reach it.
	Logger zerolog.Logger
}

// defaultRetryDelays spreads 10 retries over roughly 24 hours with a random
// factor per delay: HubSpot documents "up to 10 times ... spread out over the
// next 24 hours, with varying delays" and randomisation per notification
// (developers.hubspot.com/docs/api/webhooks, "Retries").
func defaultRetryDelays(rnd *rand.Rand) []time.Duration {
	base := []time.Duration{
		time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
		2 * time.Hour, 3 * time.Hour, 4 * time.Hour, 5 * time.Hour, 7 * time.Hour,
	}
	out := make([]time.Duration, len(base))
	for i, d := range base {
		f := 0.75 + rnd.Float64()/2 // 0.75..1.25
		out[i] = time.Duration(float64(d) * f)
	}
	return out
}

func (c Config) withDefaults(rnd *rand.Rand) Config {
	if c.PortalID == 0 {
		c.PortalID = 62515
	}
	if c.AppID == 0 {
		c.AppID = 54321
	}
	if c.Scopes == nil {
		c.Scopes = BridgeScopes()
	}
	if len(c.APIVersions) == 0 {
		c.APIVersions = DefaultAPIVersions
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 30 * time.Minute
	}
	if c.RateLimitMax <= 0 {
		c.RateLimitMax = 100
	}
	if c.RateLimitInterval <= 0 {
		c.RateLimitInterval = 10 * time.Second
	}
	if c.DailyLimit <= 0 {
		c.DailyLimit = 250000
	}
	if c.SearchPerSecond <= 0 {
		c.SearchPerSecond = 5
	}
	if c.SignatureVersion == "" {
		c.SignatureVersion = "v3"
	}
	if c.Subscriptions == nil {
		c.Subscriptions = defaultSubscriptions()
	}
	if c.WebhookLinger <= 0 {
		c.WebhookLinger = 100 * time.Millisecond
	}
	if c.RetryDelays == nil {
		c.RetryDelays = defaultRetryDelays(rnd)
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = 5 * time.Second
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 10
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Faults == nil {
		c.Faults = &simfault.Injector{}
	}
	// Other apps' tokens authenticate like any private app's, each app
	// with its own rate-limit window.
	c.PrivateAppTokens = append(slices.Clone(c.PrivateAppTokens), slices.Sorted(maps.Keys(c.OtherAppTokens))...)
	return c
}

// Source says who made a change; it becomes changeSource and sourceId in the
// webhooks the change causes.
type Source struct {
	ChangeSource string
	SourceID     string
}

// UI is a person editing in HubSpot's CRM UI (changeSource CRM_UI, sourceId
// "userId:N", as in HubSpot's sensitive-data example).
func UI(userID int64) Source {
	return Source{ChangeSource: "CRM_UI", SourceID: "userId:" + strconv.FormatInt(userID, 10)}
}

// Integration is an app writing through the API with its token (observed:
// changeSource INTEGRATION, sourceId the app id as a decimal string).
func Integration(appID int64) Source {
	return Source{ChangeSource: "INTEGRATION", SourceID: strconv.FormatInt(appID, 10)}
}
