package hubspot_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/mapping"
)

// deploy/hubspot is the developer-platform project `hs project upload`
// turns into hubforce's app. These tests hold it to the structure HubSpot
// documents (developers.hubspot.com/docs/developer-tooling/platform/project-structure,
// …/apps/developer-platform/build-apps/app-configuration and
// …/add-features/configure-webhooks; HubSpot/hubspot-project-components
// 2026.03 templates) and to what the bridge needs. scripts/validate-hubspot-project
// also runs HubSpot's own parser over it.

const projectDir = "../../deploy/hubspot"

func readJSON(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(projectDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// uidRE: uids are internal identifiers; HubSpot's templates use letters,
// digits, _ and -.
var uidRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

type project struct {
	Name            string `json:"name"`
	SrcDir          string `json:"srcDir"`
	PlatformVersion string `json:"platformVersion"`
}

type appMeta struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	Config struct {
		Name         string `json:"name"`
		Description  string `json:"description"`
		Distribution string `json:"distribution"`
		Auth         struct {
			Type                        string   `json:"type"`
			RedirectURLs                []string `json:"redirectUrls"`
			RequiredScopes              []string `json:"requiredScopes"`
			OptionalScopes              []string `json:"optionalScopes"`
			ConditionallyRequiredScopes []string `json:"conditionallyRequiredScopes"`
		} `json:"auth"`
		PermittedURLs struct {
			Fetch  []string `json:"fetch"`
			Iframe []string `json:"iframe"`
			Img    []string `json:"img"`
		} `json:"permittedUrls"`
		Support struct {
			SupportEmail     string `json:"supportEmail"`
			DocumentationURL string `json:"documentationUrl"`
			SupportURL       string `json:"supportUrl"`
			SupportPhone     string `json:"supportPhone"`
		} `json:"support"`
	} `json:"config"`
}

type subscription struct {
	SubscriptionType string `json:"subscriptionType"`
	ObjectType       string `json:"objectType"`
	PropertyName     string `json:"propertyName"`
	Active           bool   `json:"active"`
}

type webhooksMeta struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	Config struct {
		Settings struct {
			TargetURL             string `json:"targetUrl"`
			MaxConcurrentRequests int    `json:"maxConcurrentRequests"`
		} `json:"settings"`
		Subscriptions struct {
			CRMObjects       []subscription `json:"crmObjects"`
			LegacyCRMObjects []subscription `json:"legacyCrmObjects"`
			HubEvents        []subscription `json:"hubEvents"`
		} `json:"subscriptions"`
	} `json:"config"`
}

func TestProjectStructure(t *testing.T) {
	var p project
	readJSON(t, "hsproject.json", &p)
	if p.Name == "" || p.SrcDir != "src" || !slices.Contains([]string{"2025.2", "2026.03"}, p.PlatformVersion) {
		t.Fatalf("hsproject.json: %+v", p)
	}
	// The app is the one parent component, at src/app/app-hsmeta.json;
	// its features are folders beside it.
	var app appMeta
	readJSON(t, "src/app/app-hsmeta.json", &app)
	c := app.Config
	if !uidRE.MatchString(app.UID) || app.Type != "app" || c.Name == "" || len(c.Name) > 200 {
		t.Errorf("app: uid %q, type %q, name %q", app.UID, app.Type, c.Name)
	}
	if !slices.Contains([]string{"private", "marketplace"}, c.Distribution) || !slices.Contains([]string{"static", "oauth"}, c.Auth.Type) {
		t.Errorf("distribution %q, auth type %q", c.Distribution, c.Auth.Type)
	}
	if c.Auth.Type == "static" && c.Distribution != "private" {
		t.Error("static auth is for privately distributed apps only")
	}
	if c.Auth.Type == "oauth" && len(c.Auth.RedirectURLs) == 0 {
		t.Error("an OAuth app needs redirectUrls")
	}
	for _, s := range hubspot.Scopes() {
		if !slices.Contains(c.Auth.RequiredScopes, s) {
			t.Errorf("requiredScopes lacks %s, which the bridge uses", s)
		}
	}
	if c.Auth.OptionalScopes == nil || c.Auth.ConditionallyRequiredScopes == nil || c.PermittedURLs.Fetch == nil {
		t.Error("optionalScopes, conditionallyRequiredScopes and permittedUrls are listed, empty, as in HubSpot's templates")
	}
	if c.Support.SupportEmail == "" || !strings.HasPrefix(c.Support.DocumentationURL, "https://") {
		t.Errorf("support: %+v", c.Support)
	}
}

func TestProjectWebhooks(t *testing.T) {
	var w webhooksMeta
	readJSON(t, "src/app/webhooks/webhooks-hsmeta.json", &w)
	s := w.Config.Settings
	if !uidRE.MatchString(w.UID) || w.Type != "webhooks" {
		t.Fatalf("uid %q type %q", w.UID, w.Type)
	}
	// HubSpot calls only HTTPS target URLs; the host is the user's.
	if s.TargetURL != "https://YOUR-HOST/webhooks/hubspot" || s.MaxConcurrentRequests < 5 || s.MaxConcurrentRequests > 10 {
		t.Errorf("settings: %+v", s)
	}
	subs := w.Config.Subscriptions
	if len(subs.CRMObjects) != 0 {
		t.Error("crmObjects: the project subscribes with legacyCrmObjects (see deploy/hubspot/README.md)")
	}
	have := map[string]bool{}
	for _, sub := range subs.LegacyCRMObjects {
		obj, kind, _ := strings.Cut(sub.SubscriptionType, ".")
		if !sub.Active || (obj != "contact" && obj != "company") {
			t.Errorf("subscription %+v: inactive or not a contact/company one", sub)
		}
		if (kind == "propertyChange") != (sub.PropertyName != "") {
			t.Errorf("%+v: propertyChange subscriptions, and only they, name a property", sub)
		}
		key := sub.SubscriptionType + ":" + sub.PropertyName
		if have[key] {
			t.Errorf("%s twice", key)
		}
		have[key] = true
	}
	m := mapping.Default()
	for obj, name := range map[hubforce.Object]string{hubforce.Contact: "contact", hubforce.Company: "company"} {
		for _, kind := range []string{"creation", "deletion", "merge", "restore", "associationChange"} {
			if !have[name+"."+kind+":"] {
				t.Errorf("no %s.%s subscription", name, kind)
			}
		}
		for _, f := range m.Fields(obj) {
			if f.Rule.Writes(hubforce.HubSpot) != mapping.Never && !have[name+".propertyChange:"+f.HubSpot] {
				t.Errorf("no %s.propertyChange subscription for the mapped %s", name, f.HubSpot)
			}
		}
	}
	if len(subs.HubEvents) != 1 || subs.HubEvents[0].SubscriptionType != "contact.privacyDeletion" || !subs.HubEvents[0].Active {
		t.Errorf("hubEvents: %+v", subs.HubEvents)
	}
}
