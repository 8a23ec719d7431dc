package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/hubforce/hubforce"
)

// refreshEarly is how long before expiry an access token is replaced.
// HubSpot access tokens last 30 minutes (expires_in 1800) and HubSpot warns
// that a 401 is not a reliable expiry signal, so refresh ahead of time
// (developers.hubspot.com/docs/api-reference/legacy/authentication/manage-oauth-tokens,
// "Refresh an access token"). Refreshes go to the dated token endpoint,
// POST /oauth/{version}/token, form-encoded with every parameter in the body
// (Auth OAuth 2026-03 spec); its errors carry RFC 6749's error and
// error_description beside HubSpot's status and message (changelog "New
// OAuth v3 API Endpoints and Standardized Error Responses").
const refreshEarly = 5 * time.Minute

// bearer supplies the Authorization header for API calls.
type bearer interface {
	// token returns the access token to send now.
	token(ctx context.Context) (string, error)
	// invalidate drops tok after HubSpot refused it (401), so that the next
	// token call refreshes; false when nothing can be done (static token).
	invalidate(tok string) bool
	// ready is nil, or the Auth error that pauses deliveries.
	ready(ctx context.Context) error
	setRefreshToken(ctx context.Context, tok string) error
}

// staticBearer is the static token of a privately distributed app (or of a
// legacy private app): it never expires (HubSpot documents none) and
// cannot be refreshed.
type staticBearer string

func (s staticBearer) token(context.Context) (string, error) { return string(s), nil }
func (s staticBearer) invalidate(string) bool                { return false }
func (s staticBearer) ready(context.Context) error           { return nil }
func (s staticBearer) setRefreshToken(context.Context, string) error {
	return errors.New("hubspot: a static access token has no refresh token")
}

// oauthBearer refreshes HubSpot OAuth access tokens with x/oauth2 and
// shares them with other replicas through a CredentialStore.
type oauthBearer struct {
	conf  *oauth2.Config
	store hubforce.CredentialStore // may be nil: single replica, nothing persisted
	now   func() time.Time
	log   zerolog.Logger
	// refreshCtx carries the HTTP client for the token endpoint and no
	// deadline of any request: x/oauth2 keeps the context a TokenSource was
	// made with, and a refresh cut short by a caller's cancellation could
	// lose a rotated refresh token that HubSpot already issued.
	refreshCtx context.Context
	timeout    time.Duration

	mu       sync.Mutex
	refresh  string
	access   string
	expiry   time.Time
	lifetime time.Duration
	rejected string // the access token HubSpot last answered 401 to
	authErr  *hubforce.APIError
	refused  string // the refresh token behind authErr
}

// tokenCalls reports token-endpoint requests to OnCall; they do not count
// against the API's rate limits, so they skip the limiter.
type tokenCalls struct {
	base   http.RoundTripper
	route  string
	onCall func(string, int, time.Duration)
}

func (t tokenCalls) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if t.onCall != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.onCall(t.route, status, time.Since(start))
	}
	return resp, err
}

const routeToken = "POST /oauth/{version}/token"

func newOAuthBearer(cfg ClientConfig, tokenURL string, httpc *http.Client) *oauthBearer {
	return &oauthBearer{
		conf: &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}},
		store: cfg.Credentials, now: cfg.Now, log: cfg.Log, refresh: cfg.RefreshToken,
		refreshCtx: context.WithValue(context.Background(), oauth2.HTTPClient, httpc),
		timeout:    httpc.Timeout,
	}
}

// fresh reports whether an access token expiring at exp may still be sent.
// The early margin shrinks for short-lived tokens so that one is not
// refreshed on every call.
func (b *oauthBearer) fresh(tok string, exp time.Time, lifetime time.Duration) bool {
	early := min(refreshEarly, lifetime/4)
	return tok != "" && b.now().Add(early).Before(exp)
}

func (b *oauthBearer) token(ctx context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.authErr != nil && !b.replacedLocked(ctx) {
		return "", b.authErr
	}
	if b.fresh(b.access, b.expiry, b.lifetime) {
		return b.access, nil
	}
	if err := b.refreshLocked(ctx); err != nil {
		return "", err
	}
	return b.access, nil
}

// replacedLocked reports whether another replica stored new credentials
// (the Connect flow ran there) since this one's were refused, and if so
// takes them and clears the Auth state.
func (b *oauthBearer) replacedLocked(ctx context.Context) bool {
	if b.store == nil {
		return false
	}
	c, ok, err := b.store.LoadCredential(ctx, hubforce.HubSpot)
	if err != nil || !ok || c.RefreshToken == "" || c.RefreshToken == b.refused {
		return false
	}
	b.refresh, b.authErr, b.refused = c.RefreshToken, nil, ""
	b.log.Info().Msg("new HubSpot credentials found in the store; deliveries resume")
	return true
}

func (b *oauthBearer) invalidate(tok string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rejected = tok
	if b.access == tok {
		b.access = ""
	}
	return true
}

// refreshLocked gets a new access token; b.mu is held. Replicas take the
// store's lock first and adopt a token another replica just obtained,
// because HubSpot may rotate the refresh token and two concurrent refreshes
// would leave one replica with a dead one.
func (b *oauthBearer) refreshLocked(ctx context.Context) error {
	if b.store != nil {
		unlock, err := b.store.LockCredential(ctx, hubforce.HubSpot)
		if err != nil {
			return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable,
				Message: "could not take the credential lock", Err: err}
		}
		defer unlock()
		c, ok, err := b.store.LoadCredential(ctx, hubforce.HubSpot)
		if err != nil {
			return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable,
				Message: "could not load the stored credential", Err: err}
		}
		if ok {
			if c.RefreshToken != "" {
				b.refresh = c.RefreshToken
			}
			life := c.Expiry.Sub(c.UpdatedAt)
			if c.AccessToken != b.rejected && b.fresh(c.AccessToken, c.Expiry, life) {
				b.access, b.expiry, b.lifetime = c.AccessToken, c.Expiry, life
				return nil
			}
		}
	}
	if b.refresh == "" {
		return b.waitForConnect()
	}
	rctx, cancel := context.WithTimeout(b.refreshCtx, max(b.timeout, 30*time.Second))
	defer cancel()
	tok, err := b.conf.TokenSource(rctx, &oauth2.Token{RefreshToken: b.refresh}).Token()
	if err != nil {
		return b.refreshFailed(err)
	}
	// Expiry from expires_in on the injected clock: x/oauth2 stamps Expiry
	// with the wall clock.
	now := b.now()
	exp, life := tok.Expiry, time.Until(tok.Expiry)
	if tok.ExpiresIn > 0 {
		life = time.Duration(tok.ExpiresIn) * time.Second
		exp = now.Add(life)
	}
	rotated := tok.RefreshToken != "" && tok.RefreshToken != b.refresh
	b.access, b.expiry, b.lifetime = tok.AccessToken, exp, life
	if rotated {
		b.refresh = tok.RefreshToken
	}
	if b.store != nil {
		c := hubforce.Credential{RefreshToken: b.refresh, AccessToken: b.access, Expiry: exp, UpdatedAt: now}
		if err := b.store.SaveCredential(ctx, hubforce.HubSpot, c); err != nil {
			// The token works for this replica; others will refresh for
			// themselves. A rotated token that is not saved is lost on restart.
			b.log.Error().Err(err).Bool("rotated", rotated).Msg("could not save the HubSpot credential")
		}
	}
	if rotated {
		b.log.Info().Msg("HubSpot rotated the refresh token")
	}
	return nil
}

// refreshFailed classifies a failed refresh. invalid_grant
// (status BAD_REFRESH_TOKEN, oauth docs) means the grant is gone: remember it
// so deliveries pause, and log it once. Anything else is worth retrying.
func (b *oauthBearer) refreshFailed(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "" {
			// A body with only the legacy fields: map the status.
			re.ErrorCode, re.ErrorDescription = legacyOAuthError(re.Body)
		}
		switch re.ErrorCode {
		case "invalid_grant":
			return b.refusedWith(re.ErrorCode, re.ErrorDescription)
		case "invalid_client", "unauthorized_client":
			return b.refusedWith(re.ErrorCode, re.ErrorDescription)
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Status: status,
			Code: re.ErrorCode, Message: "token refresh failed: " + re.ErrorDescription}
	}
	return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable,
		Message: "token refresh failed", Err: fmt.Errorf("refreshing the HubSpot access token: %w", err)}
}

func (b *oauthBearer) refusedWith(code, desc string) error {
	b.access, b.refused = "", b.refresh
	b.authErr = &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Auth, Status: http.StatusBadRequest,
		Code: code, Message: "HubSpot refused the refresh token: " + desc}
	if code == "" {
		b.authErr.Status = 0
		b.authErr.Message = desc
	}
	b.log.Error().Str("code", code).Str("reason", desc).
		Msg("HubSpot credentials refused; deliveries to HubSpot paused until new credentials are supplied")
	return b.authErr
}

// waitForConnect is OAuth started with the app's client id and secret
// alone: deliveries to HubSpot wait (class Auth, nothing dropped) for the
// first refresh token, which the Connect flow supplies; said once.
func (b *oauthBearer) waitForConnect() error {
	b.access, b.refused = "", ""
	b.authErr = &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Auth,
		Message: "waiting for Connect: no refresh token yet; connect HubSpot on the dashboard (/connect/hubspot)"}
	b.log.Warn().Msg("HubSpot OAuth has no refresh token yet: deliveries to HubSpot wait until HubSpot is connected on the dashboard (/connect/hubspot)")
	return b.authErr
}

func (b *oauthBearer) ready(ctx context.Context) error {
	_, err := b.token(ctx)
	return err
}

// setRefreshToken installs credentials from the Connect flow, persists them
// for every replica and checks them at once.
func (b *oauthBearer) setRefreshToken(ctx context.Context, tok string) error {
	b.mu.Lock()
	b.refresh, b.access, b.expiry, b.authErr, b.refused = tok, "", time.Time{}, nil, ""
	store := b.store
	b.mu.Unlock()
	if store != nil {
		unlock, err := store.LockCredential(ctx, hubforce.HubSpot)
		if err != nil {
			return fmt.Errorf("locking the HubSpot credential: %w", err)
		}
		err = store.SaveCredential(ctx, hubforce.HubSpot, hubforce.Credential{RefreshToken: tok, UpdatedAt: b.now()})
		unlock()
		if err != nil {
			return fmt.Errorf("saving the HubSpot credential: %w", err)
		}
	}
	b.log.Info().Msg("new HubSpot credentials supplied; deliveries resume")
	return b.ready(ctx)
}

// legacyOAuthError reads HubSpot's older token error body ({status,
// message}) as RFC 6749's error and description.
func legacyOAuthError(body []byte) (code, desc string) {
	var b struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &b) != nil {
		return "", ""
	}
	switch b.Status {
	case "BAD_REFRESH_TOKEN", "BAD_AUTH_CODE", "BAD_REDIRECT_URI":
		return "invalid_grant", b.Message
	case "BAD_CLIENT_ID", "BAD_CLIENT_SECRET":
		return "invalid_client", b.Message
	}
	return "", b.Message
}
