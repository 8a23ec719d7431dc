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
