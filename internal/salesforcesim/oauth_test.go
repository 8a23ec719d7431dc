package salesforcesim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func selfSigned(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hubforce-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestTokenResponseShape(t *testing.T) {
	e := newEnv(t, nil)
	status, body := e.form(url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID},
		"client_secret": {testSecret}, "refresh_token": {testRefresh}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var tr map[string]any
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k, v := range tr {
		keys = append(keys, k)
		if _, ok := v.(string); !ok {
			t.Errorf("%s is %T, want string", k, v)
		}
	}
	slices.Sort(keys)
	want := []string{"access_token", "id", "instance_url", "issued_at", "scope", "signature", "token_type"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v (no expires_in)", keys, want)
	}
	id := tr["id"].(string)
	if id != e.srv.URL+"/id/"+e.sim.OrgID()+"/"+e.sim.IntegrationUserID() {
		t.Errorf("id = %s", id)
	}
	if tr["instance_url"] != e.srv.URL || tr["token_type"] != "Bearer" {
		t.Errorf("instance_url %v token_type %v", tr["instance_url"], tr["token_type"])
	}
	if tr["issued_at"] != "1772359200000" {
		t.Errorf("issued_at = %v, want ms of the injected clock", tr["issued_at"])
	}
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(id + tr["issued_at"].(string)))
	if tr["signature"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Error("signature is not base64 HMAC-SHA256(secret, id+issued_at)")
	}
	if !strings.HasPrefix(tr["access_token"].(string), e.sim.OrgID()[:15]+"!") {
		t.Errorf("access token %q does not start with the 15-char org id", tr["access_token"])
	}
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name      string
		form      url.Values
		refuse    bool
		wantError string
		wantDesc  string
	}{
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {"nope"}},
			false, "invalid_grant", "expired access/refresh token"},
		{"refused refresh", url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {testRefresh}},
			true, "invalid_grant", "expired access/refresh token"},
		{"wrong client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {testSecret}},
			false, "invalid_client_id", "client identifier invalid"},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {"x"}},
			false, "invalid_client", "invalid client credentials"},
		{"unknown grant", url.Values{"grant_type": {"password"}}, false, "unsupported_grant_type", "grant type not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sim.RefuseRefresh(tt.refuse)
			defer e.sim.RefuseRefresh(false)
			status, body := e.form(tt.form)
			var got map[string]string
			if err := json.Unmarshal(body, &got); err != nil || status != http.StatusBadRequest {
				t.Fatalf("status %d body %s", status, body)
			}
			if got["error"] != tt.wantError || got["error_description"] != tt.wantDesc || len(got) != 2 {
				t.Errorf("got %v", got)
			}
		})
	}
}

func TestJWTBearer(t *testing.T) {
	key, certPEM := selfSigned(t)
	otherKey, _ := selfSigned(t)
	e := newEnv(t, func(c *Config) {
		c.JWTCertificatePEM = certPEM
		c.Usernames = []string{"integration@example.com"}
	})
	sign := func(k *rsa.PrivateKey, mod func(*jwt.RegisteredClaims)) string {
		c := jwt.RegisteredClaims{Issuer: testClientID, Subject: "integration@example.com",
			Audience: jwt.ClaimStrings{"https://login.salesforce.com"}, ExpiresAt: jwt.NewNumericDate(e.clock.Now().Add(3 * time.Minute))}
		if mod != nil {
			mod(&c)
		}
		s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name      string
		assertion string
		status    int
		wantDesc  string
	}{
		{"valid", sign(key, nil), http.StatusOK, ""},
		{"other key", sign(otherKey, nil), http.StatusBadRequest, "invalid assertion"},
		{"expired", sign(key, func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(-time.Minute)) }),
			http.StatusBadRequest, "invalid assertion"},
		{"no exp", sign(key, func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }), http.StatusBadRequest, "invalid assertion"},
		{"wrong audience", sign(key, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"https://example.com"} }),
			http.StatusBadRequest, "audience is invalid"},
		// The host the assertion is posted to (My Domain) is not the aud.
		{"token endpoint host as audience", sign(key, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{e.srv.URL} }),
			http.StatusBadRequest, "audience is invalid"},
		{"sandbox audience for a production org", sign(key, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"https://test.salesforce.com"} }),
			http.StatusBadRequest, "audience is invalid"},
		{"unknown user", sign(key, func(c *jwt.RegisteredClaims) { c.Subject = "someone@example.com" }),
			http.StatusBadRequest, "user hasn't approved this consumer"},
		{"wrong issuer", sign(key, func(c *jwt.RegisteredClaims) { c.Issuer = "other" }), http.StatusBadRequest, "client identifier invalid"},
		{"garbage", "not.a.jwt", http.StatusBadRequest, "invalid assertion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.form(url.Values{"grant_type": {jwtBearerGrant}, "assertion": {tt.assertion}})
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.wantDesc != "" && !strings.Contains(string(body), `"error_description":"`+tt.wantDesc+`"`) {
				t.Errorf("body %s, want %q", body, tt.wantDesc)
			}
		})
	}
}

// TestJWTBearerSandboxAndSite: a sandbox takes test.salesforce.com, and an
// Experience Cloud site's URL is an audience too.
func TestJWTBearerSandboxAndSite(t *testing.T) {
	key, certPEM := selfSigned(t)
	e := newEnv(t, func(c *Config) {
		c.JWTCertificatePEM, c.Usernames = certPEM, []string{"integration@example.com"}
		c.Sandbox, c.SiteURLs = true, []string{"https://acme.my.site.com/partners"}
	})
	for aud, want := range map[string]int{"https://test.salesforce.com": http.StatusOK, "https://acme.my.site.com/partners": http.StatusOK,
		"https://login.salesforce.com": http.StatusBadRequest} {
		c := jwt.RegisteredClaims{Issuer: testClientID, Subject: "integration@example.com",
			Audience: jwt.ClaimStrings{aud}, ExpiresAt: jwt.NewNumericDate(e.clock.Now().Add(time.Minute))}
		a, err := jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := e.form(url.Values{"grant_type": {jwtBearerGrant}, "assertion": {a}}); status != want {
			t.Errorf("aud %s: %d %s", aud, status, body)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = time.Hour })
	e.expect("GET", "/limits", nil, http.StatusOK, nil)
	e.clock.Advance(time.Hour)
	for _, expire := range []func(){func() {}, e.sim.ExpireSessions} {
		expire()
		resp, body := e.do("GET", "/limits", nil)
		if resp.StatusCode != http.StatusUnauthorized ||
			string(body) != `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`+"\n" {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
		if resp.Header.Get("WWW-Authenticate") != "Token" || resp.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
			t.Errorf("headers %v", resp.Header)
		}
		e.token = e.login()
		e.expect("GET", "/limits", nil, http.StatusOK, nil)
	}
}
