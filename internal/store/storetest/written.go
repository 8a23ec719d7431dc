package storetest

import (
	"context"
	"maps"
	"testing"

	"github.com/hubforce/hubforce"
)

func testWrittenValues(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	get := func(side hubforce.Side, id string) map[string]string {
		t.Helper()
		m, err := s.LastWritten(ctx, side, hubforce.Contact, id)
		if err != nil {
			t.Fatalf("last written: %v", err)
		}
		if m == nil {
			t.Fatal("last written returned a nil map")
		}
		return m
	}
	set := func(side hubforce.Side, id string, f map[string]string) {
		t.Helper()
		if err := s.SetWritten(ctx, side, hubforce.Contact, id, f); err != nil {
			t.Fatalf("set written: %v", err)
		}
	}
	if m := get(hubforce.Salesforce, "003A"); len(m) != 0 {
		t.Fatalf("never written: %v, want empty", m)
	}
	set(hubforce.Salesforce, "003A", map[string]string{"Email": "a@example.com", "Phone": "1"})
	set(hubforce.Salesforce, "003A", map[string]string{"Phone": "2", "Title": ""})
	want := map[string]string{"Email": "a@example.com", "Phone": "2", "Title": ""}
	if m := get(hubforce.Salesforce, "003A"); !maps.Equal(m, want) {
		t.Fatalf("after merge: %v, want %v", m, want)
	}
	// Same id on the other side, other object: separate records.
	if m := get(hubforce.HubSpot, "003A"); len(m) != 0 {
		t.Fatalf("other side: %v, want empty", m)
	}
	set(hubforce.HubSpot, "101", map[string]string{"email": "a@example.com"})

	// Deleting the link forgets what was written to both of its records.
	if err := s.PutLink(ctx, hubforce.Link{Object: hubforce.Contact, HubSpotID: "101", SalesforceID: "003A"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLink(ctx, hubforce.Contact, hubforce.HubSpot, "101"); err != nil {
		t.Fatal(err)
	}
	if m := get(hubforce.Salesforce, "003A"); len(m) != 0 {
		t.Fatalf("after DeleteLink: salesforce %v, want empty", m)
	}
	if m := get(hubforce.HubSpot, "101"); len(m) != 0 {
		t.Fatalf("after DeleteLink: hubspot %v, want empty", m)
	}
}
