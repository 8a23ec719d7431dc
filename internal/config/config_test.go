package config

import (
	"os"
	"path/filepath"
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
		"HUBFORCE_SECRET_KEY":               "k",
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
