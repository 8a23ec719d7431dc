package salesforce

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/testkit"
)

// someCall is a cheap authenticated call.
func someCall(c *Client) error {
	_, err := c.Get(context.Background(), hubforce.Contact, []string{"003000000000999AAA"}, nil)
	return err
}

func TestSessionExpiryRefreshesOnce(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	if err := someCall(c); err != nil {
		t.Fatal(err)
	}
	f.sim.ExpireSessions()
	if err := someCall(c); err != nil {
		t.Fatalf("call after session expiry: %v", err)
	}
	if n := f.calls(tokenRoute); n != 2 {
		t.Errorf("%d grants, want 2 (first and one refresh)", n)
	}
	if n := f.calls("GET /composite/sobjects/{sobject}"); n != 3 {
		t.Errorf("%d REST calls, want 3 (ok, 401, retry)", n)
	}
}

func TestRefusedRefreshPausesUntilNewToken(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	ctx := context.Background()
	if err := c.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	f.sim.ExpireSessions()
	f.sim.RefuseRefresh(true)
	if ae := apiErr(t, someCall(c), hubforce.Auth); ae.Code != "invalid_grant" {
		t.Errorf("refused refresh: %+v", ae)
	}
	if ae := apiErr(t, c.Ready(ctx), hubforce.Auth); ae.Code != "invalid_grant" {
		t.Errorf("Ready: %+v", ae)
	}
	grants := f.calls(tokenRoute)
	apiErr(t, someCall(c), hubforce.Auth)
	f.clock.Advance(time.Hour) // a refused refresh token is not tried again by itself
	apiErr(t, c.Ready(ctx), hubforce.Auth)
	if n := f.calls(tokenRoute); n != grants {
		t.Errorf("%d more grants while paused; a refused token must not be retried", n-grants)
	}

	f.sim.RefuseRefresh(false)
	if err := c.SetRefreshToken(ctx, "not-a-token"); err == nil {
		t.Error("SetRefreshToken accepted a token the endpoint refuses")
	}
	if err := c.SetRefreshToken(ctx, testRefresh); err != nil {
		t.Fatalf("SetRefreshToken: %v", err)
	}
	if err := c.Ready(ctx); err != nil {
		t.Errorf("Ready after new credentials: %v", err)
	}
	if err := someCall(c); err != nil {
		t.Errorf("call after new credentials: %v", err)
	}
}

func TestReplicasShareOneRefresh(t *testing.T) {
	f := newFixture(t, nil)
	store := testkit.NewCredentials()
	a := f.client(func(cfg *ClientConfig) { cfg.Credentials = store })
	b := f.client(func(cfg *ClientConfig) { cfg.Credentials = store })
	if err := someCall(a); err != nil {
		t.Fatal(err)
	}
	if err := someCall(b); err != nil {
		t.Fatal(err)
	}
	if n := f.calls(tokenRoute); n != 1 {
		t.Errorf("%d grants for two replicas, want 1 (the second uses the stored token)", n)
	}
	f.sim.ExpireSessions()
	if err := someCall(a); err != nil {
		t.Fatal(err)
	}
	if err := someCall(b); err != nil {
		t.Fatal(err)
	}
	if n := f.calls(tokenRoute); n != 2 {
		t.Errorf("%d grants, want 2: b must take the token a refreshed", n)
	}
	saved := store.Saved()
	if len(saved) != 2 || saved[1].RefreshToken != testRefresh || saved[1].InstanceURL != f.srv.URL || saved[1].AccessToken == "" {
		t.Errorf("saved credentials: %d, last %+v", len(saved), saved[len(saved)-1].InstanceURL)
	}

	// A replica paused on a refused refresh resumes when another one
	// stores new credentials.
	f.sim.ExpireSessions()
	f.sim.RefuseRefresh(true)
	apiErr(t, someCall(a), hubforce.Auth)
	apiErr(t, someCall(b), hubforce.Auth)
	f.sim.RefuseRefresh(false)
	f.clock.Advance(time.Second)
	if err := a.SetRefreshToken(context.Background(), testRefresh); err != nil {
		t.Fatal(err)
	}
	if err := b.Ready(context.Background()); err != nil {
		t.Errorf("replica b still paused after a stored new credentials: %v", err)
	}
}

func TestIntegrationUserID(t *testing.T) {
	f := newFixture(t, nil)
	store := testkit.NewCredentials()
	c := f.client(func(cfg *ClientConfig) { cfg.Credentials = store })
	got, err := c.IntegrationUserID(context.Background())
	if err != nil || got != f.sim.IntegrationUserID() {
		t.Fatalf("IntegrationUserID = %q, %v; want %s", got, err, f.sim.IntegrationUserID())
	}
	// A replica starting from the stored token has no identity URL yet.
	d := f.client(func(cfg *ClientConfig) { cfg.Credentials = store })
	if got, err := d.IntegrationUserID(context.Background()); err != nil || got != f.sim.IntegrationUserID() {
		t.Errorf("from a stored token: %q, %v", got, err)
	}
	// Known once, it survives adopting another replica's token.
	f.sim.ExpireSessions()
	if err := someCall(c); err != nil {
		t.Fatal(err)
	}
	grants := f.calls(tokenRoute)
	if err := someCall(d); err != nil {
		t.Fatal(err)
	}
	if _, err := d.IntegrationUserID(context.Background()); err != nil || f.calls(tokenRoute) != grants {
		t.Errorf("IntegrationUserID after adopting a token: %v, %d more grants", err, f.calls(tokenRoute)-grants)
	}
	// The bridge's writes carry it as LastModifiedById: echo detection.
	res, err := c.Create(context.Background(), hubforce.Contact, []map[string]any{{"LastName": "Echo"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := c.Get(context.Background(), hubforce.Contact, []string{res[0].ID}, []string{"LastModifiedById"})
	if err != nil || recs[res[0].ID].Fields["LastModifiedById"] != got {
		t.Errorf("LastModifiedById = %v, %v", recs[res[0].ID].Fields, err)
	}
}

func testCertificate(t *testing.T) (keyPEM, certPEM []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hubforce test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return keyPEM, certPEM
}

func TestJWTBearer(t *testing.T) {
	keyPEM, certPEM := testCertificate(t)
	f := newFixture(t, func(cfg *salesforcesim.Config) {
		cfg.JWTCertificatePEM = certPEM
		cfg.Usernames = []string{"integration@example.com"}
	})
	jwtClient := func(user string) *Client {
		return f.client(func(cfg *ClientConfig) {
			cfg.RefreshToken, cfg.ClientSecret = "", ""
			cfg.Username, cfg.PrivateKeyPEM = user, keyPEM
		})
	}
	c := jwtClient("integration@example.com")
	if err := someCall(c); err != nil {
		t.Fatalf("call with JWT bearer: %v", err)
	}
	if id, err := c.IntegrationUserID(context.Background()); err != nil || id != f.sim.IntegrationUserID() {
		t.Errorf("IntegrationUserID = %q, %v", id, err)
	}
	f.sim.ExpireSessions()
	if err := someCall(c); err != nil {
		t.Errorf("JWT bearer after expiry: %v", err)
	}

	stranger := jwtClient("stranger@example.com")
	ae := apiErr(t, stranger.Ready(context.Background()), hubforce.Auth)
	if ae.Code != "invalid_grant" || !strings.Contains(ae.Message, "approved") {
		t.Errorf("unapproved user: %+v", ae)
	}
	if _, err := NewClient(ClientConfig{ClientID: "x", Username: "u", PrivateKeyPEM: []byte("junk")}); err == nil {
		t.Error("NewClient accepted a junk key")
	}
}

// TestJWTAudience: the aud is the setting (test.salesforce.com for a
// sandbox), not the login URL the assertion is posted to.
func TestJWTAudience(t *testing.T) {
	keyPEM, certPEM := testCertificate(t)
	f := newFixture(t, func(cfg *salesforcesim.Config) {
		cfg.JWTCertificatePEM, cfg.Usernames, cfg.Sandbox = certPEM, []string{"integration@example.com"}, true
	})
	client := func(aud string) *Client {
		return f.client(func(cfg *ClientConfig) {
			cfg.RefreshToken, cfg.ClientSecret = "", ""
			cfg.Username, cfg.PrivateKeyPEM, cfg.JWTAudience = "integration@example.com", keyPEM, aud
		})
	}
	if err := someCall(client("https://test.salesforce.com")); err != nil {
		t.Fatalf("sandbox audience: %v", err)
	}
	ae := apiErr(t, client("").Ready(context.Background()), hubforce.Auth)
	if ae.Code != "invalid_grant" || !strings.Contains(ae.Message, "audience is invalid") {
		t.Errorf("production audience at a sandbox: %+v", ae)
	}
}

func TestClientCredentials(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(func(cfg *ClientConfig) { cfg.RefreshToken, cfg.ClientCredentials = "", true })
	if err := someCall(c); err != nil {
		t.Fatalf("call with client credentials: %v", err)
	}
	bad := f.client(func(cfg *ClientConfig) { cfg.RefreshToken, cfg.ClientSecret, cfg.ClientCredentials = "", "wrong", true })
	if ae := apiErr(t, bad.Ready(context.Background()), hubforce.Auth); ae.Code != "invalid_client" {
		t.Errorf("wrong secret: %+v", ae)
	}
}

// Tokens and secrets reach no log line, whatever happens: grants,
// refreshes, refusals, retries.
func TestTokensNeverLogged(t *testing.T) {
	f := newFixture(t, nil)
	store := testkit.NewCredentials()
	c := f.client(func(cfg *ClientConfig) { cfg.Credentials = store })
	_ = someCall(c)
	f.sim.ExpireSessions()
	_ = someCall(c)
	f.sim.ExpireSessions()
	f.sim.RefuseRefresh(true)
	_ = someCall(c)
	_ = c.Ready(context.Background())
	logs := f.logs.String()
	if !strings.Contains(logs, "token refused") {
		t.Fatalf("the logs were not captured: %q", logs)
	}
	secrets := []string{testRefresh, testSecret}
	for _, s := range store.Saved() {
		secrets = append(secrets, s.AccessToken)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("a secret (%d chars) is in the logs", len(s))
		}
	}
}

func TestConcurrent401sShareOneRefresh(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	if err := someCall(c); err != nil {
		t.Fatal(err)
	}
	f.sim.ExpireSessions()
	errs := make(chan error, 10)
	for range 10 {
		go func() { errs <- someCall(c) }()
	}
	for range 10 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent call: %v", err)
		}
	}
	if n := f.calls(tokenRoute); n != 2 {
		t.Errorf("%d grants for 10 concurrent 401s, want 2 (first and one refresh)", n)
	}
}

// The grant must not keep the context of the request that caused it:
// x/oauth2 holds on to the context a TokenSource was made with.
func TestRefreshOutlivesRequestContext(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := c.Get(ctx, hubforce.Contact, []string{"003000000000999AAA"}, nil); err != nil {
		t.Fatal(err)
	}
	cancel()
	f.sim.ExpireSessions()
	if err := someCall(c); err != nil {
		t.Errorf("refresh after the first request's context ended: %v", err)
	}
}

func TestSessionRefusedAfterRefreshIsAuth(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	f.intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/services/data/") {
			return false
		}
		w.Header().Set("WWW-Authenticate", "Token")
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
		return true
	})
	ae := apiErr(t, someCall(c), hubforce.Auth)
	if ae.Code != "INVALID_SESSION_ID" || ae.Status != http.StatusUnauthorized {
		t.Errorf("%+v", ae)
	}
	if n := f.calls(tokenRoute); n != 2 {
		t.Errorf("%d grants, want 2 (first, one refresh, then give up)", n)
	}
}

// With a client secret but no refresh token and no explicit client
// credentials flow, the client waits for credentials (the Connect flow)
// rather than guessing another grant.
func TestNoRefreshTokenWaitsForConnect(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(func(cfg *ClientConfig) { cfg.RefreshToken = "" })
	if err := c.Ready(context.Background()); err == nil {
		if err := someCall(c); err == nil {
			t.Fatal("a client without any credential made a call")
		}
	}
	if err := c.SetRefreshToken(context.Background(), testRefresh); err != nil {
		t.Fatalf("SetRefreshToken: %v", err)
	}
	if err := someCall(c); err != nil {
		t.Fatalf("after the Connect flow: %v", err)
	}
}
