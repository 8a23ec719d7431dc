package hubspotsim_test

import (
	"bytes"
	"maps"
	"strconv"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

// A saved account comes back whole in a new simulator, and ids handed out
// after the load are new ones.
func TestSaveAndLoadState(t *testing.T) {
	a := hubspotsim.New(hubspotsim.Config{})
	t.Cleanup(a.Close)
	ada, err := a.Create("contacts", map[string]string{"email": "ada@example.org", "lastname": "Lovelace"}, hubspotsim.UI(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Update("contacts", ada.ID, map[string]string{"jobtitle": "Analyst"}, hubspotsim.UI(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create("companies", map[string]string{"name": "Analytical Engines", "domain": "engines.example"}, hubspotsim.UI(1)); err != nil {
		t.Fatal(err)
	}
	var saved bytes.Buffer
	if err := a.SaveState(&saved); err != nil {
		t.Fatal(err)
	}

	b := hubspotsim.New(hubspotsim.Config{})
	t.Cleanup(b.Close)
	if err := b.LoadState(&saved); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"contacts", "companies"} {
		before, after := a.List(typ), b.List(typ)
		if len(before) != len(after) {
			t.Fatalf("%s: %d records, then %d", typ, len(before), len(after))
		}
		for i := range before {
			if before[i].ID != after[i].ID || !maps.Equal(before[i].Properties, after[i].Properties) ||
				!before[i].UpdatedAt.Equal(after[i].UpdatedAt) {
				t.Errorf("%s: %+v came back as %+v", typ, before[i], after[i])
			}
		}
	}
	// The unique email index came back too.
	if _, err := b.Create("contacts", map[string]string{"email": "ada@example.org"}, hubspotsim.UI(1)); err == nil {
		t.Error("a second contact with a loaded contact's email was accepted")
	}
	grace, err := b.Create("contacts", map[string]string{"email": "grace@example.org"}, hubspotsim.UI(1))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(grace.ID, 10, 64)
	last, _ := strconv.ParseInt(ada.ID, 10, 64)
	if n <= last+1 {
		t.Errorf("a record created after the load got id %d; ids up to %d were handed out, and maybe more after the save", n, last)
	}
}
