package salesforcesim

import (
	"bytes"
	"reflect"
	"testing"
)

// A saved org comes back whole in a new simulator, number fields keep their
// type, and ids handed out after the load are new ones.
func TestSaveAndLoadState(t *testing.T) {
	a := New(Config{})
	t.Cleanup(a.Close)
	acct, err := a.Create("Account", map[string]any{"Name": "Analytical Engines", "NumberOfEmployees": 12}, "0055g00000HumanAAA")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create("Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@example.org", "AccountId": acct}, "0055g00000HumanAAA"); err != nil {
		t.Fatal(err)
	}
	var saved bytes.Buffer
	if err := a.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	b := New(Config{})
	t.Cleanup(b.Close)
	if err := b.LoadState(&saved); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"Account", "Contact"} {
		if before, after := a.List(typ), b.List(typ); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: %v came back as %v", typ, before, after)
		}
	}
	if n, ok := b.List("Account")[0]["NumberOfEmployees"].(int64); !ok || n != 12 {
		t.Errorf("NumberOfEmployees came back as %#v", b.List("Account")[0]["NumberOfEmployees"])
	}
	id, err := b.Create("Contact", map[string]any{"LastName": "Hopper"}, "0055g00000HumanAAA")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range a.List("Contact") {
		if r["Id"] == id {
			t.Fatalf("the id %s was handed out again after the load", id)
		}
	}
}
