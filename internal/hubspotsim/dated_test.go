package hubspotsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

// TestDatedAndLegacyPaths: the same record through each dated version and
// the legacy v3 path; an unknown version is 404; calls are recorded with
// their version, and only the legacy one counts as legacy.
func TestDatedAndLegacyPaths(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	id := createContact(t, h, map[string]string{"email": "ada@example.com"})["id"].(string)
	for _, p := range []string{"/crm/objects/2026-03/contacts/", "/crm/objects/2026-09/contacts/", "/crm/objects/2026-09/0-1/", "/crm/v3/objects/contacts/"} {
		r := h.do(t, http.MethodGet, p+id+"?properties=email", nil)
		wantStatus(t, r, http.StatusOK)
		if props := r.json(t)["properties"].(map[string]any); props["email"] != "ada@example.com" {
			t.Errorf("%s: %s", p, r.raw)
		}
	}
	r := h.do(t, http.MethodGet, "/crm/objects/2031-03/contacts/"+id, nil)
	wantStatus(t, r, http.StatusNotFound)
	if r.json(t)["category"] != "OBJECT_NOT_FOUND" {
		t.Errorf("unknown version: %s", r.raw)
	}
	calls := h.sim.Calls()
	if calls["GET /crm/objects/2026-09/{objectType}/{objectId}"] != 2 || calls["GET /crm/objects/2026-03/{objectType}/{objectId}"] != 1 {
		t.Errorf("calls = %v", calls)
	}
	legacy := h.sim.LegacyCalls()
	if len(legacy) != 1 || legacy["GET /crm/v3/objects/{objectType}/{objectId}"] != 1 {
		t.Errorf("legacy calls = %v", legacy)
	}
	// The single-record association list left the 2026-09 spec.
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-09/contacts/"+id+"/associations/companies", nil), http.StatusNotFound)
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id+"/associations/companies", nil), http.StatusOK)
}

// TestInputsWithoutProperties: HubSpot's schemas require properties on
// every create, update and upsert input; an empty object is a valid no-op.
func TestInputsWithoutProperties(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	id := createContact(t, h, map[string]string{"email": "ada@example.com", "firstname": "Ada"})["id"].(string)
	for _, tc := range []struct {
		path, schema string
		body         any
	}{
		{"/crm/objects/2026-03/contacts/batch/update", "SimplePublicObjectBatchInput", map[string]any{"inputs": []any{map[string]any{"id": id}}}},
		{"/crm/objects/2026-03/contacts/batch/update", "SimplePublicObjectBatchInput", map[string]any{"inputs": []any{map[string]any{"id": id, "properties": nil}}}},
		{"/crm/objects/2026-03/contacts/batch/create", "SimplePublicObjectBatchInputForCreate", map[string]any{"inputs": []any{map[string]any{"objectWriteTraceId": "0"}}}},
		{"/crm/objects/2026-03/contacts/batch/upsert", "SimplePublicObjectBatchInputUpsert", map[string]any{"inputs": []any{map[string]any{"id": "x@example.com", "idProperty": "email"}}}},
		{"/crm/objects/2026-03/contacts", "SimplePublicObjectInputForCreate", map[string]any{}},
	} {
		r := h.do(t, http.MethodPost, tc.path, tc.body)
		wantStatus(t, r, http.StatusBadRequest)
		b := r.json(t)
		if b["category"] != "VALIDATION_ERROR" || b["status"] != "error" ||
			!strings.Contains(b["message"].(string), "Cannot build "+tc.schema+", some of required attributes are not set [properties]") {
			t.Errorf("%s: %s", tc.path, r.raw)
		}
	}
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/update",
		map[string]any{"inputs": []any{map[string]any{"id": id, "properties": map[string]string{}}}})
	wantStatus(t, r, http.StatusOK)
	if rec, _ := h.sim.Get("contacts", id); rec.Properties["firstname"] != "Ada" {
		t.Errorf("an empty update changed the record: %v", rec.Properties)
	}
}

// TestAssociationBatchRead: the v4 shape, primary marked by type 1 with its
// label, a 207 NO_ASSOCIATIONS_FOUND entry for a contact without companies
// and for an unknown id, and at most 100 inputs.
func TestAssociationBatchRead(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	c1 := createContact(t, h, map[string]string{"email": "a@example.com"})["id"].(string)
	c2 := createContact(t, h, map[string]string{"email": "b@example.com"})["id"].(string)
	r := h.do(t, http.MethodPost, "/crm/objects/2026-09/companies", map[string]any{"properties": map[string]string{"domain": "acme.com"}})
	wantStatus(t, r, http.StatusCreated)
	co := r.json(t)["id"].(string)
	wantStatus(t, h.do(t, http.MethodPut, "/crm/objects/2026-09/contacts/"+c1+"/associations/companies/"+co,
		[]map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}), http.StatusCreated)

	r = h.do(t, http.MethodPost, "/crm/associations/2026-09/contacts/companies/batch/read",
		map[string]any{"inputs": []map[string]string{{"id": c1}, {"id": c2}, {"id": "999999"}}})
	wantStatus(t, r, http.StatusMultiStatus)
	var body struct {
		Status  string `json:"status"`
		Results []struct {
			From struct{ ID string }
			To   []struct {
				ToObjectID       string `json:"toObjectId"`
				AssociationTypes []struct {
					Category string
					TypeID   int
					Label    *string
				}
			}
		}
		NumErrors int `json:"numErrors"`
		Errors    []struct {
			Status, Category, SubCategory, Message string
			Context                                map[string][]string
		}
	}
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "COMPLETE" || len(body.Results) != 1 || body.Results[0].From.ID != c1 || len(body.Results[0].To) != 1 {
		t.Fatalf("results: %s", r.raw)
	}
	to := body.Results[0].To[0]
	if to.ToObjectID != co || len(to.AssociationTypes) != 2 || to.AssociationTypes[0].TypeID != 1 ||
		to.AssociationTypes[0].Label == nil || *to.AssociationTypes[0].Label != "Primary" || to.AssociationTypes[1].TypeID != 279 {
		t.Errorf("association: %s", r.raw)
	}
	if body.NumErrors != 2 || body.Errors[0].SubCategory != "crm.associations.NO_ASSOCIATIONS_FOUND" ||
		body.Errors[0].Category != "OBJECT_NOT_FOUND" || body.Errors[0].Message != "No company is associated with contact "+c2+"." ||
		body.Errors[1].Context["fromObjectId"][0] != "999999" {
		t.Errorf("errors: %s", r.raw)
	}
	legacy := h.do(t, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []map[string]string{{"id": c1}}})
	wantStatus(t, legacy, http.StatusOK)
	many := make([]map[string]string, 101)
	for i := range many {
		many[i] = map[string]string{"id": c1}
	}
	wantStatus(t, h.do(t, http.MethodPost, "/crm/associations/2026-03/contacts/companies/batch/read", map[string]any{"inputs": many}), http.StatusBadRequest)
}

// TestPropertiesAPI lists and describes properties; a removed one is gone
// from the list, answers 404 alone, and cannot be written.
func TestPropertiesAPI(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{CustomProperties: map[string][]string{"contacts": {"salesforce_id"}}})
	r := h.do(t, http.MethodGet, "/crm/properties/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	var list struct {
		Results []struct {
			Name                 string
			Type                 string
			HubspotDefined       bool
			ModificationMetadata struct{ ReadOnlyValue bool }
		}
	}
	if err := json.Unmarshal(r.raw, &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range list.Results {
		got[p.Name] = true
		switch p.Name {
		case "salesforce_id":
			if p.HubspotDefined || p.ModificationMetadata.ReadOnlyValue {
				t.Errorf("custom property: %+v", p)
			}
		case "lastmodifieddate":
			if !p.ModificationMetadata.ReadOnlyValue || p.Type != "datetime" {
				t.Errorf("lastmodifieddate: %+v", p)
			}
		}
	}
	if !got["email"] || !got["salesforce_id"] || !got["associatedcompanyid"] {
		t.Errorf("properties listed: %v", got)
	}
	if err := h.sim.RemoveProperty("contacts", "jobtitle"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.do(t, http.MethodGet, "/crm/properties/2026-09/contacts/jobtitle", nil), http.StatusNotFound)
	wantStatus(t, h.do(t, http.MethodGet, "/crm/properties/2026-09/contacts/email", nil), http.StatusOK)
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"jobtitle": "CEO"}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.raw), "PROPERTY_DOESNT_EXIST") {
		t.Errorf("write of a removed property: %s", r.raw)
	}
}

// TestMissingScope: a token without a write scope reads but cannot write,
// and the answer names the scope.
func TestMissingScope(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{Scopes: []string{"oauth", "crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.companies.write"}})
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/update", map[string]any{"inputs": []any{}})
	wantStatus(t, r, http.StatusForbidden)
	b := r.json(t)
	if b["category"] != "MISSING_SCOPES" || !strings.Contains(string(r.raw), `"requiredGranularScopes":["crm.objects.contacts.write"]`) {
		t.Errorf("403: %s", r.raw)
	}
}

func postForm(t *testing.T, h *harness, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(h.api.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s answered %s", path, raw)
		}
	}
	return resp.StatusCode, m
}

// TestIntrospectRevokeAndClientCredentials: the dated token endpoints tell
// a token's portal, app and scopes; a revoked refresh token is refused
// with the standardized error; a client-credentials token reads the app's
// webhook settings, which an installed app's token cannot.
func TestIntrospectRevokeAndClientCredentials(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{ClientID: "client-1", ClientSecret: testSecret, AppID: 777,
		RefreshTokens: []string{"na1-refresh"}, WebhookURL: "https://sync.example.com/webhooks/hubspot",
		Subscriptions: []string{"contact.creation", "contact.propertyChange:email"}})
	client := url.Values{"client_id": {"client-1"}, "client_secret": {testSecret}}
	with := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range client {
			f[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	code, b := postForm(t, h, "/oauth/2026-09/token/introspect", with("token", testToken))
	if code != http.StatusOK || b["active"] != true || b["hub_id"] != float64(62515) || b["app_id"] != float64(777) ||
		b["is_private_distribution"] != true || len(b["scopes"].([]any)) != 5 {
		t.Errorf("introspect static token: %d %v", code, b)
	}
	if code, b = postForm(t, h, "/oauth/2026-03/token/introspect", with("token", "nonsense")); code != http.StatusOK || b["active"] != false {
		t.Errorf("introspect unknown token: %d %v", code, b)
	}
	if code, b = postForm(t, h, "/oauth/2026-03/token/introspect", url.Values{"token": {testToken}}); code != http.StatusBadRequest || b["error"] != "invalid_client" {
		t.Errorf("introspect without client: %d %v", code, b)
	}
	if code, _ = postForm(t, h, "/oauth/2026-03/token/revoke", with("token", "na1-refresh")); code != http.StatusOK {
		t.Errorf("revoke = %d", code)
	}
	code, b = postForm(t, h, "/oauth/2026-03/token", with("grant_type", "refresh_token", "refresh_token", "na1-refresh"))
	if code != http.StatusBadRequest || b["error"] != "invalid_grant" || b["error_description"] == "" ||
		b["status"] != "BAD_REFRESH_TOKEN" || b["message"] != b["error_description"] {
		t.Errorf("refresh with a revoked token: %d %v", code, b)
	}

	wantStatus(t, h.do(t, http.MethodGet, "/webhooks/2026-03/777/settings", nil), http.StatusForbidden)
	code, b = postForm(t, h, "/oauth/2026-03/token", with("grant_type", "client_credentials", "scope", "developers-read"))
	if code != http.StatusOK || b["token_use"] != "client_credentials" || b["refresh_token"] != nil {
		t.Fatalf("client credentials: %d %v", code, b)
	}
	dev := b["access_token"].(string)
	wantStatus(t, h.doAs(t, dev, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusForbidden)
	r := h.doAs(t, dev, http.MethodGet, "/webhooks/2026-03/777/settings", nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["targetUrl"] != "https://sync.example.com/webhooks/hubspot" {
		t.Errorf("settings: %s", r.raw)
	}
	r = h.doAs(t, dev, http.MethodGet, "/webhooks/2026-03/777/subscriptions", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.raw), `"eventType":"contact.propertyChange","propertyName":"email"`) {
		t.Errorf("subscriptions: %s", r.raw)
	}
	wantStatus(t, h.doAs(t, dev, http.MethodGet, "/webhooks/2026-03/778/settings", nil), http.StatusNotFound)
}

// TestValidationRule: an admin's rule refuses a write with its message.
func TestValidationRule(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	if err := h.sim.SetValidationRule("contacts", "firstname", hubspotsim.ValidationRule{Error: "INVALID_ALPHA", Message: "Enter only letters",
		Valid: func(v string) bool { return !strings.ContainsAny(v, "0123456789") }}); err != nil {
		t.Fatal(err)
	}
	r := h.do(t, http.MethodPost, "/crm/objects/2026-09/contacts", map[string]any{"properties": map[string]string{"firstname": "R2D2"}})
	wantStatus(t, r, http.StatusBadRequest)
	b := r.json(t)
	if b["category"] != "VALIDATION_ERROR" || !strings.Contains(b["message"].(string), `"error":"INVALID_ALPHA"`) ||
		!strings.Contains(b["message"].(string), "Enter only letters") {
		t.Errorf("rule refusal: %s", r.raw)
	}
	createContact(t, h, map[string]string{"firstname": "Ada"})
}
