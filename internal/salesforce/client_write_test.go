package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/simfault"
)

func TestCreateChunksAndKeepsOrder(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	recs := make([]map[string]any, 450)
	for i := range recs {
		recs[i] = map[string]any{"LastName": fmt.Sprintf("L%03d", i)}
	}
	res, err := c.Create(context.Background(), hubforce.Contact, recs)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got := f.calls("POST /composite/sobjects"); got != 3 {
		t.Errorf("collection calls = %d, want 3", got)
	}
	if len(res) != 450 {
		t.Fatalf("%d results, want 450", len(res))
	}
	for i, r := range res {
		if r.Err != nil || !r.Created {
			t.Fatalf("result %d = %+v", i, r)
		}
		got, ok := f.sim.Get("Contact", r.ID)
		if !ok || got["LastName"] != fmt.Sprintf("L%03d", i) {
			t.Fatalf("result %d names %v, want L%03d", i, got["LastName"], i)
		}
	}
	if _, ok := recs[0]["attributes"]; ok {
		t.Error("Create changed the caller's map")
	}
}

func TestCreatePerRecordFailure(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	res, err := c.Create(context.Background(), hubforce.Contact, []map[string]any{
		{"LastName": "Lovelace"},
		{"FirstName": "Nameless"},
		{"LastName": "Hopper", "Email": "not an email"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if res[0].Err != nil || res[0].ID == "" {
		t.Errorf("first record: %+v", res[0])
	}
	ae := apiErr(t, res[1].Err, hubforce.Validation)
	if ae.Code != "REQUIRED_FIELD_MISSING" || !slices.Equal(ae.Fields, []string{"LastName"}) || ae.Side != hubforce.Salesforce {
		t.Errorf("second record: %+v", ae)
	}
	if res[1].ID != "" || res[1].Created {
		t.Errorf("failed create has id %q / created %v", res[1].ID, res[1].Created)
	}
	if ae := apiErr(t, res[2].Err, hubforce.Validation); ae.Code != "INVALID_EMAIL_ADDRESS" {
		t.Errorf("third record: %+v", ae)
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	live := f.mustCreate("Contact", map[string]any{"LastName": "Old"})
	gone := f.mustCreate("Contact", map[string]any{"LastName": "Gone"})
	if err := f.sim.Delete("Contact", gone, "005000000000009AAA"); err != nil {
		t.Fatal(err)
	}
	never := "003000000000999AAA" // well-formed, no such record
	res, err := c.Update(context.Background(), hubforce.Contact,
		[]string{live, gone, never, "bogus"},
		[]map[string]any{{"LastName": "New"}, {"LastName": "X"}, {"LastName": "Y"}, {"LastName": "Z"}})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if res[0].Err != nil || res[0].ID != live || res[0].Created {
		t.Errorf("live: %+v", res[0])
	}
	if got, _ := f.sim.Get("Contact", live); got["LastName"] != "New" {
		t.Errorf("LastName = %v", got["LastName"])
	}
	if ae := apiErr(t, res[1].Err, hubforce.NotFound); ae.Code != "ENTITY_IS_DELETED" {
		t.Errorf("deleted: %+v", ae)
	}
	if ae := apiErr(t, res[2].Err, hubforce.NotFound); ae.Code != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("missing: %+v", ae)
	}
	if ae := apiErr(t, res[3].Err, hubforce.Validation); ae.Code != "MALFORMED_ID" {
		t.Errorf("malformed: %+v", ae)
	}
	if _, err := c.Update(context.Background(), hubforce.Contact, []string{live}, nil); err == nil {
		t.Error("Update with mismatched lengths succeeded")
	}
}

func TestUpsert(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	ctx := context.Background()
	res, err := c.Upsert(ctx, hubforce.Company, "HubSpot_Id__c", []map[string]any{
		{"HubSpot_Id__c": "hs-1", "Name": "Acme"},
		{"HubSpot_Id__c": "hs-2"}, // Account needs Name
	})
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if !res[0].Created || res[0].Err != nil || res[0].ID == "" {
		t.Errorf("first upsert: %+v", res[0])
	}
	if ae := apiErr(t, res[1].Err, hubforce.Validation); ae.Code != "REQUIRED_FIELD_MISSING" {
		t.Errorf("second: %+v", ae)
	}
	again, err := c.Upsert(ctx, hubforce.Company, "HubSpot_Id__c", []map[string]any{{"HubSpot_Id__c": "hs-1", "Name": "Acme Ltd"}})
	if err != nil {
		t.Fatalf("Upsert again: %v", err)
	}
	if again[0].Created || again[0].ID != res[0].ID || again[0].Err != nil {
		t.Errorf("second upsert: %+v, want update of %s", again[0], res[0].ID)
	}

	// Email is an idLookup field that is not unique: two matches → 300 in
	// a single upsert, a failed record in a collection.
	f.mustCreate("Contact", map[string]any{"LastName": "A", "Email": "twin@example.com"})
	f.mustCreate("Contact", map[string]any{"LastName": "B", "Email": "TWIN@example.com"})
	dup, err := c.Upsert(ctx, hubforce.Contact, "Email", []map[string]any{{"Email": "twin@example.com", "LastName": "C"}})
	if err != nil {
		t.Fatalf("Upsert by Email: %v", err)
	}
	apiErr(t, dup[0].Err, hubforce.Conflict)

	// A taken external id on create is DUPLICATE_VALUE.
	cr, err := c.Create(ctx, hubforce.Company, []map[string]any{{"Name": "Clone", "HubSpot_Id__c": "hs-1"}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if ae := apiErr(t, cr[0].Err, hubforce.Conflict); ae.Code != "DUPLICATE_VALUE" {
		t.Errorf("duplicate: %+v", ae)
	}

	_, err = c.Upsert(ctx, hubforce.Company, "Not_A_Key__c", []map[string]any{{"Not_A_Key__c": "x", "Name": "n"}})
	apiErr(t, err, hubforce.Permanent)
	_, err = c.Upsert(ctx, hubforce.Company, "Name/../x", nil)
	apiErr(t, err, hubforce.Permanent)
}

func TestWriteChunkFailureKeepsEarlierResults(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	var posts atomic.Int32
	f.intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/composite/sobjects") || posts.Add(1) != 2 {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`[{"message":"An unexpected error occurred.","errorCode":"UNKNOWN_EXCEPTION"}]`))
		return true
	})
	recs := make([]map[string]any, 250)
	for i := range recs {
		recs[i] = map[string]any{"LastName": fmt.Sprint(i)}
	}
	res, err := c.Create(context.Background(), hubforce.Contact, recs)
	apiErr(t, err, hubforce.Retryable)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("a 500 on a create should say the outcome is unknown: %v", err)
	}
	if posts.Load() != 2 {
		t.Errorf("%d POSTs: a create answered 500 must not be resent by the transport", posts.Load())
	}
	if len(res) != 250 {
		t.Fatalf("%d results, want 250", len(res))
	}
	if res[199].Err != nil || !res[199].Created || res[199].ID == "" {
		t.Errorf("record of the first chunk lost its outcome: %+v", res[199])
	}
	if !errors.Is(res[200].Err, ErrOutcomeUnknown) {
		t.Errorf("record of the failed chunk: %+v", res[200])
	}
}

func TestCreateLostAnswerIsNotResent(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	if err := c.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Counted before the simulator drops the connection: its own count is
	// taken after the handler returns, which may be after the client saw
	// the drop.
	var posts atomic.Int32
	f.intercept(func(_ http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/composite/sobjects") {
			posts.Add(1)
		}
		return false
	})
	f.sim.Faults().Set(simfault.Plan{DropConnections: 1})
	_, err := c.Create(context.Background(), hubforce.Contact, []map[string]any{{"LastName": "Once"}})
	apiErr(t, err, hubforce.Retryable)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("lost answer to a create: %v, want ErrOutcomeUnknown", err)
	}
	if got := posts.Load(); got != 1 {
		t.Errorf("%d create calls, want 1", got)
	}
	// An update is safe to resend.
	id := f.mustCreate("Contact", map[string]any{"LastName": "Twice"})
	f.sim.Faults().Set(simfault.Plan{DropConnections: 1})
	res, err := c.Update(context.Background(), hubforce.Contact, []string{id}, []map[string]any{{"Title": "Dr"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("Update after a dropped connection: %v %+v", err, res)
	}
}
