package hubspotsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

func inputsOf(n int, mk func(i int) map[string]any) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = mk(i)
	}
	return out
}

func TestBatchLimits(t *testing.T) {
	ops := []struct {
		op string
		mk func(i int) map[string]any
		ok int
	}{
		{"create", func(i int) map[string]any {
			return map[string]any{"properties": map[string]string{"email": fmt.Sprintf("c%d@example.com", i)}}
		}, http.StatusCreated},
		{"read", func(i int) map[string]any { return map[string]any{"id": fmt.Sprint(51202 + i)} }, http.StatusOK},
		{"update", func(i int) map[string]any {
			return map[string]any{"id": fmt.Sprint(51202 + i), "properties": map[string]string{"city": "X"}}
		}, http.StatusOK},
		{"upsert", func(i int) map[string]any {
			return map[string]any{"id": fmt.Sprintf("u%d@example.com", i), "idProperty": "email", "properties": map[string]string{}}
		}, http.StatusOK},
		{"archive", func(i int) map[string]any { return map[string]any{"id": fmt.Sprint(51202 + i)} }, http.StatusNoContent},
	}
	h := newHarness(t, hubspotsim.Config{})
	for _, tc := range ops {
		t.Run(tc.op, func(t *testing.T) {
			path := "/crm/objects/2026-03/contacts/batch/" + tc.op
			r := h.do(t, http.MethodPost, path, map[string]any{"inputs": inputsOf(101, tc.mk)})
			wantStatus(t, r, http.StatusBadRequest)
			b := r.json(t)
			if b["category"] != "VALIDATION_ERROR" || !strings.Contains(b["message"].(string), "maximum number of inputs supported in a batch is 100") {
				t.Errorf("101 inputs: %s", r.raw)
			}
			wantStatus(t, h.do(t, http.MethodPost, path, map[string]any{"inputs": inputsOf(100, tc.mk)}), tc.ok)
		})
	}
}

func TestBatchRead207(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	id := createContact(t, h, map[string]string{"email": "r@example.com", "city": "Rome"})["id"].(string)
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", map[string]any{
		"properties": []string{"city"}, "inputs": []map[string]string{{"id": id}, {"id": "4242"}}})
	wantStatus(t, r, http.StatusMultiStatus)
	b := r.json(t)
	if got := strings.Join(keys(b), ","); got != "completedAt,errors,numErrors,results,startedAt,status" {
		t.Errorf("207 keys = %s", got)
	}
	if b["status"] != "COMPLETE" || b["numErrors"] != float64(1) {
		t.Errorf("207 body = %s", r.raw)
	}
	e := b["errors"].([]any)[0].(map[string]any)
	if got := strings.Join(keys(e), ","); got != "category,context,errors,links,message,status" {
		t.Errorf("error keys = %s", got)
	}
	if e["status"] != "error" || e["category"] != "OBJECT_NOT_FOUND" || fmt.Sprint(e["context"]) != "map[ids:[4242]]" {
		t.Errorf("error = %v", e)
	}
	res := b["results"].([]any)
	if len(res) != 1 || res[0].(map[string]any)["properties"].(map[string]any)["city"] != "Rome" {
		t.Errorf("results = %v", res)
	}
	// By email, all found: 200 without errors.
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", map[string]any{
		"idProperty": "email", "inputs": []map[string]string{{"id": "R@example.com"}}})
	wantStatus(t, r, http.StatusOK)
	if _, has := r.json(t)["errors"]; has {
		t.Errorf("200 carries errors: %s", r.raw)
	}
	// Property histories cap inputs at 50.
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", map[string]any{
		"propertiesWithHistory": []string{"city"}, "inputs": inputsOf(51, func(i int) map[string]any { return map[string]any{"id": fmt.Sprint(i + 1)} })})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestBatchCreateAllOrNothingAndTraced207(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	existing := createContact(t, h, map[string]string{"email": "dup@example.com"})["id"].(string)
	inputs := []map[string]any{
		{"properties": map[string]string{"email": "new1@example.com"}},
		{"properties": map[string]string{"email": "dup@example.com"}},
	}
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/create", map[string]any{"inputs": inputs})
	wantStatus(t, r, http.StatusConflict)
	if r.json(t)["message"] != "Contact already exists. Existing ID: "+existing {
		t.Errorf("conflict body = %s", r.raw)
	}
	if n := len(h.sim.List("contacts")); n != 1 {
		t.Fatalf("a failed batch created records: %d contacts", n)
	}
	inputs[0]["objectWriteTraceId"], inputs[1]["objectWriteTraceId"] = "t-0", "t-1"
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/create", map[string]any{"inputs": inputs})
	wantStatus(t, r, http.StatusMultiStatus)
	b := r.json(t)
	e := b["errors"].([]any)[0].(map[string]any)
	if len(b["results"].([]any)) != 1 || e["category"] != "CONFLICT" || fmt.Sprint(e["context"]) != "map[objectWriteTraceId:[t-1]]" {
		t.Errorf("traced 207 = %s", r.raw)
	}
}

func TestBatchUpdateMissingAndDuplicates(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	id := createContact(t, h, map[string]string{"email": "u@example.com"})["id"].(string)
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": id, "properties": map[string]string{"city": "Lima"}}, {"id": "777", "properties": map[string]string{"city": "Lima"}}}})
	wantStatus(t, r, http.StatusMultiStatus)
	if rec, _ := h.sim.Get("contacts", id); rec.Properties["city"] != "Lima" {
		t.Errorf("found input not applied: %v", rec.Properties)
	}
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": id, "properties": map[string]string{"city": "A"}}, {"id": id, "properties": map[string]string{"city": "B"}}}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.json(t)["message"].(string), "Duplicate IDs found in batch input") {
		t.Errorf("duplicate ids body = %s", r.raw)
	}
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": id, "properties": map[string]string{"nope": "A"}}}})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestBatchUpsertNewFlags(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	old := createContact(t, h, map[string]string{"email": "old@example.com"})["id"].(string)
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/upsert", map[string]any{"inputs": []map[string]any{
		{"id": "OLD@example.com", "idProperty": "email", "properties": map[string]string{"phone": "1"}},
		{"id": "fresh@example.com", "idProperty": "email", "properties": map[string]string{"phone": "2"}},
	}})
	wantStatus(t, r, http.StatusOK)
	res := r.json(t)["results"].([]any)
	got := map[string]any{}
	for _, x := range res {
		m := x.(map[string]any)
		got[m["properties"].(map[string]any)["email"].(string)] = m["new"]
		if m["id"] == old && m["new"] != false {
			t.Errorf("existing record flagged new: %v", m)
		}
	}
	if got["old@example.com"] != false || got["fresh@example.com"] != true {
		t.Errorf("new flags = %v", got)
	}
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/upsert", map[string]any{"inputs": []map[string]any{
		{"id": "x@example.com", "properties": map[string]string{}}}})
	wantStatus(t, r, http.StatusBadRequest)
	// Companies upsert by domain.
	r = h.do(t, http.MethodPost, "/crm/objects/2026-03/companies/batch/upsert", map[string]any{"inputs": []map[string]any{
		{"id": "acme.com", "idProperty": "domain", "properties": map[string]string{"name": "Acme"}}}})
	wantStatus(t, r, http.StatusOK)
}
