package hubspotsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

func searchIDs(t *testing.T, h *harness, obj string, body map[string]any) ([]string, map[string]any) {
	t.Helper()
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/"+obj+"/search", body)
	wantStatus(t, r, http.StatusOK)
	for k := range r.header {
		if strings.HasPrefix(strings.ToLower(k), "x-hubspot-ratelimit") {
			t.Errorf("search response carries %s", k)
		}
	}
	b := r.json(t)
	var ids []string
	for _, x := range b["results"].([]any) {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	return ids, b
}

func filter(prop, op, value string) map[string]any {
	return map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]any{"propertyName": prop, "operator": op, "value": value}}}}}
}

func TestSearchFilters(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	var ids []string
	var stamps []string
	for i, city := range []string{"Oslo", "Rome", "Oslo", "Lima"} {
		h.clock.Advance(time.Second)
		c := createContact(t, h, map[string]string{"email": fmt.Sprintf("s%d@example.com", i), "city": city})
		ids = append(ids, c["id"].(string))
		stamps = append(stamps, c["updatedAt"].(string))
	}
	checkpoint, _ := time.Parse(time.RFC3339, stamps[1])
	tests := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"EQ case-insensitive", filter("city", "EQ", "oslo"), []string{ids[0], ids[2]}},
		{"NEQ", filter("city", "NEQ", "Oslo"), []string{ids[1], ids[3]}},
		{"GT lastmodifieddate epoch ms", filter("lastmodifieddate", "GT", fmt.Sprint(checkpoint.UnixMilli())), []string{ids[2], ids[3]}},
		{"GTE lastmodifieddate ISO", filter("lastmodifieddate", "GTE", stamps[1]), []string{ids[1], ids[2], ids[3]}},
		{"LT", filter("lastmodifieddate", "LT", fmt.Sprint(checkpoint.UnixMilli())), []string{ids[0]}},
		{"OR of groups", map[string]any{"filterGroups": []any{
			map[string]any{"filters": []any{map[string]any{"propertyName": "city", "operator": "EQ", "value": "Lima"}}},
			map[string]any{"filters": []any{map[string]any{"propertyName": "city", "operator": "EQ", "value": "Rome"}}},
		}}, []string{ids[1], ids[3]}},
		{"sort descending", map[string]any{"sorts": []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}}},
			[]string{ids[3], ids[2], ids[1], ids[0]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.clock.Advance(time.Second) // keep the per-second search limit out of the way
			got, b := searchIDs(t, h, "contacts", tc.body)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || b["total"] != float64(len(tc.want)) {
				t.Errorf("ids = %v total %v, want %v", got, b["total"], tc.want)
			}
		})
	}
	// Archived records never appear.
	wantStatus(t, h.do(t, http.MethodDelete, "/crm/objects/2026-03/contacts/"+ids[0], nil), http.StatusNoContent)
	h.clock.Advance(time.Second)
	if got, _ := searchIDs(t, h, "contacts", filter("city", "EQ", "Oslo")); strings.Join(got, ",") != ids[2] {
		t.Errorf("after archive: %v", got)
	}
}

func TestSearchPagingAndLimits(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	for i := range 7 {
		createContact(t, h, map[string]string{"email": fmt.Sprintf("p%d@example.com", i)})
	}
	var all []string
	body := map[string]any{"limit": 3}
	for pages := 0; ; pages++ {
		h.clock.Advance(time.Second)
		ids, b := searchIDs(t, h, "contacts", body)
		all = append(all, ids...)
		p, ok := b["paging"].(map[string]any)
		if !ok {
			break
		}
		if pages > 3 {
			t.Fatal("search paging does not end")
		}
		body = map[string]any{"limit": 3, "after": p["next"].(map[string]any)["after"]}
	}
	if len(all) != 7 {
		t.Errorf("paged through %d results, want 7", len(all))
	}
	h.clock.Advance(time.Second)
	wantStatus(t, h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", map[string]any{"limit": 201}), http.StatusBadRequest)
	wantStatus(t, h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", map[string]any{"limit": 200}), http.StatusOK)
}

func TestSearchPerSecondLimit(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{})
	for range 5 {
		wantStatus(t, h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", map[string]any{}), http.StatusOK)
	}
	r := h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", map[string]any{})
	wantStatus(t, r, http.StatusTooManyRequests)
	if b := r.json(t); b["errorType"] != "RATE_LIMIT" || b["policyName"] != "SECONDLY" {
		t.Errorf("search 429 = %s", r.raw)
	}
	if r.header.Get("X-HubSpot-RateLimit-Remaining") != "" {
		t.Errorf("search 429 carries rate-limit headers")
	}
	// Search is exempt from the ten-secondly window: other calls still pass.
	wantStatus(t, h.do(t, http.MethodGet, "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	h.clock.Advance(1100 * time.Millisecond)
	wantStatus(t, h.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", map[string]any{}), http.StatusOK)
}

func TestSearchIndexLag(t *testing.T) {
	h := newHarness(t, hubspotsim.Config{SearchLag: 3 * time.Second})
	id := createContact(t, h, map[string]string{"email": "lag@example.com", "city": "Oslo"})["id"].(string)
	if got, _ := searchIDs(t, h, "contacts", filter("city", "EQ", "Oslo")); len(got) != 0 {
		t.Errorf("new record visible before the lag: %v", got)
	}
	h.clock.Advance(3 * time.Second)
	if got, _ := searchIDs(t, h, "contacts", filter("city", "EQ", "Oslo")); strings.Join(got, ",") != id {
		t.Errorf("record not visible after the lag: %v", got)
	}
	r := h.do(t, http.MethodPatch, "/crm/objects/2026-03/contacts/"+id, map[string]any{"properties": map[string]string{"city": "Rome"}})
	wantStatus(t, r, http.StatusOK)
	h.clock.Advance(time.Second)
	// The index still holds the old value; GET already has the new one.
	if got, _ := searchIDs(t, h, "contacts", filter("city", "EQ", "Oslo")); strings.Join(got, ",") != id {
		t.Errorf("stale index should still match Oslo: %v", got)
	}
	h.clock.Advance(2 * time.Second)
	if got, _ := searchIDs(t, h, "contacts", filter("city", "EQ", "Rome")); strings.Join(got, ",") != id {
		t.Errorf("index did not catch up: %v", got)
	}
}
