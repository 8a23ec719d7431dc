package setup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hubforce/hubforce"
)

// HubSpot's developer-platform project, as `hs project upload` reads it:
//   - hsproject.json: https://developers.hubspot.com/docs/developer-tooling/platform/project-structure
//   - src/app/app-hsmeta.json: https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration
//   - src/app/webhooks/webhooks-hsmeta.json: https://developers.hubspot.com/docs/apps/developer-platform/add-features/configure-webhooks
//
// Contacts and companies subscribe with legacyCrmObjects (their association
// events carry isPrimaryAssociation, see deploy/hubspot/README.md); any other
// mapped object with the generic crmObjects kind and its objectType, as the
// configure-webhooks page shows ("object.creation", "objectType").

// HubSpotPlatformVersion is the developer platform version of the project.
const HubSpotPlatformVersion = "2026.03"

type hsProject struct {
	Name            string `json:"name"`
	SrcDir          string `json:"srcDir"`
	PlatformVersion string `json:"platformVersion"`
}

type hsApp struct {
	UID    string      `json:"uid"`
	Type   string      `json:"type"`
	Config hsAppConfig `json:"config"`
}

type hsAppConfig struct {
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Distribution  string          `json:"distribution"`
	Auth          hsAuth          `json:"auth"`
	PermittedURLs hsPermittedURLs `json:"permittedUrls"`
	Support       hsSupport       `json:"support"`
}

type hsAuth struct {
	Type                        string   `json:"type"`
	RedirectURLs                []string `json:"redirectUrls,omitempty"`
	RequiredScopes              []string `json:"requiredScopes"`
	OptionalScopes              []string `json:"optionalScopes"`
	ConditionallyRequiredScopes []string `json:"conditionallyRequiredScopes"`
}

type hsPermittedURLs struct {
	Fetch  []string `json:"fetch"`
	Iframe []string `json:"iframe"`
	Img    []string `json:"img"`
}

type hsSupport struct {
	SupportEmail     string `json:"supportEmail"`
	DocumentationURL string `json:"documentationUrl"`
	SupportURL       string `json:"supportUrl"`
}

type hsWebhooks struct {
	UID    string           `json:"uid"`
	Type   string           `json:"type"`
	Config hsWebhooksConfig `json:"config"`
}

type hsWebhooksConfig struct {
	Settings      hsSettings      `json:"settings"`
	Subscriptions hsSubscriptions `json:"subscriptions"`
}

type hsSettings struct {
	TargetURL             string `json:"targetUrl"`
	MaxConcurrentRequests int    `json:"maxConcurrentRequests"`
}

type hsSubscriptions struct {
	CRMObjects       []hsSubscription `json:"crmObjects,omitempty"`
	LegacyCRMObjects []hsSubscription `json:"legacyCrmObjects"`
	HubEvents        []hsSubscription `json:"hubEvents"`
}

type hsSubscription struct {
	SubscriptionType string `json:"subscriptionType"`
	ObjectType       string `json:"objectType,omitempty"`
	PropertyName     string `json:"propertyName,omitempty"`
	Active           bool   `json:"active"`
}

// hubspotEvents are the record events the bridge handles, besides a
// propertyChange per mapped property.
var hubspotEvents = []string{"creation", "deletion", "merge", "restore", "associationChange"}

// HubSpotProject returns the developer-platform project for p: relative
// path -> content.
func HubSpotProject(p Params) (map[string][]byte, error) {
	base, err := p.base()
	if err != nil {
		return nil, err
	}
	m := p.mapping()
	name := p.HubSpotAppName
	if name == "" {
		name = "hubforce"
	}
	auth := hsAuth{Type: "static", RequiredScopes: []string{"oauth"}, OptionalScopes: []string{}, ConditionallyRequiredScopes: []string{}}
	if p.HubSpotOAuth {
		auth.Type = "oauth"
		auth.RedirectURLs = []string{base + "/connect/hubspot/callback"}
	}
	var subs hsSubscriptions
	custom := false
	for _, obj := range m.Objects() {
		om, _ := m.Object(obj)
		legacy := obj == hubforce.Contact || obj == hubforce.Company
		kind := func(event, property string) hsSubscription {
			if legacy {
				return hsSubscription{SubscriptionType: string(obj) + "." + event, PropertyName: property, Active: true}
			}
			return hsSubscription{SubscriptionType: "object." + event, ObjectType: om.HubSpotType, PropertyName: property, Active: true}
		}
		var list []hsSubscription
		for _, ev := range hubspotEvents {
			list = append(list, kind(ev, ""))
		}
		for _, prop := range m.HubSpotProperties(obj) {
			list = append(list, kind("propertyChange", prop))
		}
		if legacy {
			auth.RequiredScopes = append(auth.RequiredScopes, "crm.objects."+om.HubSpotType+".read", "crm.objects."+om.HubSpotType+".write")
			subs.LegacyCRMObjects = append(subs.LegacyCRMObjects, list...)
		} else {
			custom = true
			subs.CRMObjects = append(subs.CRMObjects, list...)
		}
	}
	if custom {
		// Custom objects' records: https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes
		auth.RequiredScopes = append(auth.RequiredScopes, "crm.objects.custom.read", "crm.objects.custom.write")
	}
	if slices.Contains(m.Objects(), hubforce.Contact) {
		subs.HubEvents = append(subs.HubEvents, hsSubscription{SubscriptionType: "contact.privacyDeletion", Active: true})
	}
	if subs.LegacyCRMObjects == nil {
		subs.LegacyCRMObjects = []hsSubscription{}
	}
	if subs.HubEvents == nil {
		subs.HubEvents = []hsSubscription{}
	}
	files := map[string]any{
		"hsproject.json": hsProject{Name: name, SrcDir: "src", PlatformVersion: HubSpotPlatformVersion},
		"src/app/app-hsmeta.json": hsApp{UID: "hubforce_app", Type: "app", Config: hsAppConfig{
			Name:          name,
			Description:   "Keeps HubSpot contacts and companies in step with Salesforce Contacts and Accounts, both ways.",
			Distribution:  "private",
			Auth:          auth,
			PermittedURLs: hsPermittedURLs{Fetch: []string{}, Iframe: []string{}, Img: []string{}},
			Support: hsSupport{
				SupportEmail:     p.supportEmail(),
				DocumentationURL: "https://github.com/hubforce/hubforce#connecting-real-accounts",
				SupportURL:       "https://github.com/hubforce/hubforce/issues",
			},
		}},
		"src/app/webhooks/webhooks-hsmeta.json": hsWebhooks{UID: "hubforce_webhooks", Type: "webhooks", Config: hsWebhooksConfig{
			Settings:      hsSettings{TargetURL: base + "/webhooks/hubspot", MaxConcurrentRequests: 10},
			Subscriptions: subs,
		}},
	}
	out := make(map[string][]byte, len(files))
	for rel, v := range files {
		b, err := marshalJSON(v)
		if err != nil {
			return nil, fmt.Errorf("hubspot project %s: %w", rel, err)
		}
		out[rel] = b
	}
	return out, nil
}

// marshalJSON indents by two spaces, keeps & < > as they are (URLs) and
// ends with a newline, as the hand-written files did.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (p Params) supportEmail() string {
	if p.SupportEmail == "" {
		return "support@example.com"
	}
	return p.SupportEmail
}
