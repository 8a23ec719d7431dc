package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hubforce/hubforce"
)

// What the bridge asks HubSpot about its own setup (hubforce doctor): the
// properties of an object type, what a token may do, and where the app's
// webhooks go.

const (
	routeProperties   = "GET /crm/properties/{version}/{type}"
	routeIntrospect   = "POST /oauth/{version}/token/introspect"
	routeWebhookSetup = "GET /webhooks/{version}/{appId}/settings"
	routeWebhookSubs  = "GET /webhooks/{version}/{appId}/subscriptions"
)

// Property is what the properties API says of one property (Property in
// HubSpot's CRM Properties 2026-03 spec).
type Property struct {
	Name      string
	Type      string // string, number, enumeration, datetime, bool…
	FieldType string
	// ReadOnly is modificationMetadata.readOnlyValue: no API write may set
	// the value (HubSpot-calculated properties, record ids, dates kept by
	// HubSpot).
	ReadOnly   bool
	Calculated bool
}

// Properties lists obj's properties by name with GET
// /crm/properties/{version}/{objectType} (properties guide,
// developers.hubspot.com/docs/api-reference/latest/crm/properties/guide).
func (c *Client) Properties(ctx context.Context, obj hubforce.Object) (map[string]Property, error) {
	var resp struct {
		Results []struct {
			Name                 string `json:"name"`
			Type                 string `json:"type"`
			FieldType            string `json:"fieldType"`
			Calculated           bool   `json:"calculated"`
			ModificationMetadata struct {
				ReadOnlyValue bool `json:"readOnlyValue"`
			} `json:"modificationMetadata"`
		} `json:"results"`
	}
	path := "/crm/properties/" + c.version + "/" + obj.HubSpotName()
	if _, err := c.do(ctx, "GET", routeProperties, path, nil, &resp); err != nil {
		return nil, err
	}
	out := make(map[string]Property, len(resp.Results))
	for _, p := range resp.Results {
		out[p.Name] = Property{Name: p.Name, Type: p.Type, FieldType: p.FieldType,
			ReadOnly: p.ModificationMetadata.ReadOnlyValue, Calculated: p.Calculated}
	}
	return out, nil
}

// ErrNoClientCredentials: introspection and the app's webhook settings
// need the app's client id and secret.
var ErrNoClientCredentials = errors.New("hubspot: the app's client id and client secret are needed")

// TokenInfo is what introspection tells of the token the client sends.
type TokenInfo struct {
	Active bool
	HubID  int64 // the portal
	AppID  int64
	Scopes []string
	// PrivateDistribution: the token is a privately distributed app's.
	PrivateDistribution bool
}

// Introspect asks POST /oauth/{version}/token/introspect (client_id,
// client_secret, token; Auth OAuth 2026-03 spec,
// PublicAccessTokenInfoResponse) about the token the client sends: the
// portal, the app and the granted scopes.
func (c *Client) Introspect(ctx context.Context) (TokenInfo, error) {
	if c.clientID == "" || c.clientSecret == "" {
		return TokenInfo{}, ErrNoClientCredentials
	}
	tok, err := c.auth.token(ctx)
	if err != nil {
		return TokenInfo{}, err
	}
	var resp struct {
		Active              bool     `json:"active"`
		HubID               int64    `json:"hub_id"`
		AppID               int64    `json:"app_id"`
		Scopes              []string `json:"scopes"`
		PrivateDistribution bool     `json:"is_private_distribution"`
	}
	form := url.Values{"client_id": {c.clientID}, "client_secret": {c.clientSecret}, "token": {tok}, "token_type_hint": {"access_token"}}
	if err := c.postForm(ctx, routeIntrospect, "/oauth/"+c.version+"/token/introspect", form, &resp); err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{Active: resp.Active, HubID: resp.HubID, AppID: resp.AppID, Scopes: resp.Scopes,
		PrivateDistribution: resp.PrivateDistribution}, nil
}

// Subscription is one of the app's webhook subscriptions.
type Subscription struct {
	EventType    string // contact.creation, object.propertyChange…
	ObjectTypeID string // 0-1, 0-2 for object.* subscriptions
	PropertyName string
	Active       bool
}

// AppWebhooks is where the app's webhooks go and what it subscribes to.
type AppWebhooks struct {
	TargetURL     string
	Subscriptions []Subscription
}

// Webhooks reads app appID's webhook settings and subscriptions (GET
// /webhooks/{version}/{appId}/settings and …/subscriptions, Webhooks
// 2026-03 spec) with a client-credentials token of the app carrying
// developers-read: the management APIs are "powered by a client
// credentials token you can generate using OAuth" (webhooks guide,
// developers.hubspot.com/docs/api-reference/2026-03/webhooks/guide). An
// installed app's own token cannot read them.
func (c *Client) Webhooks(ctx context.Context, appID int64) (AppWebhooks, error) {
	if c.clientID == "" || c.clientSecret == "" {
		return AppWebhooks{}, ErrNoClientCredentials
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.clientID}, "client_secret": {c.clientSecret},
		"scope": {"developers-read"}}
	if err := c.postForm(ctx, routeToken, "/oauth/"+c.version+"/token", form, &tok); err != nil {
		return AppWebhooks{}, err
	}
	base := "/webhooks/" + c.version + "/" + strconv.FormatInt(appID, 10)
	var settings struct {
		TargetURL string `json:"targetUrl"`
	}
	if err := c.getWith(ctx, tok.AccessToken, routeWebhookSetup, base+"/settings", &settings); err != nil {
		return AppWebhooks{}, err
	}
	var subs struct {
		Results []struct {
			EventType    string `json:"eventType"`
			ObjectTypeID string `json:"objectTypeId"`
			PropertyName string `json:"propertyName"`
			Active       bool   `json:"active"`
		} `json:"results"`
	}
	if err := c.getWith(ctx, tok.AccessToken, routeWebhookSubs, base+"/subscriptions", &subs); err != nil {
		return AppWebhooks{}, err
	}
	out := AppWebhooks{TargetURL: settings.TargetURL}
	for _, s := range subs.Results {
		out.Subscriptions = append(out.Subscriptions, Subscription(s))
	}
	return out, nil
}

// getWith sends one GET with another token than the client's own.
func (c *Client) getWith(ctx context.Context, tok, route, path string, out any) error {
	ctx = context.WithValue(ctx, routeKey{}, routeInfo{pattern: c.label(route)})
	status, raw, hdr, err := c.send(ctx, "GET", path, nil, tok)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return classify(status, hdr, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("hubspot %s: decoding the response: %w", c.label(route), err)
	}
	return nil
}

// postForm posts a form to a token endpoint (not rate limited) and decodes
// the answer; a refusal is an *hubforce.APIError with the OAuth error code
// and description (or the legacy status and message).
func (c *Client) postForm(ctx context.Context, route, path string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("hubspot %s: %w", c.label(route), err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.tokenHTTP.Do(req)
	if err != nil {
		return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Message: "request failed",
			Err: fmt.Errorf("hubspot %s: %w", c.label(route), err)}
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Status: resp.StatusCode,
			Message: "reading the response failed", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(raw, &e)
		if e.Error == "" {
			e.Error, e.Description = legacyOAuthError(raw)
		}
		ae := classify(resp.StatusCode, resp.Header, raw)
		if e.Error != "" {
			ae.Code, ae.Message = e.Error, e.Description
		}
		return ae
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("hubspot %s: decoding the response: %w", c.label(route), err)
	}
	return nil
}
