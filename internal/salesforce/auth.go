package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/hubforce/hubforce"
)

// authRetryEvery spaces out new grants after a refusal that a later grant
// may get past without new credentials (a JWT bearer user not yet approved,
// a session refused right after a grant).
const authRetryEvery = time.Minute

// session is what a call needs: the access token and where the REST API
// lives.
type session struct {
	access      string
	instanceURL string
}

// authFailure is a refused grant. Calls fail with it at once, without
// network, until new credentials arrive.
type authFailure struct {
	err   *hubforce.APIError
	at    time.Time
	retry bool // a later grant with the same credentials may succeed
}

// tokens wraps a grant's TokenSource: Salesforce gives no expires_in, so
// the access token is used until a call answers 401 and is renewed then.
// Renewals are serialised in the process (one grant for many 401s) and,
// through CredentialStore.LockCredential, across replicas; the result is
// persisted so every replica uses the newest token.
type tokens struct {
	src     oauth2.TokenSource
	refresh *refreshSource // nil unless the refresh token flow is in use
	store   hubforce.CredentialStore
	now     func() time.Time
	log     zerolog.Logger

	renewing chan struct{} // a one-slot lock that a context can give up on

	mu     sync.Mutex
	cur    session
	idURL  string // from the last grant; the same user until new credentials
	scope  string // the scopes the last grant carried, space-separated
	failed *authFailure
}

func newTokens(src oauth2.TokenSource, refresh *refreshSource, store hubforce.CredentialStore, now func() time.Time, log zerolog.Logger) *tokens {
	return &tokens{src: src, refresh: refresh, store: store, now: now, log: log, renewing: make(chan struct{}, 1)}
}

// current returns a session to call with, granting one if there is none.
func (t *tokens) current(ctx context.Context) (session, error) {
	t.mu.Lock()
	cur, failed := t.cur, t.failed
	t.mu.Unlock()
	if failed != nil {
		if err := t.recover(ctx, failed); err != nil {
			return session{}, err
		}
		return t.current(ctx)
	}
	if cur.access != "" {
		return cur, nil
	}
	if t.store != nil {
		c, ok, err := t.store.LoadCredential(ctx, hubforce.Salesforce)
		if err != nil {
			return session{}, storeError("load", err)
		}
		if ok && c.AccessToken != "" && c.InstanceURL != "" {
			t.adopt(c)
			return t.current(ctx)
		}
	}
	if _, err := t.renew(ctx, "", false); err != nil {
		return session{}, err
	}
	return t.current(ctx)
}

// recover clears a refusal when another replica (or an operator through
// the store) has saved newer credentials, or when the refusal may pass by
// itself and enough time went by; otherwise it returns the refusal.
func (t *tokens) recover(ctx context.Context, f *authFailure) error {
	if t.store != nil {
		c, ok, err := t.store.LoadCredential(ctx, hubforce.Salesforce)
		if err == nil && ok && c.UpdatedAt.After(f.at) && c.AccessToken != "" && c.InstanceURL != "" {
			t.adopt(c)
			t.clearFailure(f)
			return nil
		}
	}
	if f.retry && t.now().Sub(f.at) >= authRetryEvery {
		t.clearFailure(f)
		return nil
	}
	return f.err
}

func (t *tokens) clearFailure(f *authFailure) {
	t.mu.Lock()
	if t.failed == f {
		t.failed = nil
	}
	t.mu.Unlock()
}

// adopt takes a stored credential as the current session. The identity URL
// is not stored (hubforce.Credential has no field for it); identity()
// grants once when it has none.
func (t *tokens) adopt(c hubforce.Credential) {
	t.mu.Lock()
	if t.cur.access != c.AccessToken {
		t.cur = session{access: c.AccessToken, instanceURL: strings.TrimRight(c.InstanceURL, "/")}
	}
	t.mu.Unlock()
	if t.refresh != nil && c.RefreshToken != "" {
		t.refresh.set(c.RefreshToken)
	}
}

// renew replaces the session whose access token stale was refused (""
// when there is none yet). It returns adopted = true when it took a token
// another goroutine or replica had already obtained instead of granting;
// force skips that (new credentials must be tried).
func (t *tokens) renew(ctx context.Context, stale string, force bool) (adopted bool, err error) {
	select {
	case t.renewing <- struct{}{}:
	case <-ctx.Done():
		return false, connError(ctx.Err())
	}
	defer func() { <-t.renewing }()

	t.mu.Lock()
	cur := t.cur.access
	t.mu.Unlock()
	if !force && cur != "" && cur != stale {
		return true, nil // renewed by another goroutine while we waited
	}
	if t.store != nil {
		unlock, err := t.store.LockCredential(ctx, hubforce.Salesforce)
		if err != nil {
			return false, storeError("lock", err)
		}
		defer unlock()
		c, ok, err := t.store.LoadCredential(ctx, hubforce.Salesforce)
		if err != nil {
			return false, storeError("load", err)
		}
		if !force && ok && c.AccessToken != "" && c.AccessToken != stale && c.InstanceURL != "" {
			t.adopt(c)
			return true, nil // another replica renewed while we waited
		}
		if !force && ok && t.refresh != nil && c.RefreshToken != "" {
			t.refresh.set(c.RefreshToken)
		}
	}
	return false, t.grant(ctx)
}

// grant asks the token endpoint for a new session and persists it. The
// caller holds the renewal locks.
func (t *tokens) grant(ctx context.Context) error {
	tok, err := t.src.Token()
	if err != nil {
		aerr := grantError(err)
		if aerr.Class == hubforce.Auth {
			t.mu.Lock()
			t.failed = &authFailure{err: aerr, at: t.now(), retry: t.refresh == nil}
			t.cur = session{}
			t.mu.Unlock()
			t.log.Error().Str("code", aerr.Code).Str("description", aerr.Message).
				Msg("salesforce: token refused; deliveries to Salesforce pause until new credentials")
		}
		return aerr
	}
	s := session{access: tok.AccessToken}
	s.instanceURL, _ = tok.Extra("instance_url").(string)
	s.instanceURL = strings.TrimRight(s.instanceURL, "/")
	idURL, _ := tok.Extra("id").(string)
	scope, _ := tok.Extra("scope").(string)
	if s.instanceURL == "" {
		return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent, Message: "token response has no instance_url"}
	}
	t.mu.Lock()
	t.cur, t.failed, t.idURL, t.scope = s, nil, idURL, scope
	t.mu.Unlock()
	t.log.Info().Str("instance", s.instanceURL).Msg("salesforce: obtained a new access token")
	if t.store == nil {
		return nil
	}
	c := hubforce.Credential{AccessToken: s.access, InstanceURL: s.instanceURL, UpdatedAt: t.now()}
	if t.refresh != nil {
		c.RefreshToken = t.refresh.get()
	}
	if err := t.store.SaveCredential(ctx, hubforce.Salesforce, c); err != nil {
		// The session works; only the sharing failed. Other replicas
		// will grant their own.
		t.log.Warn().Err(err).Msg("salesforce: could not persist the access token")
	}
	return nil
}

// identity returns the identity URL of the last grant, granting once when
// this process has only used a stored token.
func (t *tokens) identity(ctx context.Context) (string, error) {
	s, err := t.current(ctx)
	if err != nil {
		return "", err
	}
	if id := t.identityURL(); id != "" {
		return id, nil
	}
	if _, err := t.renew(ctx, s.access, true); err != nil {
		return "", err
	}
	if id := t.identityURL(); id != "" {
		return id, nil
	}
	return "", &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent, Message: "token response has no id URL"}
}

// scopes returns the scopes of the last grant, granting once when this
// process has only used a stored token.
func (t *tokens) scopes(ctx context.Context) ([]string, error) {
	s, err := t.current(ctx)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	sc := t.scope
	t.mu.Unlock()
	if sc == "" {
		if _, err := t.renew(ctx, s.access, true); err != nil {
			return nil, err
		}
		t.mu.Lock()
		sc = t.scope
		t.mu.Unlock()
	}
	return strings.Fields(sc), nil
}

func (t *tokens) identityURL() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.idURL
}

// setRefreshToken switches to new refresh token credentials and proves
// them with a grant.
func (t *tokens) setRefreshToken(ctx context.Context, rt string) error {
	if t.refresh == nil {
		return errors.New("salesforce: SetRefreshToken needs a client configured for the refresh token flow (ClientID)")
	}
	t.refresh.set(rt)
	t.mu.Lock()
	t.failed, t.idURL = nil, "" // possibly another user now
	t.mu.Unlock()
	_, err := t.renew(ctx, "", true)
	return err
}

// grantError classifies a failed grant. The token endpoint answers a
// refusal with 400 {"error","error_description"} (invalid_grant for an
// expired or revoked refresh token or a bad assertion, invalid_client_id,
// invalid_client): new credentials are needed, class Auth. 5xx and no
// answer may pass: Retryable. The body never goes into the error (it is
// the endpoint's, but a proxy's page could echo the request).
func grantError(err error) *hubforce.APIError {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return connError(err)
	}
	e := &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Auth, Code: re.ErrorCode, Message: re.ErrorDescription}
	if re.Response != nil {
		e.Status = re.Response.StatusCode
		if e.Status >= 500 || e.Status == http.StatusTooManyRequests {
			e.Class = hubforce.Retryable
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Message = "token endpoint refused the grant"
	}
	return e
}

func storeError(op string, err error) *hubforce.APIError {
	return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Retryable,
		Message: "credential store " + op + " failed", Err: fmt.Errorf("credential store %s: %w", op, err)}
}
