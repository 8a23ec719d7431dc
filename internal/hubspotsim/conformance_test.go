package hubspotsim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

// These tests compare what the simulator sends with HubSpot's published and
// captured samples, key by key and by JSON value type.

func loadSample(t *testing.T, name string) map[string]any {
	t.Helper()
	dir := os.Getenv("HUBFORCE_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("HUBFORCE_CONFORMANCE_DIR is not set; HubSpot's samples are not available")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "hubspot", name))
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return m
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "?"
}

// sameShape checks that ours has every key of sample with the same JSON type,
// and no key beyond sample's except those in extra. Notes in samples are
// not fields.
func sameShape(t *testing.T, what string, sample, ours map[string]any, extra ...string) {
	t.Helper()
	allowed := map[string]bool{"note": true}
	for _, k := range extra {
		allowed[k] = true
	}
	for k, sv := range sample {
		if k == "note" || k == "unverified" {
			continue
		}
		ov, ok := ours[k]
		if !ok {
			t.Errorf("%s: missing %q (sample has %s)", what, k, kind(sv))
			continue
		}
		// HubSpot sends null for requested-but-unset properties.
		if kind(sv) != kind(ov) && !(kind(ov) == "null" && kind(sv) == "string") {
			t.Errorf("%s: %q is %s, sample has %s", what, k, kind(ov), kind(sv))
		}
	}
	for k := range ours {
		if _, ok := sample[k]; !ok && !allowed[k] {
			t.Errorf("%s: extra key %q not in the sample", what, k)
		}
	}
}

func first(t *testing.T, v any) map[string]any {
	t.Helper()
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		t.Fatalf("not a non-empty array: %v", v)
	}
	return arr[0].(map[string]any)
}

func TestConformanceWebhookPayloads(t *testing.T) {
	observed := loadSample(t, "webhook_payloads_observed.json")
	constructed := loadSample(t, "webhook_payloads_constructed.json")
	samples := map[string]map[string]any{}
	collect := func(file map[string]any) {
		for _, s := range file["samples"].([]any) {
			sm := s.(map[string]any)
			var evs []any
			if b, ok := sm["body"].([]any); ok {
				evs = b
			} else if e, ok := sm["events"].([]any); ok {
				evs = e
			}
			for _, e := range evs {
				ev := e.(map[string]any)
				typ, _ := ev["subscriptionType"].(string)
				if _, seen := samples[typ]; !seen && !strings.HasPrefix(typ, "object.") {
					samples[typ] = ev
				}
			}
		}
	}
	collect(observed)
	collect(constructed)

	rc := newReceiver(t, nil)
	h := newHarness(t, hookConfig(rc))
	ui := hubspotsim.UI(12345)
	a, _ := h.sim.Create("contacts", map[string]string{"email": "a@example.com", "firstname": "A"}, ui)
	b, _ := h.sim.Create("contacts", map[string]string{"email": "b@example.com"}, ui)
	c1, _ := h.sim.Create("companies", map[string]string{"name": "One", "city": "Oslo"}, ui)
	c2, _ := h.sim.Create("companies", map[string]string{"name": "Two"}, ui)
	for _, err := range []error{h.sim.Associate(a.ID, c1.ID, ui), h.sim.Merge("contacts", a.ID, b.ID, ui),
		h.sim.Merge("companies", c1.ID, c2.ID, ui), h.sim.Archive("contacts", a.ID, ui),
		h.sim.Restore("contacts", a.ID, ui), h.sim.Archive("companies", c1.ID, ui), h.sim.PrivacyDelete(a.ID, ui)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, h.sim)
	ours := map[string]map[string]any{}
	for _, e := range rc.events() {
		if _, ok := ours[e["subscriptionType"].(string)]; !ok {
			ours[e["subscriptionType"].(string)] = e
		}
	}
	types := make([]string, 0, len(samples))
	for typ := range samples {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		if typ == "" {
			continue
		}
		t.Run(typ, func(t *testing.T) {
			ev, ok := ours[typ]
			if !ok {
				t.Fatalf("simulator sent no %s", typ)
			}
			sameShape(t, typ, samples[typ], ev)
		})
	}
}

func TestConformanceObjectResponses(t *testing.T) {
	file := loadSample(t, "crm_objects_responses.json")
	ex := file["examples"].(map[string]any)
	h := newHarness(t, hubspotsim.Config{})
	for i := range 3 {
		createContact(t, h, map[string]string{"email": "c" + strconv.Itoa(i) + "@example.com", "firstname": "F", "lastname": "L"})
	}
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts?limit=1", nil)
	list := r.json(t)
	sampleList := ex["listContacts"].(map[string]any)
	sameShape(t, "list", sampleList, list)
	sameShape(t, "list record", first(t, sampleList["results"]), first(t, list["results"]))
	sameShape(t, "list properties", first(t, sampleList["results"])["properties"].(map[string]any), first(t, list["results"])["properties"].(map[string]any))
	sameShape(t, "paging.next", sampleList["paging"].(map[string]any)["next"].(map[string]any), list["paging"].(map[string]any)["next"].(map[string]any))

	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", map[string]any{"limit": 2})
	search := r.json(t)
	sampleSearch := ex["searchContactsDefaultProperties"].(map[string]any)
	sameShape(t, "search", sampleSearch, search, "paging")
	sameShape(t, "search properties", first(t, sampleSearch["results"])["properties"].(map[string]any), first(t, search["results"])["properties"].(map[string]any))

	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/companies", map[string]any{"properties": map[string]string{"name": "G", "annualrevenue": "1000"}})
	wantStatus(t, r, http.StatusCreated)
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/companies/search", map[string]any{"properties": []string{"annualrevenue", "name"}})
	sampleCo := ex["searchCompaniesWithProperties_excerpt"].(map[string]any)
	sameShape(t, "company search properties", first(t, sampleCo["results"])["properties"].(map[string]any), first(t, r.json(t)["results"])["properties"].(map[string]any))

	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"objectWriteTraceId": "a", "properties": map[string]string{"email": "n@example.com"}},
		map[string]any{"objectWriteTraceId": "b", "properties": map[string]string{"missing": "1"}}}})
	wantStatus(t, r, http.StatusMultiStatus)
	multi := r.json(t)
	sample207 := ex["batchCreateMultiStatus207"].(map[string]any)
	sameShape(t, "207", sample207, multi)
	// StandardError requires errors and links too (OpenAPI), absent from the doc example.
	sameShape(t, "207 error", first(t, sample207["errors"]), first(t, multi["errors"]), "errors", "links")
	wantMsg := first(t, sample207["errors"])["message"].(string)
	wantMsg = strings.Replace(wantMsg, "891936587", "62515", 1)
	if got := first(t, multi["errors"])["message"]; got != wantMsg {
		t.Errorf("207 message = %v\nwant %v", got, wantMsg)
	}
}

func TestConformanceErrorBodies(t *testing.T) {
	file := loadSample(t, "crm_api_errors.json")
	official, observed := file["official"].(map[string]any), file["observed"].(map[string]any)
	h := newHarness(t, hubspotsim.Config{ClientID: "c", RefreshTokens: []string{"rt"}})
	createContact(t, h, map[string]string{"email": "dup@example.com"})

	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"testproperty": "x"}})
	ours := r.json(t)
	sample := official["400PropertyDoesntExist"].(map[string]any)
	sameShape(t, "400", sample, ours)
	sameShape(t, "400 errors[0]", first(t, sample["errors"]), first(t, ours["errors"]))
	if want := strings.ReplaceAll(sample["message"].(string), "{HubId}", "62515"); ours["message"] != want {
		t.Errorf("400 message = %v\nwant %v", ours["message"], want)
	}

	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "dup@example.com"}})
	sameShape(t, "409", observed["409ContactEmailExists"].(map[string]any), r.json(t), "correlationId")

	r = h.doAs(t, "garbage", http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	sameShape(t, "401 invalid", observed["401InvalidToken"].(map[string]any), r.json(t))

	_, tok := refresh(t, h, url.Values{"grant_type": {"refresh_token"}, "client_id": {"c"}, "client_secret": {testSecret}, "refresh_token": {"rt"}})
	h.sim.ExpireTokens()
	r = h.doAs(t, tok["access_token"].(string), http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	sameShape(t, "401 expired", observed["401ExpiredOAuthToken"].(map[string]any), r.json(t))

	h.sim.SpendDailyBudget()
	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	sameShape(t, "429 daily", official["429DailyLimit"].(map[string]any), r.json(t))
}

func TestConformanceOAuthAndRateLimits(t *testing.T) {
	oauth := loadSample(t, "oauth.json")
	limits := loadSample(t, "rate_limits.json")
	h := newHarness(t, hubspotsim.Config{ClientID: "c", RefreshTokens: []string{"rt"}, RateLimitMax: 1})
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"c"}, "client_secret": {testSecret}, "refresh_token": {"rt"}}
	_, tok := refresh(t, h, form)
	// The documented example predates token_use and user_id, which the
	// 2026-03 spec's schema lists (required and optional): those keys may
	// come on top of the example's.
	var schema []string
	for _, group := range []string{"required", "optional"} {
		for _, k := range oauth["tokenResponseSchemaFields"].(map[string]any)[group].([]any) {
			schema = append(schema, k.(string))
		}
	}
	sameShape(t, "token response", oauth["tokenResponseExample"].(map[string]any), tok, schema...)
	form.Set("refresh_token", "bad")
	_, bad := refresh(t, h, form)
	sameShape(t, "token error", oauth["tokenErrorExample"].(map[string]any), bad, "correlationId")

	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	for _, hd := range limits["headers"].([]any) {
		name := hd.(map[string]any)["name"].(string)
		if strings.Contains(name, "Secondly") {
			continue // deprecated, not enforced
		}
		if r.header.Get(name) == "" {
			t.Errorf("private-app response lacks %s", name)
		}
	}
	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	body := r.json(t)
	sameShape(t, "429", limits["on429"].(map[string]any)["body"].(map[string]any), body)
}

func TestConformanceHistoryEntry(t *testing.T) {
	props := loadSample(t, "properties.json")
	h := newHarness(t, hubspotsim.Config{AppID: 8151242})
	id := createContact(t, h, map[string]string{"email": "e@example.com", "hs_lead_status": "NEW"})["id"].(string)
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id+"?propertiesWithHistory=hs_lead_status", nil)
	entry := first(t, r.json(t)["propertiesWithHistory"].(map[string]any)["hs_lead_status"])
	sameShape(t, "history entry", props["observedHistoryEntry"].(map[string]any), entry)
}
