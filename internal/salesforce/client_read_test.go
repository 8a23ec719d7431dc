package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/salesforcesim"
)

func TestGet(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	acct := f.mustCreate("Account", map[string]any{"Name": "Acme", "NumberOfEmployees": 250, "AnnualRevenue": 15000000.5})
	id := f.mustCreate("Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@example.com", "AccountId": acct})
	gone := f.mustCreate("Contact", map[string]any{"LastName": "Gone"})
	if err := f.sim.Delete("Contact", gone, "005000000000009AAA"); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(context.Background(), hubforce.Contact, []string{id, gone, "003000000000999AAA", "not,an,id"}, []string{"LastName", "Email", "Phone"})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d records, want only the live one: %v", len(got), got)
	}
	rec := got[id]
	if rec.ID != id || rec.Fields["LastName"] != "Lovelace" || rec.Fields["Email"] != "ada@example.com" {
		t.Errorf("record = %+v", rec)
	}
	if v, ok := rec.Fields["Phone"]; !ok || v != "" {
		t.Errorf("null Phone = %q, %v; want \"\" present", v, ok)
	}
	snap, _ := f.sim.Get("Contact", id)
	if want := snap["SystemModstamp"].(time.Time); !rec.Modified.Equal(want) {
		t.Errorf("Modified = %v, want SystemModstamp %v", rec.Modified, want)
	}

	accts, err := c.Get(context.Background(), hubforce.Company, []string{acct}, []string{"Name", "NumberOfEmployees", "AnnualRevenue", "IsDeleted"})
	if err != nil {
		t.Fatalf("Get accounts: %v", err)
	}
	a := accts[acct].Fields
	if a["NumberOfEmployees"] != "250" || a["AnnualRevenue"] != "15000000.5" || a["IsDeleted"] != "false" {
		t.Errorf("rendered values: %v", a)
	}
	if _, err := c.Get(context.Background(), hubforce.Contact, []string{id}, []string{"Email') OR Id != ('"}); err == nil {
		t.Error("a field name that is not one was sent")
	}
}

func TestGetChunks(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	var ids []string
	for i := range 450 {
		ids = append(ids, f.mustCreate("Contact", map[string]any{"LastName": fmt.Sprint(i)}))
	}
	got, err := c.Get(context.Background(), hubforce.Contact, ids, []string{"LastName"})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if len(got) != 450 {
		t.Errorf("%d records, want 450", len(got))
	}
	for i, id := range ids {
		if got[id].Fields["LastName"] != fmt.Sprint(i) {
			t.Fatalf("record %s = %v", id, got[id])
		}
	}
	if n := f.calls("GET /composite/sobjects/{sobject}"); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestFindBy(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	a := f.mustCreate("Contact", map[string]any{"LastName": "A", "Email": "Ada@Example.com"})
	b := f.mustCreate("Contact", map[string]any{"LastName": "B", "Email": "ada@example.com"})
	g := f.mustCreate("Contact", map[string]any{"LastName": "G", "Email": "grace@example.com"})
	f.mustCreate("Contact", map[string]any{"LastName": "Other", "Email": "other@example.com"})
	got, err := c.FindBy(context.Background(), hubforce.Contact, "Email",
		[]string{"ADA@example.com", "grace@example.com", "nobody@example.com", ""}, []string{"LastName"})
	if err != nil {
		t.Fatalf("FindBy: %v", err)
	}
	if len(got) != 2 {
		t.Errorf("keys = %v, want ada and grace", got)
	}
	ada := got["ada@example.com"]
	if len(ada) != 2 || !((ada[0].ID == a && ada[1].ID == b) || (ada[0].ID == b && ada[1].ID == a)) {
		t.Errorf("ada matches = %+v", ada)
	}
	if gr := got["grace@example.com"]; len(gr) != 1 || gr[0].ID != g || gr[0].Fields["LastName"] != "G" {
		t.Errorf("grace = %+v", gr)
	}
}

// A value with a quote and a backslash must reach SOQL as one literal (SOQL
// "Reserved Characters": both are escaped with a backslash) and not end the
// string or escape the closing quote.
func TestFindByQuotesValues(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	tricky := `O'Brien \ Sons'`
	id := f.mustCreate("Account", map[string]any{"Name": tricky})
	f.mustCreate("Account", map[string]any{"Name": "Innocent"})
	var soql atomic.Value
	f.intercept(func(_ http.ResponseWriter, r *http.Request) bool {
		if q := r.URL.Query().Get("q"); q != "" {
			soql.Store(q)
		}
		return false
	})
	got, err := c.FindBy(context.Background(), hubforce.Company, "Name", []string{tricky, `x') OR Name != ('`}, nil)
	if err != nil {
		t.Fatalf("FindBy: %v", err)
	}
	if len(got) != 1 || len(got[strings.ToLower(tricky)]) != 1 || got[strings.ToLower(tricky)][0].ID != id {
		t.Errorf("FindBy = %+v, want only %s", got, id)
	}
	if q, _ := soql.Load().(string); !strings.Contains(q, `'O\'Brien \\ Sons\''`) {
		t.Errorf("SOQL sent: %s", q)
	}
}

func TestFindByChunksLongLists(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(nil)
	var values []string
	for i := range 600 {
		values = append(values, fmt.Sprintf("person.number.%04d@example.com", i))
	}
	f.mustCreate("Contact", map[string]any{"LastName": "Last", "Email": values[599]})
	var longest atomic.Int64
	f.intercept(func(_ http.ResponseWriter, r *http.Request) bool {
		if n := int64(len(r.URL.RequestURI())); n > longest.Load() {
			longest.Store(n)
		}
		return false
	})
	got, err := c.FindBy(context.Background(), hubforce.Contact, "Email", values, nil)
	if err != nil {
		t.Fatalf("FindBy: %v", err)
	}
	if len(got[values[599]]) != 1 {
		t.Errorf("match in the last chunk lost: %v", got)
	}
	if n := f.calls("GET /query"); n < 2 {
		t.Errorf("%d queries for 600 values; want them split", n)
	}
	if n := longest.Load(); n > maxURI {
		t.Errorf("a request URI of %d bytes was sent", n)
	}
}

func TestModifiedSincePages(t *testing.T) {
	f := newFixture(t, func(cfg *salesforcesim.Config) { cfg.QueryPageSize = 2 })
	c := f.client(nil)
	start := f.clock.Now()
	f.mustCreate("Contact", map[string]any{"LastName": "Before"})
	f.clock.Advance(time.Minute)
	var want []string
	for i := range 5 {
		f.clock.Advance(time.Second)
		want = append(want, f.mustCreate("Contact", map[string]any{"LastName": fmt.Sprint(i)}))
	}
	since := start.Add(30 * time.Second)
	var got []hubforce.Record
	next, pages := "", 0
	for {
		recs, n, err := c.ModifiedSince(context.Background(), hubforce.Contact, since, []string{"LastName", "LastModifiedById"}, next)
		if err != nil {
			t.Fatalf("ModifiedSince page %d: %v", pages, err)
		}
		got = append(got, recs...)
		pages++
		if next = n; next == "" {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3 of at most 2", pages)
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		if r.ID != want[i] {
			t.Errorf("record %d = %s, want %s (ascending SystemModstamp)", i, r.ID, want[i])
		}
		if !r.Modified.After(since) || (i > 0 && !r.Modified.After(got[i-1].Modified)) {
			t.Errorf("record %d Modified %v out of order", i, r.Modified)
		}
	}
	if _, _, err := c.ModifiedSince(context.Background(), hubforce.Contact, since, nil, "https://evil.example/x"); err == nil {
		t.Error("a foreign next URL was followed")
	}
}
