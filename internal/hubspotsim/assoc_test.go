package hubspotsim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

func TestV4Associations(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, hookConfig(rc))
	contact := createContact(t, h, map[string]string{"email": "as@example.com"})["id"].(string)
	mkCompany := func(domain string) string {
		r := h.do(t, http.MethodPost, "/crm/objects/2026-03/companies", map[string]any{"properties": map[string]string{"domain": domain}})
		wantStatus(t, r, http.StatusCreated)
		return r.json(t)["id"].(string)
	}
	c1, c2 := mkCompany("one.com"), mkCompany("two.com")

	r := h.do(t, http.MethodPut, "/crm/objects/2026-03/contacts/"+contact+"/associations/default/companies/"+c1, nil)
	wantStatus(t, r, http.StatusOK)
	b := r.json(t)
	if b["status"] != "COMPLETE" || len(b["results"].([]any)) != 2 {
		t.Errorf("default association = %s", r.raw)
	}
	spec := b["results"].([]any)[0].(map[string]any)["associationSpec"].(map[string]any)
	if spec["associationCategory"] != "HUBSPOT_DEFINED" || spec["associationTypeId"] != float64(279) {
		t.Errorf("spec = %v", spec)
	}
	// The first company became primary; a second default association does not.
	wantStatus(t, h.do(t, http.MethodPut, "/crm/objects/2026-03/contacts/"+contact+"/associations/default/companies/"+c2, nil), http.StatusOK)
	if p, _ := h.sim.PrimaryCompany(contact); p != c1 {
		t.Errorf("primary = %s, want %s", p, c1)
	}
	// A labelled PUT with type 1 moves the primary.
	r = h.do(t, http.MethodPut, "/crm/objects/2026-03/contacts/"+contact+"/associations/companies/"+c2,
		[]map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}})
	wantStatus(t, r, http.StatusCreated)
	if p, _ := h.sim.PrimaryCompany(contact); p != c2 {
		t.Errorf("primary after labelled PUT = %s, want %s", p, c2)
	}

	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+contact+"/associations/companies", nil)
	wantStatus(t, r, http.StatusOK)
	res := r.json(t)["results"].([]any)
	if len(res) != 2 {
		t.Fatalf("list = %s", r.raw)
	}
	second := res[1].(map[string]any)
	if second["toObjectId"] != c2 || len(second["associationTypes"].([]any)) != 2 {
		t.Errorf("second = %v", second)
	}

	r = h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts/"+contact+"?associations=companies&properties=associatedcompanyid", nil)
	wantStatus(t, r, http.StatusOK)
	body := r.json(t)
	if body["properties"].(map[string]any)["associatedcompanyid"] != c2 {
		t.Errorf("associatedcompanyid = %v", body["properties"])
	}
	got := fmt.Sprint(body["associations"].(map[string]any)["companies"].(map[string]any)["results"])
	want := fmt.Sprintf("[map[id:%s type:contact_to_company_unlabeled] map[id:%s type:contact_to_company] map[id:%s type:contact_to_company_unlabeled]]", c1, c2, c2)
	if got != want {
		t.Errorf("associations = %s, want %s", got, want)
	}

	wantStatus(t, h.do(t, http.MethodDelete, "/crm/objects/2026-03/contacts/"+contact+"/associations/companies/"+c2, nil), http.StatusNoContent)
	if _, ok := h.sim.PrimaryCompany(contact); ok {
		t.Errorf("primary survived the delete")
	}
	waitIdle(t, h.sim)
	removed := 0
	for _, e := range eventsOfType(rc.events(), "contact.associationChange") {
		if e["associationRemoved"] == true {
			removed++
		}
		if e["changeSource"] != "INTEGRATION" || e["sourceId"] != "777" {
			t.Errorf("association event source = %v/%v", e["changeSource"], e["sourceId"])
		}
	}
	if removed != 3 { // c1 loses primary; c2 loses primary and unlabeled
		t.Errorf("removal events = %d, want 3", removed)
	}
}

func TestCreateWithAssociation(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	co, err := h.sim.Create("companies", map[string]string{"name": "Acme"}, hubspotsim.UI(1))
	if err != nil {
		t.Fatal(err)
	}
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{
		"properties":   map[string]string{"email": "x@example.com"},
		"associations": []any{map[string]any{"to": map[string]any{"id": mustAtof(co.ID)}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}}},
	})
	wantStatus(t, r, http.StatusCreated)
	if p, _ := h.sim.PrimaryCompany(r.json(t)["id"].(string)); p != co.ID {
		t.Errorf("primary = %q", p)
	}
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts", map[string]any{
		"properties":   map[string]string{"email": "y@example.com"},
		"associations": []any{map[string]any{"to": map[string]any{"id": "999"}, "types": []any{map[string]any{"associationTypeId": 279}}}},
	})
	wantStatus(t, r, http.StatusBadRequest)
}

func mustAtof(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}
