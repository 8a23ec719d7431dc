package setup_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/setup"
)

func customParams(t *testing.T) setup.Params {
	t.Helper()
	m, err := mapping.Load("testdata/custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return setup.Params{PublicURL: "https://sync.example.com/", Mapping: m, IntegrationUser: "bridge@example.com"}
}

type outboundMessages struct {
	OutboundMessages []struct {
		FullName         string   `xml:"fullName"`
		EndpointURL      string   `xml:"endpointUrl"`
		Fields           []string `xml:"fields"`
		IncludeSessionID bool     `xml:"includeSessionId"`
		IntegrationUser  string   `xml:"integrationUser"`
	} `xml:"outboundMessages"`
}

func TestSalesforceCustomFields(t *testing.T) {
	files, err := setup.SalesforceProject(customParams(t))
	if err != nil {
		t.Fatal(err)
	}
	const dir = "force-app/main/default/"
	for obj, custom := range map[string]string{"Contact": "Loyalty_Tier__c", "Account": "acme__Seats__c"} {
		var w outboundMessages
		decode(t, files, dir+"workflows/"+obj+".workflow-meta.xml", &w)
		if len(w.OutboundMessages) != 1 {
			t.Fatalf("%s: %d outbound messages", obj, len(w.OutboundMessages))
		}
		om := w.OutboundMessages[0]
		if om.EndpointURL != "https://sync.example.com/webhooks/salesforce" || om.IncludeSessionID || om.IntegrationUser != "bridge@example.com" {
			t.Errorf("%s: %+v", obj, om)
		}
		for _, f := range []string{"Id", "SystemModstamp", "LastModifiedById", custom} {
			if !slices.Contains(om.Fields, f) {
				t.Errorf("%s outbound message lacks %s: %v", obj, f, om.Fields)
			}
		}
		flow := string(files[dir+"flows/Hubforce_"+obj+"_Changed.flow-meta.xml"])
		if !strings.Contains(flow, "<actionName>"+obj+"."+om.FullName+"</actionName>") || !strings.Contains(flow, "<object>"+obj+"</object>") {
			t.Errorf("%s flow does not send %s:\n%s", obj, om.FullName, flow)
		}
	}
	var ps struct {
		FieldPermissions []struct {
			Editable, Readable bool
			Field              string `xml:"field"`
		} `xml:"fieldPermissions"`
		ObjectPermissions []struct {
			AllowCreate bool   `xml:"allowCreate"`
			AllowEdit   bool   `xml:"allowEdit"`
			AllowRead   bool   `xml:"allowRead"`
			Object      string `xml:"object"`
		} `xml:"objectPermissions"`
		UserPermissions []struct {
			Enabled bool   `xml:"enabled"`
			Name    string `xml:"name"`
		} `xml:"userPermissions"`
	}
	decode(t, files, dir+"permissionsets/Hubforce_Integration.permissionset-meta.xml", &ps)
	var fields []string
	for _, f := range ps.FieldPermissions {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"Contact.Loyalty_Tier__c", "Account.acme__Seats__c", "Contact.Email", "Account.Website"} {
		if !slices.Contains(fields, want) {
			t.Errorf("permission set lacks %s: %v", want, fields)
		}
	}
	for _, never := range []string{"Contact.LastName", "Contact.FirstName", "Account.Name"} {
		if slices.Contains(fields, never) {
			t.Errorf("permission set names the required field %s, which Salesforce rejects", never)
		}
	}
	if len(ps.ObjectPermissions) != 2 || len(ps.UserPermissions) != 1 || ps.UserPermissions[0].Name != "ApiEnabled" {
		t.Errorf("permission set: %+v %+v", ps.ObjectPermissions, ps.UserPermissions)
	}
	for _, o := range ps.ObjectPermissions {
		if !o.AllowRead || !o.AllowEdit || !o.AllowCreate {
			t.Errorf("object permission %+v", o)
		}
	}
	glbl := string(files[dir+"extlClntAppGlobalOauthSets/Hubforce_glbloauth.ecaGlblOauth-meta.xml"])
	if !strings.Contains(glbl, "<callbackUrl>https://sync.example.com/connect/salesforce/callback</callbackUrl>") {
		t.Errorf("callback URL:\n%s", glbl)
	}
	for path, b := range files {
		if strings.Contains(string(b), "consumerSecret") || strings.Contains(string(b), "consumerKey") {
			t.Errorf("%s carries a consumer key or secret", path)
		}
	}
}

func decode(t *testing.T, files map[string][]byte, path string, v any) {
	t.Helper()
	b, ok := files[path]
	if !ok {
		t.Fatalf("no %s", path)
	}
	if err := xml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestHubSpotCustomProperty(t *testing.T) {
	p := customParams(t)
	files, err := setup.HubSpotProject(p)
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Config struct {
			Settings struct {
				TargetURL string `json:"targetUrl"`
			} `json:"settings"`
			Subscriptions struct {
				Legacy []struct {
					SubscriptionType string `json:"subscriptionType"`
					PropertyName     string `json:"propertyName"`
				} `json:"legacyCrmObjects"`
			} `json:"subscriptions"`
		} `json:"config"`
	}
	if err := json.Unmarshal(files["src/app/webhooks/webhooks-hsmeta.json"], &w); err != nil {
		t.Fatal(err)
	}
	if w.Config.Settings.TargetURL != "https://sync.example.com/webhooks/hubspot" {
		t.Errorf("targetUrl %q", w.Config.Settings.TargetURL)
	}
	var subs []string
	for _, s := range w.Config.Subscriptions.Legacy {
		subs = append(subs, s.SubscriptionType+"/"+s.PropertyName)
	}
	for _, want := range []string{"contact.propertyChange/loyalty_tier", "company.propertyChange/total_seats", "contact.propertyChange/email", "company.creation/"} {
		if !slices.Contains(subs, want) {
			t.Errorf("no %s subscription: %v", want, subs)
		}
	}
	p.HubSpotOAuth = true
	files, err = setup.HubSpotProject(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files["src/app/app-hsmeta.json"]), `"redirectUrls": [
        "https://sync.example.com/connect/hubspot/callback"`) {
		t.Errorf("OAuth app:\n%s", files["src/app/app-hsmeta.json"])
	}
}

func TestPublicURL(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://sync.example.com", true},
		{"https://sync.example.com/base/", true},
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://sync.example.com", false},
		{"sync.example.com", false},
		{"", false},
		{"ftp://sync.example.com", false},
		{"https://user:pw@sync.example.com", false},
		{"https://sync.example.com/?a=b", false},
	} {
		for name, gen := range map[string]func(setup.Params) (map[string][]byte, error){"hubspot": setup.HubSpotProject, "salesforce": setup.SalesforceProject} {
			_, err := gen(setup.Params{PublicURL: c.url})
			if c.ok && err != nil {
				t.Errorf("%s %q: %v", name, c.url, err)
			}
			if !c.ok && !errors.Is(err, setup.ErrPublicURL) {
				t.Errorf("%s %q: err %v, want ErrPublicURL", name, c.url, err)
			}
		}
	}
	_, err := setup.SalesforceProject(setup.Params{PublicURL: "http://sync.example.com"})
	if err == nil || !strings.Contains(err.Error(), "must be https") {
		t.Errorf("error does not say why: %v", err)
	}
}

func TestSalesforceAPIVersion(t *testing.T) {
	for v, want := range map[string]string{"": "68.0", "v66.0": "66.0", "64.0": "64.0"} {
		files, err := setup.SalesforceProject(setup.Params{PublicURL: "https://x.example", SalesforceAPIVersion: v})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(files["sfdx-project.json"]), `"sourceApiVersion": "`+want+`"`) {
			t.Errorf("%q: %s", v, files["sfdx-project.json"])
		}
	}
	for _, v := range []string{"v58.0", "68", "latest"} {
		if _, err := setup.SalesforceProject(setup.Params{PublicURL: "https://x.example", SalesforceAPIVersion: v}); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	files, err := setup.SalesforceProject(setup.Params{PublicURL: "https://x.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := setup.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	// Regenerating over a previous output works, and drops what the new
	// output lacks.
	stale := filepath.Join(dir, "force-app/main/default/workflows/Old__c.workflow-meta.xml")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := setup.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale file kept: %v", err)
	}
	// A directory holding anything else is refused, untouched.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "main.go"), []byte("package main"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = setup.Write(other, files)
	if err == nil || !strings.Contains(err.Error(), "main.go") {
		t.Errorf("Write into a foreign directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "sfdx-project.json")); !errors.Is(err, os.ErrNotExist) {
		t.Error("Write wrote into a directory it refused")
	}
	if err := setup.Write(t.TempDir(), map[string][]byte{"../escape": nil}); err == nil {
		t.Error("a path out of dir accepted")
	}
}
