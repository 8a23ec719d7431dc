package hubspotsim_test

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCreateGetDefaultsAndShapes(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	created := createContact(t, h, map[string]string{"email": "Ada@Example.com", "firstname": "Ada", "phone": "123"})
	id := created["id"].(string)
	props := created["properties"].(map[string]any)
	if props["email"] != "ada@example.com" || props["hs_object_id"] != id || props["createdate"] != "2026-03-04T10:00:00.000Z" {
		t.Errorf("create properties = %v", props)
	}
	if created["createdAt"] != "2026-03-04T10:00:00.000Z" || created["archived"] != false {
		t.Errorf("create record = %v", created)
	}

	tests := []struct {
		name, query string
		wantProps   []string
	}{
		{"defaults", "", []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}},
		{"named", "?properties=phone,jobtitle,nosuch", []string{"createdate", "hs_object_id", "jobtitle", "lastmodifieddate", "phone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id+tc.query, nil)
			wantStatus(t, r, http.StatusOK)
			body := r.json(t)
			if got := keys(body); strings.Join(got, ",") != "archived,createdAt,id,properties,updatedAt" {
				t.Errorf("record keys = %v", got)
			}
			got := keys(body["properties"].(map[string]any))
			if strings.Join(got, ",") != strings.Join(tc.wantProps, ",") {
				t.Errorf("properties = %v, want %v", got, tc.wantProps)
			}
		})
	}
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id+"?properties=jobtitle", nil)
	if p := r.json(t)["properties"].(map[string]any); p["jobtitle"] != nil {
		t.Errorf("unset property should be null, got %v", p["jobtitle"])
	}
	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/ADA@example.com?idProperty=email", nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["id"] != id {
		t.Errorf("idProperty=email found %s", r.raw)
	}
}

func TestErrorBodies(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	existing := createContact(t, h, map[string]string{"email": "taken@example.com"})
	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		category     string
		message      string
		code         string
	}{
		{"unknown property", http.MethodPost, "/crm/objects/2026-03/contacts",
			map[string]any{"properties": map[string]string{"testproperty": "x"}}, 400, "VALIDATION_ERROR",
			`Property values were not valid: [{"isValid":false,"message":"Property \"testproperty\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"testproperty"`, "PROPERTY_DOESNT_EXIST"},
		{"read-only property", http.MethodPost, "/crm/objects/2026-03/contacts",
			map[string]any{"properties": map[string]string{"createdate": "x"}}, 400, "VALIDATION_ERROR", "Property values were not valid", "READ_ONLY_VALUE"},
		{"not a number", http.MethodPost, "/crm/objects/2026-03/companies",
			map[string]any{"properties": map[string]string{"numberofemployees": "1,000"}}, 400, "VALIDATION_ERROR", "Property values were not valid", "INVALID_INTEGER"},
		{"bad lifecycle option", http.MethodPost, "/crm/objects/2026-03/contacts",
			map[string]any{"properties": map[string]string{"lifecyclestage": "vip"}}, 400, "VALIDATION_ERROR", "Property values were not valid", "INVALID_OPTION"},
		{"bad email", http.MethodPost, "/crm/objects/2026-03/contacts",
			map[string]any{"properties": map[string]string{"email": "not-an-email"}}, 400, "VALIDATION_ERROR", "Property values were not valid", "INVALID_EMAIL"},
		{"email taken", http.MethodPost, "/crm/objects/2026-03/contacts",
			map[string]any{"properties": map[string]string{"email": "TAKEN@example.com"}}, 409, "CONFLICT",
			"Contact already exists. Existing ID: " + existing["id"].(string), ""},
		{"missing record", http.MethodGet, "/crm/objects/2026-03/contacts/999999999", nil, 404, "OBJECT_NOT_FOUND", "resource not found", ""},
		{"bad json", http.MethodPost, "/crm/objects/2026-03/contacts", "not an object", 400, "VALIDATION_ERROR", "Invalid input JSON", ""},
		{"unknown object type", http.MethodGet, "/crm/objects/2026-03/widgets/1", nil, 400, "VALIDATION_ERROR", "Unable to infer object type", ""},
		{"list limit", http.MethodGet, "/crm/objects/2026-03/contacts?limit=101", nil, 400, "VALIDATION_ERROR", "limit", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, tc.method, tc.path, tc.body)
			wantStatus(t, r, tc.status)
			b := r.json(t)
			if b["status"] != "error" || b["category"] != tc.category {
				t.Errorf("body = %s", r.raw)
			}
			if msg, _ := b["message"].(string); !strings.HasPrefix(msg, tc.message) {
				t.Errorf("message = %q, want prefix %q", msg, tc.message)
			}
			if id, _ := b["correlationId"].(string); !uuidRe.MatchString(id) {
				t.Errorf("correlationId = %q, want a uuid", id)
			}
			if tc.code != "" {
				errs, _ := b["errors"].([]any)
				if len(errs) != 1 || errs[0].(map[string]any)["code"] != tc.code {
					t.Errorf("errors = %v, want code %s", b["errors"], tc.code)
				}
			}
		})
	}
}

func TestModificationStampStrictlyIncreases(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{}) // the fake clock never moves here
	c := createContact(t, h, map[string]string{"email": "m@example.com"})
	id := c["id"].(string)
	prev := c["updatedAt"].(string)
	for i := range 5 {
		r := h.do(t, http.MethodPatch, "/crm/objects/2026-03/contacts/"+id,
			map[string]any{"properties": map[string]string{"firstname": fmt.Sprint("n", i)}})
		wantStatus(t, r, http.StatusOK)
		b := r.json(t)
		upd := b["updatedAt"].(string)
		if upd <= prev {
			t.Fatalf("updatedAt %s did not advance past %s", upd, prev)
		}
		if b["properties"].(map[string]any)["lastmodifieddate"] != upd {
			t.Errorf("lastmodifieddate %v != updatedAt %s", b["properties"], upd)
		}
		prev = upd
	}
	// A write that changes nothing leaves the stamp alone.
	r := h.do(t, http.MethodPatch, "/crm/objects/2026-03/contacts/"+id, map[string]any{"properties": map[string]string{"firstname": "n4"}})
	if got := r.json(t)["updatedAt"]; got != prev {
		t.Errorf("no-op update moved updatedAt to %v", got)
	}
	// Companies use hs_lastmodifieddate.
	h.clock.Advance(time.Second)
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/companies", map[string]any{"properties": map[string]string{"name": "Acme", "domain": "acme.com"}})
	wantStatus(t, r, http.StatusCreated)
	if p := r.json(t)["properties"].(map[string]any); p["hs_lastmodifieddate"] != "2026-03-04T10:00:01.000Z" {
		t.Errorf("company properties = %v", p)
	}
}

func TestEmptyStringClearsAndUniqueReleases(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	c := createContact(t, h, map[string]string{"email": "a@example.com", "city": "Oslo"})
	id := c["id"].(string)
	r := h.do(t, http.MethodPatch, "/crm/objects/2026-03/contacts/"+id, map[string]any{"properties": map[string]any{"city": "", "email": "b@example.com"}})
	wantStatus(t, r, http.StatusOK)
	if p := r.json(t)["properties"].(map[string]any); p["city"] != nil {
		t.Errorf("city not cleared: %v", p)
	}
	// The old email is free again; the new one is taken.
	createContact(t, h, map[string]string{"email": "a@example.com"})
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "b@example.com"}})
	wantStatus(t, r, http.StatusConflict)
}

func TestListPaging(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	var ids []string
	for i := range 25 {
		ids = append(ids, createContact(t, h, map[string]string{"email": fmt.Sprintf("p%d@example.com", i)})["id"].(string))
	}
	var seen []string
	path := "/crm/objects/2026-03/contacts?limit=10"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := h.do(t, http.MethodGet, path, nil)
		wantStatus(t, r, http.StatusOK)
		b := r.json(t)
		for _, rec := range b["results"].([]any) {
			seen = append(seen, rec.(map[string]any)["id"].(string))
		}
		path = ""
		if p, ok := b["paging"].(map[string]any); ok {
			next := p["next"].(map[string]any)
			link := next["link"].(string)
			if !strings.HasPrefix(link, h.api.URL+"/crm/objects/2026-03/contacts?") || !strings.Contains(link, "after="+next["after"].(string)) {
				t.Errorf("link = %s", link)
			}
			path = strings.TrimPrefix(link, h.api.URL)
		}
	}
	if strings.Join(seen, ",") != strings.Join(ids, ",") {
		t.Errorf("paged ids = %v, want %v", seen, ids)
	}
}

func TestArchiveAndArchivedReads(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	id := createContact(t, h, map[string]string{"email": "gone@example.com"})["id"].(string)
	wantStatus(t, h.do(t, http.MethodDelete, "/crm/objects/2026-03/contacts/"+id, nil), http.StatusNoContent)
	wantStatus(t, h.do(t, http.MethodDelete, "/crm/objects/2026-03/contacts/"+id, nil), http.StatusNoContent)
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id, nil), http.StatusNotFound)
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id+"?archived=true", nil)
	wantStatus(t, r, http.StatusOK)
	if b := r.json(t); b["archived"] != true || b["archivedAt"] == nil {
		t.Errorf("archived record = %s", r.raw)
	}
	if err := h.sim.Restore("contacts", id, hubspotsim.UI(7)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id, nil), http.StatusOK)
}

func TestMergeResolvesOldID(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	a := createContact(t, h, map[string]string{"email": "a@example.com"})["id"].(string)
	b := createContact(t, h, map[string]string{"email": "b@example.com", "city": "Oslo"})["id"].(string)
	if err := h.sim.Merge("contacts", a, b, hubspotsim.UI(1)); err != nil {
		t.Fatal(err)
	}
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+b+"?properties=city,hs_merged_object_ids,hs_additional_emails", nil)
	wantStatus(t, r, http.StatusOK)
	body := r.json(t)
	p := body["properties"].(map[string]any)
	if body["id"] != a || p["city"] != "Oslo" || p["hs_merged_object_ids"] != b || p["hs_additional_emails"] != "b@example.com" {
		t.Errorf("merged record = %s", r.raw)
	}
	if len(h.sim.List("contacts")) != 1 {
		t.Errorf("merged contact still listed")
	}
}

func TestCallsByRoutePattern(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	createContact(t, h, map[string]string{"email": "c@example.com"})
	h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", map[string]any{"inputs": []any{}})
	h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", map[string]any{"inputs": []any{}})
	calls := h.sim.Calls()
	if calls["POST /crm/objects/2026-03/{objectType}"] != 1 || calls["POST /crm/objects/2026-03/{objectType}/batch/read"] != 2 {
		t.Errorf("calls = %v", calls)
	}
	h.sim.ResetCalls()
	if len(h.sim.Calls()) != 0 {
		t.Errorf("calls after reset = %v", h.sim.Calls())
	}
}

func TestPropertiesWithHistory(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{AppID: 8151242})
	id := createContact(t, h, map[string]string{"email": "hist@example.com", "firstname": "A"})["id"].(string)
	h.clock.Advance(time.Second)
	if _, err := h.sim.Update("contacts", id, map[string]string{"firstname": "B"}, hubspotsim.UI(42)); err != nil {
		t.Fatal(err)
	}
	r := h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+id+"?propertiesWithHistory=firstname", nil)
	wantStatus(t, r, http.StatusOK)
	hist := r.json(t)["propertiesWithHistory"].(map[string]any)["firstname"].([]any)
	if len(hist) != 2 {
		t.Fatalf("history = %v", hist)
	}
	newest, oldest := hist[0].(map[string]any), hist[1].(map[string]any)
	if newest["value"] != "B" || newest["sourceType"] != "CRM_UI" || newest["updatedByUserId"] != float64(42) ||
		newest["timestamp"] != "2026-03-04T10:00:01.000Z" {
		t.Errorf("newest = %v", newest)
	}
	if oldest["value"] != "A" || oldest["sourceType"] != "INTEGRATION" || oldest["sourceId"] != "8151242" {
		t.Errorf("oldest = %v", oldest)
	}
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", map[string]any{
		"propertiesWithHistory": []string{"email"}, "inputs": []map[string]string{{"id": id}}})
	wantStatus(t, r, http.StatusOK)
	if got := first(t, r.json(t)["results"])["propertiesWithHistory"]; fmt.Sprint(got) == "<nil>" {
		t.Errorf("batch read lacks propertiesWithHistory: %s", r.raw)
	}
}

func TestGoAPIErrors(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	a, err := h.sim.Create("contacts", map[string]string{"email": "g@example.com"}, hubspotsim.UI(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		err      error
		category string
	}{
		{"conflict", func() error {
			_, err := h.sim.Create("contacts", map[string]string{"email": "G@example.com"}, hubspotsim.UI(1))
			return err
		}(), "CONFLICT"},
		{"unknown property", func() error {
			_, err := h.sim.Update("contacts", a.ID, map[string]string{"nope": "1"}, hubspotsim.UI(1))
			return err
		}(), "VALIDATION_ERROR"},
		{"missing", h.sim.Archive("companies", "123", hubspotsim.UI(1)), "OBJECT_NOT_FOUND"},
		{"merge itself", h.sim.Merge("contacts", a.ID, a.ID, hubspotsim.UI(1)), "VALIDATION_ERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var apiErr *hubspotsim.APIError
			if !errors.As(tc.err, &apiErr) || apiErr.Category != tc.category {
				t.Errorf("err = %v, want category %s", tc.err, tc.category)
			}
		})
	}
}

func TestLifecycleStageOnlyMovesForward(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	id := createContact(t, h, map[string]string{"email": "l@example.com", "lifecyclestage": "customer"})["id"].(string)
	steps := []struct{ set, want string }{
		{"lead", "customer"},         // backward: ignored
		{"evangelist", "evangelist"}, // forward
		{"", ""},                     // cleared
		{"lead", "lead"},             // after clearing, any stage
	}
	for _, st := range steps {
		r := h.do(t, http.MethodPatch, "/crm/objects/2026-03/contacts/"+id, map[string]any{"properties": map[string]string{"lifecyclestage": st.set}})
		wantStatus(t, r, http.StatusOK)
		rec, _ := h.sim.Get("contacts", id)
		if rec.Properties["lifecyclestage"] != st.want {
			t.Errorf("after setting %q: lifecyclestage = %q, want %q", st.set, rec.Properties["lifecyclestage"], st.want)
		}
	}
}
