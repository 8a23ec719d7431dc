package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseDefaults(t *testing.T) {
	c, err := Parse(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":8080" || c.DatabaseURL != "sqlite:hubforce.db" || c.HubSpot.APIURL != "https://api.hubapi.com" ||
		c.Salesforce.LoginURL != "https://login.salesforce.com" || c.RetryCeiling != 24*time.Hour {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestParseNested(t *testing.T) {
	c, err := Parse(map[string]string{
		"HUBFORCE_HUBSPOT_APP_ID":           "9393361",
		"HUBFORCE_SALESFORCE_ORG_ID":        "00D000000000001AAA",
		"HUBFORCE_BATCH_LINGER":             "50ms",
		"HUBFORCE_HUBSPOT_CLIENT_SECRET":    "s",
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN":     "pat",
		"HUBFORCE_SALESFORCE_CLIENT_ID":     "id",
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN": "r",
		"HUBFORCE_SECRET_KEY":               validKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.HubSpot.AppID != 9393361 || c.Salesforce.OrgID != "00D000000000001AAA" || c.BatchLinger != 50*time.Millisecond {
		t.Fatalf("got %+v", c)
	}
	if err := c.ValidateServe(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
}

func TestParseErrorNamesVariable(t *testing.T) {
	_, err := Parse(map[string]string{"HUBFORCE_WORKERS": "many"})
	if err == nil || !strings.Contains(err.Error(), "HUBFORCE_WORKERS") {
		t.Fatalf("want an error naming HUBFORCE_WORKERS, got %v", err)
	}
}

const validKey = "Vq0xN2V0cDk1eXJ3b2x1bWVzLWtleS0wMTIzNDU2Nzg5"

// valid is a configuration serve accepts; tests change one thing in it.
func valid() map[string]string {
	return map[string]string{
		"HUBFORCE_HUBSPOT_CLIENT_SECRET":    "s",
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN":     "pat",
		"HUBFORCE_SALESFORCE_ORG_ID":        "00D000000000001AAA",
		"HUBFORCE_SALESFORCE_CLIENT_ID":     "id",
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN": "r",
		"HUBFORCE_SECRET_KEY":               validKey,
	}
}

// Each bad value is refused, naming its variable, and all of them are
// reported at once.
func TestValidateServeRefusesEveryBadValueAtOnce(t *testing.T) {
	env := valid()
	bad := map[string]string{
		"HUBFORCE_LOG_LEVEL":    "verbose",
		"HUBFORCE_LOG_FORMAT":   "pretty",
		"HUBFORCE_LISTEN_ADDR":  "8080",
		"HUBFORCE_SECRET_KEY":   "too-short",
		"HUBFORCE_WORKERS":      "many",
		"HUBFORCE_DATABASE_URL": "mysql://x",
	}
	for k, v := range bad {
		env[k] = v
	}
	c, perr := Parse(env)
	err := errors.Join(perr, c.ValidateServe())
	if err == nil {
		t.Fatal("accepted")
	}
	for k := range bad {
		if strings.Count(err.Error(), k) == 0 {
			t.Errorf("no message names %s:\n%v", k, err)
		}
	}
	if !strings.Contains(err.Error(), "hubforce keygen") {
		t.Errorf("the short key's message does not say how to make one: %v", err)
	}
	if n := strings.Count(err.Error(), "HUBFORCE_WORKERS"); n != 1 {
		t.Errorf("HUBFORCE_WORKERS reported %d times:\n%v", n, err)
	}
}

// The credential combinations: exactly those the clients work with.
func TestValidateServeCredentials(t *testing.T) {
	strip := func(env map[string]string, names ...string) map[string]string {
		for _, n := range names {
			delete(env, n)
		}
		return env
	}
	with := func(env map[string]string, kv ...string) map[string]string {
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	sf := []string{"HUBFORCE_SALESFORCE_CLIENT_ID", "HUBFORCE_SALESFORCE_REFRESH_TOKEN"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // "" accepted
	}{
		{"refresh token", valid(), ""},
		{"salesforce client secret alone", with(strip(valid(), sf...), "HUBFORCE_SALESFORCE_CLIENT_SECRET", "x"), "HUBFORCE_SALESFORCE_CLIENT_ID is required"},
		{"salesforce client id alone", strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "Salesforce credentials"},
		{"salesforce id and secret, Connect", with(strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "HUBFORCE_SALESFORCE_CLIENT_SECRET", "x", "HUBFORCE_ADMIN_TOKEN", "a"), ""},
		{"salesforce id and secret, no dashboard", with(strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "HUBFORCE_SALESFORCE_CLIENT_SECRET", "x"), "HUBFORCE_ADMIN_TOKEN"},
		{"salesforce client credentials", with(strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "HUBFORCE_SALESFORCE_CLIENT_SECRET", "x", "HUBFORCE_SALESFORCE_CLIENT_CREDENTIALS", "true"), ""},
		{"salesforce client credentials without secret", with(strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "HUBFORCE_SALESFORCE_CLIENT_CREDENTIALS", "true"), "HUBFORCE_SALESFORCE_CLIENT_SECRET"},
		{"salesforce JWT", with(strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "HUBFORCE_SALESFORCE_USERNAME", "u", "HUBFORCE_SALESFORCE_PRIVATE_KEY_FILE", "k.pem"), ""},
		{"salesforce JWT without key", with(strip(valid(), "HUBFORCE_SALESFORCE_REFRESH_TOKEN"), "HUBFORCE_SALESFORCE_USERNAME", "u"), "HUBFORCE_SALESFORCE_PRIVATE_KEY_FILE"},
		{"hubspot OAuth, Connect", with(strip(valid(), "HUBFORCE_HUBSPOT_ACCESS_TOKEN"), "HUBFORCE_HUBSPOT_CLIENT_ID", "c", "HUBFORCE_ADMIN_TOKEN", "a"), ""},
		{"hubspot OAuth, no dashboard", with(strip(valid(), "HUBFORCE_HUBSPOT_ACCESS_TOKEN"), "HUBFORCE_HUBSPOT_CLIENT_ID", "c"), "HUBFORCE_ADMIN_TOKEN"},
		{"hubspot refresh token without client", with(strip(valid(), "HUBFORCE_HUBSPOT_ACCESS_TOKEN"), "HUBFORCE_HUBSPOT_REFRESH_TOKEN", "r"), "HUBFORCE_HUBSPOT_CLIENT_ID"},
		{"hubspot nothing", strip(valid(), "HUBFORCE_HUBSPOT_ACCESS_TOKEN"), "HubSpot credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.env)
			if err != nil {
				t.Fatal(err)
			}
			err = c.ValidateServe()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want a refusal naming %s, got %v", tc.want, err)
			}
		})
	}
}

func TestUnknownVariablesSuggestTheNearest(t *testing.T) {
	env := valid()
	env["HUBFORCE_LOG_LEVL"] = "debug"
	env["HUBFORCE_SALESFORCE_CLIENTID"] = "x"
	env["HUBFORCE_WHATEVER_ELSE_ENTIRELY"] = "x"
	env["HUBFORCE_TEST_POSTGRES_URL"] = "postgres://x"
	env["OTHER_VARIABLE"] = "x"
	c, err := Parse(env)
	if err != nil {
		t.Fatal(err)
	}
	want := []Unknown{{"HUBFORCE_LOG_LEVL", "HUBFORCE_LOG_LEVEL"}, {"HUBFORCE_SALESFORCE_CLIENTID", "HUBFORCE_SALESFORCE_CLIENT_ID"},
		{"HUBFORCE_WHATEVER_ELSE_ENTIRELY", ""}}
	if !slices.Equal(c.Unknown, want) {
		t.Fatalf("unknown = %v, want %v", c.Unknown, want)
	}
	if s := c.Unknown[0].String(); !strings.Contains(s, "did you mean HUBFORCE_LOG_LEVEL?") {
		t.Errorf("%q", s)
	}
}

func TestValidateServe(t *testing.T) {
	c, _ := Parse(map[string]string{"HUBFORCE_SALESFORCE_ORG_ID": "short", "HUBFORCE_PUBLIC_URL": "sync.example.com"})
	err := c.ValidateServe()
	for _, want := range []string{"HUBFORCE_HUBSPOT_CLIENT_SECRET is required", "HUBFORCE_SALESFORCE_ORG_ID must be", "HUBFORCE_PUBLIC_URL must be", "HubSpot credentials", "HUBFORCE_SALESFORCE_CLIENT_ID is required", "HUBFORCE_SECRET_KEY is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}

func TestLoadEnvFileYieldsToEnvironment(t *testing.T) {
	f := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(f, []byte("HUBFORCE_LISTEN_ADDR=:9999\nHUBFORCE_ADMIN_TOKEN=fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUBFORCE_ADMIN_TOKEN", "fromenv")
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":9999" || c.AdminToken != "fromenv" {
		t.Fatalf("got listen %q token %q", c.ListenAddr, c.AdminToken)
	}
}

func validVars() map[string]string {
	return map[string]string{"HUBFORCE_SALESFORCE_ORG_ID": "00D000000000001AAA", "HUBFORCE_HUBSPOT_CLIENT_SECRET": "s",
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN": "pat", "HUBFORCE_SALESFORCE_CLIENT_ID": "id", "HUBFORCE_SALESFORCE_REFRESH_TOKEN": "r",
		"HUBFORCE_SECRET_KEY": "k"}
}

// TestVersionsAndHosts: the 2026 defaults, and each new setting refused
// with its variable named.
func TestVersionsAndHosts(t *testing.T) {
	c, err := Parse(validVars())
	if err != nil {
		t.Fatal(err)
	}
	if c.HubSpot.APIVersion != "2026-03" || c.HubSpot.AppURL != "https://app.hubspot.com" || c.Salesforce.APIVersion != "v68.0" ||
		c.Salesforce.JWTAudience != "https://login.salesforce.com" {
		t.Fatalf("defaults: %+v %+v", c.HubSpot, c.Salesforce)
	}
	for k, v := range map[string]string{
		"HUBFORCE_HUBSPOT_API_VERSION":     "v3",
		"HUBFORCE_HUBSPOT_APP_URL":         "app.hubspot.com",
		"HUBFORCE_SALESFORCE_API_VERSION":  "68",
		"HUBFORCE_SALESFORCE_JWT_AUDIENCE": "login.salesforce.com",
	} {
		vars := validVars()
		vars[k] = v
		c, err := Parse(vars)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ValidateServe(); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}

func TestSignedURLAndWarnings(t *testing.T) {
	c, _ := Parse(validVars())
	if got := c.SignedURL(); !strings.HasPrefix(got, "https://{Host header}/webhooks/hubspot") {
		t.Errorf("unset public URL: %s", got)
	}
	c.PublicURL = "http://sync.example.com/"
	if got := c.SignedURL(); !strings.HasPrefix(got, "http://sync.example.com/webhooks/hubspot") {
		t.Errorf("public URL: %s", got)
	}
	if w := c.Warnings(); len(w) != 1 || !strings.Contains(w[0], "HubSpot only calls HTTPS") {
		t.Errorf("warnings for an http public URL: %v", w)
	}
}

// TestTrustMessagesNeedsMutualTLS: message values are never believed
// without a way to prove the sender.
func TestTrustMessagesNeedsMutualTLS(t *testing.T) {
	vars := validVars()
	vars["HUBFORCE_SALESFORCE_TRUST_MESSAGES"] = "true"
	c, err := Parse(vars)
	if err != nil {
		t.Fatal(err)
	}
	if c.Salesforce.ClientCertSubject != "CN=proxy.salesforce.com" || c.Salesforce.ClientCertIssuer != "O=DigiCert Inc" {
		t.Fatalf("pin defaults: %q %q", c.Salesforce.ClientCertSubject, c.Salesforce.ClientCertIssuer)
	}
	if err := c.ValidateServe(); err == nil || !strings.Contains(err.Error(), "HUBFORCE_SALESFORCE_TRUST_MESSAGES needs HUBFORCE_SALESFORCE_CLIENT_CA_FILE") {
		t.Fatalf("trust without mutual TLS: %v", err)
	}
}
