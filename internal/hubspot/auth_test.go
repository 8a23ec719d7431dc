package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/simfault"
	"github.com/hubforce/hubforce/internal/testkit"
)

func TestRefreshesBeforeExpiry(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now, TokenTTL: 30 * time.Minute})
	store := testkit.NewCredentials()
	c := e.client(t, oauth(store, clock.Now))
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	read := func() {
		t.Helper()
		if _, err := c.Read(context.Background(), hubforce.Contact, ids, nil); err != nil {
			t.Fatal(err)
		}
	}
	read()
	clock.Advance(20 * time.Minute)
	read()
	if n := e.sim.Calls()[tokenRoute]; n != 1 {
		t.Fatalf("a token with 10 minutes left must be reused: %d refreshes", n)
	}
	clock.Advance(6 * time.Minute) // 4 minutes left: inside the early margin
	read()
	if n := e.sim.Calls()[tokenRoute]; n != 2 {
		t.Fatalf("want a refresh before expiry, got %d token calls", n)
	}
	if n := e.calls.count(http.StatusUnauthorized); n != 0 {
		t.Fatalf("HubSpot answered 401 %d times: the token was not refreshed early", n)
	}
	tokenCalls := 0
	for _, s := range e.calls.all() {
		if s == tokenRoute+" 200" {
			tokenCalls++
		}
	}
	if tokenCalls != 2 {
		t.Fatalf("OnCall saw %d token calls, want 2: %v", tokenCalls, e.calls.all())
	}
	saves := store.Saved()
	if len(saves) != 2 || saves[1].AccessToken == saves[0].AccessToken ||
		!saves[1].Expiry.Equal(clock.Now().Add(30*time.Minute)) || saves[1].RefreshToken != testRefresh {
		t.Fatalf("saved credentials: %+v", saves)
	}
}

func TestUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	c := e.client(t, oauth(nil, clock.Now))
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	ctx := context.Background()
	if _, err := c.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	e.sim.ExpireTokens() // revoked early: the client's clock still thinks it fresh
	if _, err := c.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.calls.count(http.StatusUnauthorized); n != 1 {
		t.Fatalf("want exactly one 401, got %d", n)
	}
	if n := e.sim.Calls()[tokenRoute]; n != 2 {
		t.Fatalf("want one refresh after the 401, got %d token calls", n)
	}
}

func TestPrivateAppUnauthorizedIsAuth(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	c := e.client(t, func(c *ClientConfig) { c.AccessToken = "pat-na1-revoked" })
	_, err := c.Read(context.Background(), hubforce.Contact, []string{"1"}, nil)
	var ae *hubforce.APIError
	if !errors.As(err, &ae) || ae.Class != hubforce.Auth || ae.Code != "INVALID_AUTHENTICATION" {
		t.Fatalf("got %v", err)
	}
	if err := c.Ready(context.Background()); err != nil {
		t.Fatalf("a private app has no refresh state: %v", err)
	}
}

func TestRefusedRefreshPausesUntilNewToken(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	store := testkit.NewCredentials()
	c := e.client(t, oauth(store, clock.Now))
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	ctx := context.Background()
	e.sim.RefuseRefresh(true)
	_, err := c.Read(ctx, hubforce.Contact, ids, nil)
	var ae *hubforce.APIError
	if !errors.As(err, &ae) || ae.Class != hubforce.Auth || ae.Code != "invalid_grant" {
		t.Fatalf("read: %v", err)
	}
	if hubforce.ClassOf(c.Ready(ctx)) != hubforce.Auth {
		t.Fatalf("Ready: %v", c.Ready(ctx))
	}
	if _, err := c.Create(ctx, hubforce.Contact, []map[string]string{{"email": "q@example.com"}}); hubforce.ClassOf(err) != hubforce.Auth {
		t.Fatalf("writes pause too: %v", err)
	}
	if n := e.sim.Calls()[tokenRoute]; n != 1 {
		t.Fatalf("a refused grant must not be retried on every call: %d token calls", n)
	}
	if n := strings.Count(e.log.String(), "credentials refused"); n != 1 {
		t.Fatalf("the refusal is logged %d times, want once:\n%s", n, e.log.String())
	}
	e.sim.RefuseRefresh(false)
	if err := c.SetRefreshToken(ctx, testRefresh2); err != nil {
		t.Fatal(err)
	}
	if err := c.Ready(ctx); err != nil {
		t.Fatalf("Ready after new credentials: %v", err)
	}
	if _, err := c.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	if cred, _, _ := store.LoadCredential(ctx, hubforce.HubSpot); cred.RefreshToken != testRefresh2 || cred.AccessToken == "" {
		t.Fatalf("stored: %+v", cred)
	}
}

// rotatingToken wraps the simulator's token endpoint so that it rotates the
// refresh token (the simulator, like HubSpot today, does not) and records
// which refresh token each request sent.
func rotatingToken(next http.Handler, to string, sent *[]string, mu *sync.Mutex) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/2026-03/token" {
			next.ServeHTTP(w, r)
			return
		}
		_ = r.ParseForm()
		mu.Lock()
		*sent = append(*sent, r.PostForm.Get("refresh_token"))
		mu.Unlock()
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
			body["refresh_token"] = to
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(body)
	})
}

func TestRotatedRefreshTokenIsPersistedAndShared(t *testing.T) {
	clock := newSimClock()
	sim := hubspotsim.New(hubspotsim.Config{Now: clock.Now, ClientID: testClientID, ClientSecret: testClientSecret,
		RefreshTokens: []string{testRefresh, testRefresh2}})
	var sent []string
	var mu sync.Mutex
	ts := httptest.NewServer(rotatingToken(sim.Handler(), testRefresh2, &sent, &mu))
	t.Cleanup(func() { ts.Close(); sim.Close() })
	e := &env{sim: sim, url: ts.URL, calls: &calls{}, log: &testkit.LogBuffer{}}
	store := testkit.NewCredentials()
	a := e.client(t, oauth(store, clock.Now))
	b := e.client(t, oauth(store, clock.Now)) // a second replica
	ids := mustCreate(t, sim, "contacts", 1, contactProps)
	ctx := context.Background()
	if _, err := a.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	if cred, _, _ := store.LoadCredential(ctx, hubforce.HubSpot); cred.RefreshToken != testRefresh2 {
		t.Fatalf("rotated refresh token not saved: %+v", cred)
	}
	if _, err := b.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	if n := sim.Calls()[tokenRoute]; n != 1 {
		t.Fatalf("replica b must use the access token a stored, not refresh: %d refreshes", n)
	}
	clock.Advance(29 * time.Minute)
	if _, err := b.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 2 || sent[0] != testRefresh || sent[1] != testRefresh2 {
		t.Fatalf("refresh tokens sent: %v, want the rotated one second", sent)
	}
}

func TestConcurrentRefreshesAreSerialised(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	store := testkit.NewCredentials()
	replicas := []*Client{e.client(t, oauth(store, clock.Now)), e.client(t, oauth(store, clock.Now)), e.client(t, oauth(store, clock.Now))}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 3*4)
	for _, c := range replicas {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- c.Ready(ctx)
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sim.Calls()[tokenRoute]; n != 1 {
		t.Fatalf("12 callers on 3 replicas refreshed %d times, want 1", n)
	}
}

func TestTokensNeverLogged(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	store := testkit.NewCredentials()
	c := e.client(t, oauth(store, clock.Now))
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	ctx := context.Background()
	e.sim.Faults().Update(func(p *simfault.Plan) { p.ServerErrors = 2 })
	if _, err := c.Read(ctx, hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	e.sim.ExpireTokens()
	e.sim.RefuseRefresh(true)
	_, _ = c.Read(ctx, hubforce.Contact, ids, nil)
	e.sim.RefuseRefresh(false)
	if err := c.SetRefreshToken(ctx, testRefresh2); err != nil {
		t.Fatal(err)
	}
	priv := e.client(t, nil)
	_, _ = priv.Read(ctx, hubforce.Contact, ids, nil)
	logs := e.log.String()
	if !strings.Contains(logs, "retrying API call") || !strings.Contains(logs, "credentials refused") {
		t.Fatalf("the flows above should have logged something:\n%s", logs)
	}
	secrets := []string{testRefresh, testRefresh2, testClientSecret, testPrivateToken}
	for _, s := range store.Saved() {
		secrets = append(secrets, s.AccessToken)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Fatalf("a token reached the log:\n%s", logs)
		}
	}
}

func TestCredentialsFromAnotherReplicaResume(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	store := testkit.NewCredentials()
	a, b := e.client(t, oauth(store, clock.Now)), e.client(t, oauth(store, clock.Now))
	ctx := context.Background()
	e.sim.RefuseRefresh(true)
	for _, c := range []*Client{a, b} {
		if hubforce.ClassOf(c.Ready(ctx)) != hubforce.Auth {
			t.Fatal("both replicas must pause")
		}
	}
	e.sim.RefuseRefresh(false)
	if err := a.SetRefreshToken(ctx, testRefresh2); err != nil {
		t.Fatal(err)
	}
	if err := b.Ready(ctx); err != nil {
		t.Fatalf("replica b must pick up the stored credentials: %v", err)
	}
	if n := e.sim.Calls()[tokenRoute]; n != 3 {
		t.Fatalf("b must adopt a's access token: %d token calls, want 3", n)
	}
}
