package doctor_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/doctor"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/salesforce"
	"github.com/hubforce/hubforce/internal/salesforcesim"
)

const (
	appID     = 54321
	publicURL = "https://sync.example.com"
	token     = "pat-na1-doctor"
	clientID  = "doctor-client"
	secret    = "doctor-secret"
	sfClient  = "doctor-sf-client"
	sfSecret  = "doctor-sf-secret"
	sfRefresh = "doctor-sf-refresh"
)

// everyMappedField is an Outbound Message selection covering the default
// mapping plus the fields the bridge needs.
var everyMappedField = map[string][]string{
	"Contact": {"Id", "SystemModstamp", "LastModifiedById", "AccountId", "Email", "FirstName", "LastName", "Phone", "MobilePhone", "Title",
		"MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry"},
	"Account": {"Id", "SystemModstamp", "LastModifiedById", "Name", "Website", "Phone", "Industry", "BillingStreet", "BillingCity", "BillingState",
		"BillingPostalCode", "BillingCountry", "NumberOfEmployees", "AnnualRevenue", "Description"},
}

type setup struct {
	hs      hubspotsim.Config
	sf      salesforcesim.Config
	mapping *mapping.Mapping
	// clientID: the HubSpot app's client id is configured (introspection).
	noClientID bool
}

func healthy() setup {
	return setup{
		hs: hubspotsim.Config{AppID: appID, ClientID: clientID, ClientSecret: secret, PrivateAppTokens: []string{token},
			WebhookURL: publicURL + "/webhooks/hubspot"},
		sf: salesforcesim.Config{ClientID: sfClient, ClientSecret: sfSecret, RefreshTokens: []string{sfRefresh},
			OutboundURL: publicURL + "/webhooks/salesforce", OutboundFields: everyMappedField},
		mapping: mapping.Default(),
	}
}

// run starts both simulators as configured and runs doctor with the
// bridge's real clients against them.
func run(t *testing.T, s setup) (doctor.Report, string) {
	t.Helper()
	hsSim := hubspotsim.New(s.hs)
	hsSrv := httptest.NewServer(hsSim.Handler())
	sfSim := salesforcesim.New(s.sf)
	sfSrv := httptest.NewServer(sfSim.Handler())
	sfSim.SetURL(sfSrv.URL)
	t.Cleanup(func() { hsSrv.Close(); hsSim.Close(); sfSrv.Close(); sfSim.Close() })
	cfg := hubspot.ClientConfig{BaseURL: hsSrv.URL, AccessToken: token, ClientID: clientID, ClientSecret: secret, Log: zerolog.Nop()}
	if s.noClientID {
		cfg.ClientID = ""
	}
	hs, err := hubspot.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := salesforce.NewClient(salesforce.ClientConfig{LoginURL: sfSrv.URL, ClientID: sfClient, ClientSecret: sfSecret,
		RefreshToken: sfRefresh, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	r := doctor.Run(context.Background(), doctor.Config{HubSpot: hs, Salesforce: sf, Mapping: s.mapping, AppID: appID,
		PublicURL: publicURL, SalesforceFlow: "refresh token", BudgetShare: 0.75, MappingSource: "the built-in mapping"})
	var out bytes.Buffer
	r.Write(&out)
	return r, out.String()
}

func find(r doctor.Report, side hubforce.Side, check string, st doctor.Status) []doctor.Finding {
	var out []doctor.Finding
	for _, f := range r {
		if f.Side == side && f.Check == check && f.Status == st {
			out = append(out, f)
		}
	}
	return out
}

// TestHealthyAccountsAreGreen: simulators set up as the README says pass
// every check, and every check could be made.
func TestHealthyAccountsAreGreen(t *testing.T) {
	r, out := run(t, healthy())
	for _, f := range r {
		if f.Status != doctor.OK {
			t.Errorf("%s %s: %s %s (fix: %s)", f.Side, f.Check, f.Status, f.Say, f.Fix)
		}
	}
	for _, want := range []string{"the token works (portal 62515, app 54321)", "Contact: every field required on create is mapped",
		"daily API requests used", "requests left in the current", "they go to https://sync.example.com/webhooks/hubspot",
		"0 failed, 0 warnings, 0 not checkable"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestMissingScope: an app without companies write says exactly that, and
// where to add it.
func TestMissingScope(t *testing.T) {
	s := healthy()
	s.hs.Scopes = []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read"}
	r, out := run(t, s)
	if !r.Failed() {
		t.Fatalf("a missing scope passed:\n%s", out)
	}
	f := find(r, hubforce.HubSpot, "scopes", doctor.Fail)
	if len(f) != 1 || f[0].Say != "the token lacks crm.objects.companies.write" || !strings.Contains(f[0].Fix, "requiredScopes in deploy/hubspot/src/app/app-hsmeta.json") {
		t.Fatalf("scope finding: %+v\n%s", f, out)
	}
}

// TestMissingReadScopeWithoutIntrospection: without the client id, a read
// refused for its scope still says which scope.
func TestMissingReadScopeWithoutIntrospection(t *testing.T) {
	s := healthy()
	s.noClientID = true
	s.hs.Scopes = []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write"}
	r, out := run(t, s)
	f := find(r, hubforce.HubSpot, "scopes", doctor.Fail)
	if len(f) != 1 || !strings.Contains(f[0].Say, "crm.objects.companies.read") {
		t.Fatalf("scope finding: %+v\n%s", f, out)
	}
	if len(find(r, hubforce.HubSpot, "webhooks", doctor.Unknown)) != 1 {
		t.Errorf("webhook settings cannot be read without the client id:\n%s", out)
	}
}

// TestMissingFields: a mapped Salesforce field the org does not have, and a
// HubSpot property the portal does not have, are each named with the fix.
func TestMissingFields(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mapping.yaml")
	if err := os.WriteFile(file, []byte("objects:\n  contact:\n    fields:\n      - hubspot: region\n        salesforce: Region__c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := mapping.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	s := healthy()
	s.mapping = m
	s.hs.CustomProperties = map[string][]string{"contacts": {"region"}}
	r, out := run(t, s)
	f := find(r, hubforce.Salesforce, "fields", doctor.Fail)
	if len(f) != 1 || !strings.HasPrefix(f[0].Say, "Contact has no field Region__c (mapped to region)") ||
		!strings.Contains(f[0].Fix, "Setup → Object Manager → Contact → Fields & Relationships → New") {
		t.Fatalf("Salesforce field finding: %+v\n%s", f, out)
	}

	s.hs.CustomProperties = nil
	s.sf.CustomFields = map[string][]string{"Contact": {"HubSpot_Id__c", "Region__c"}}
	r, out = run(t, s)
	f = find(r, hubforce.HubSpot, "properties", doctor.Fail)
	if len(f) != 1 || f[0].Say != `contacts has no property "region" (mapped to Region__c)` {
		t.Fatalf("HubSpot property finding: %+v\n%s", f, out)
	}
	if len(find(r, hubforce.Salesforce, "fields", doctor.Fail)) != 0 {
		t.Errorf("the field now exists:\n%s", out)
	}
}

// TestMissingDeletionMarks: a mapping that marks deleted records needs the
// checkbox on the other side.
func TestMissingDeletionMarks(t *testing.T) {
	m, err := mapping.Parse("m.yaml", []byte(`objects:
  contact:
    deletions: {hubspot: mark, mark_salesforce: Deleted_in_HubSpot__c, salesforce: mark, mark_hubspot: deleted_in_salesforce}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := healthy()
	s.mapping = m
	r, out := run(t, s)
	if f := find(r, hubforce.Salesforce, "fields", doctor.Fail); len(f) != 1 || !strings.HasPrefix(f[0].Say, "Contact.Deleted_in_HubSpot__c, which the mapping sets when HubSpot deletes") {
		t.Fatalf("Salesforce mark finding: %+v\n%s", f, out)
	}
	if f := find(r, hubforce.HubSpot, "properties", doctor.Fail); len(f) != 1 || !strings.Contains(f[0].Say, `no writable property "deleted_in_salesforce"`) {
		t.Fatalf("HubSpot mark finding: %+v\n%s", f, out)
	}
	s.sf.CheckboxFields = map[string][]string{"Contact": {"Deleted_in_HubSpot__c"}}
	s.hs.CustomProperties = map[string][]string{"contacts": {"deleted_in_salesforce"}}
	r, out = run(t, s)
	if f := append(find(r, hubforce.Salesforce, "fields", doctor.Fail), find(r, hubforce.HubSpot, "properties", doctor.Fail)...); len(f) != 0 {
		t.Fatalf("the marks exist now: %+v\n%s", f, out)
	}
}

// TestWebhooksElsewhere: subscriptions and Outbound Messages that go to
// another host fail, with the URL to set.
func TestWebhooksElsewhere(t *testing.T) {
	s := healthy()
	s.hs.WebhookURL = "https://old.example.com/webhooks/hubspot"
	s.hs.Subscriptions = []string{"contact.creation", "contact.propertyChange:email", "company.creation"}
	s.sf.OutboundURL = "https://old.example.com/webhooks/salesforce"
	r, out := run(t, s)
	if f := find(r, hubforce.HubSpot, "webhooks", doctor.Fail); len(f) != 1 || !strings.Contains(f[0].Fix, publicURL+"/webhooks/hubspot") {
		t.Errorf("HubSpot target: %+v\n%s", f, out)
	}
	if f := find(r, hubforce.HubSpot, "subscriptions", doctor.Fail); len(f) != 1 || f[0].Say != "no active company subscription to propertyChange" {
		t.Errorf("subscriptions: %+v\n%s", f, out)
	}
	if f := find(r, hubforce.Salesforce, "outbound messages", doctor.Fail); len(f) != 2 || !strings.Contains(f[0].Fix, "Endpoint URL "+publicURL+"/webhooks/salesforce") {
		t.Errorf("outbound messages: %+v\n%s", f, out)
	}
}

// TestRefusedCredentials: a wrong static token stops the HubSpot checks at
// the token, with where to find the right one.
func TestRefusedCredentials(t *testing.T) {
	s := healthy()
	s.hs.PrivateAppTokens = []string{"another-token"}
	r, out := run(t, s)
	f := find(r, hubforce.HubSpot, "token", doctor.Fail)
	if len(f) != 1 || !strings.Contains(f[0].Fix, "HUBFORCE_HUBSPOT_ACCESS_TOKEN") || len(find(r, hubforce.HubSpot, "scopes", doctor.Fail)) != 0 {
		t.Fatalf("token finding: %+v\n%s", f, out)
	}
}
