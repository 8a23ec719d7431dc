package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setup salesforce writes the SFDX project for the configuration serve
// reads: the URL from HUBFORCE_PUBLIC_URL (or --public-url), custom fields
// from HUBFORCE_MAPPING_FILE, the integration user from
// HUBFORCE_SALESFORCE_USERNAME.
func TestSetupSalesforceWritesTheConfiguredProject(t *testing.T) {
	dir := t.TempDir()
	mappingFile := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(mappingFile, []byte(`version: 1
objects:
  contact:
    fields:
      - hubspot: loyalty_tier
        salesforce: Loyalty_Tier__c
  company:
    fields:
      - hubspot: total_seats
        salesforce: acme__Seats__c
        type: integer
`), 0o644); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(dir, "hubforce.env")
	if err := os.WriteFile(envFile, []byte("HUBFORCE_PUBLIC_URL=https://from-env-file.example.com\nHUBFORCE_SALESFORCE_USERNAME=bridge@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"HUBFORCE_MAPPING_FILE=" + mappingFile}
	out, ok := run(t, dir, env, "setup", "salesforce", "--out", "sf", "--env-file", envFile)
	if !ok {
		t.Fatalf("setup salesforce failed:\n%s", out)
	}
	if !strings.Contains(out, "sf project deploy start --source-dir force-app") {
		t.Errorf("output does not say what to run next:\n%s", out)
	}
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "sf", rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	contact := read("force-app/main/default/workflows/Contact.workflow-meta.xml")
	for _, want := range []string{
		"<endpointUrl>https://from-env-file.example.com/webhooks/salesforce</endpointUrl>",
		"<fields>Loyalty_Tier__c</fields>", "<fields>SystemModstamp</fields>",
		"<includeSessionId>false</includeSessionId>", "<integrationUser>bridge@example.com</integrationUser>",
	} {
		if !strings.Contains(contact, want) {
			t.Errorf("Contact.workflow-meta.xml lacks %s:\n%s", want, contact)
		}
	}
	if ps := read("force-app/main/default/permissionsets/Hubforce_Integration.permissionset-meta.xml"); !strings.Contains(ps, "<field>Account.acme__Seats__c</field>") {
		t.Errorf("permission set lacks the custom Account field:\n%s", ps)
	}

	// --public-url wins over the configuration, and a second run replaces
	// the first output in place.
	out, ok = run(t, dir, env, "setup", "salesforce", "--out", "sf", "--env-file", envFile, "--public-url", "https://flag.example.com")
	if !ok {
		t.Fatalf("second run failed:\n%s", out)
	}
	if g := read("force-app/main/default/extlClntAppGlobalOauthSets/Hubforce_glbloauth.ecaGlblOauth-meta.xml"); !strings.Contains(g, "<callbackUrl>https://flag.example.com/connect/salesforce/callback</callbackUrl>") {
		t.Errorf("callback URL not from --public-url:\n%s", g)
	}

	// A public URL HubSpot and Salesforce cannot call is refused, saying so.
	out, ok = run(t, dir, env, "setup", "hubspot", "--out", "hs", "--public-url", "http://sync.example.com")
	if ok || !strings.Contains(out, "must be https") {
		t.Errorf("http public URL accepted or unexplained:\n%s", out)
	}
	out, ok = run(t, dir, nil, "setup", "hubspot", "--out", "hs")
	if ok || !strings.Contains(out, "HUBFORCE_PUBLIC_URL") {
		t.Errorf("no public URL accepted or unexplained:\n%s", out)
	}
	out, ok = run(t, dir, nil, "setup", "hubspot", "--out", "hs", "--public-url", "https://sync.example.com")
	if !ok || !strings.Contains(out, "hs project upload") {
		t.Errorf("setup hubspot:\n%s", out)
	}
	if w, err := os.ReadFile(filepath.Join(dir, "hs", "src/app/webhooks/webhooks-hsmeta.json")); err != nil || !strings.Contains(string(w), `"targetUrl": "https://sync.example.com/webhooks/hubspot"`) {
		t.Errorf("webhooks-hsmeta.json: %v\n%s", err, w)
	}
}
