package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspotsim"
)

func TestModifiedSincePages(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	ids := mustCreate(t, e.sim, "contacts", 450, func(i int) map[string]string {
		clock.Advance(time.Second)
		return contactProps(i)
	})
	c := e.client(t, nil)
	ctx := context.Background()
	first, _ := e.sim.Get("contacts", ids[49])
	var got []hubforce.Record
	after, pages := "", 0
	for {
		recs, next, err := c.ModifiedSince(ctx, hubforce.Contact, first.UpdatedAt, []string{"email"}, after)
		if err != nil {
			t.Fatal(err)
		}
		got, pages = append(got, recs...), pages+1
		if next == "" {
			break
		}
		after = next
	}
	if len(got) != 400 || pages != 2 {
		t.Fatalf("got %d records in %d pages, want 400 in 2", len(got), pages)
	}
	for i, r := range got {
		if r.ID != ids[50+i] || r.Fields["email"] != fmt.Sprintf("person%d@example.com", 50+i) {
			t.Fatalf("record %d: %s %v, want %s ascending", i, r.ID, r.Fields, ids[50+i])
		}
		if i > 0 && !r.Modified.After(got[i-1].Modified) {
			t.Fatalf("not ascending at %d", i)
		}
	}
	if n := e.sim.Calls()["POST /crm/objects/2026-03/{objectType}/search"]; n != 2 {
		t.Fatalf("want 2 search calls, got %d", n)
	}
	recs, next, err := c.ModifiedSince(ctx, hubforce.Company, clock.Now(), nil, "")
	if err != nil || len(recs) != 0 || next != "" {
		t.Fatalf("no companies: %v %q %v", recs, next, err)
	}
}

// Search has its own per-second limit and sends no rate-limit headers: a
// quick run of pages is paced below it.
func TestSearchIsPacedBelowItsLimit(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	mustCreate(t, e.sim, "companies", 1, func(int) map[string]string { return map[string]string{"name": "A", "domain": "a.example"} })
	c := e.client(t, nil)
	for range 8 {
		if _, _, err := c.ModifiedSince(context.Background(), hubforce.Company, time.Time{}, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.calls.count(http.StatusTooManyRequests); n != 0 {
		t.Fatalf("search answered 429 %d times", n)
	}
	if rem, limit, _ := c.Budget(); rem != 0 || limit != 0 {
		t.Fatalf("search must not feed the ten-second bucket: %d/%d", rem, limit)
	}
}

func TestSearchCursorRestartsBeforeTheResultCap(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 3, contactProps)
	c := e.client(t, nil)
	mid, _ := e.sim.Get("contacts", ids[1])
	cursor := fmt.Sprintf("t:%d", mid.UpdatedAt.UnixMilli())
	recs, next, err := c.ModifiedSince(context.Background(), hubforce.Contact, time.Time{}, nil, cursor)
	if err != nil || next != "" || len(recs) < 2 || recs[0].ID != ids[1] {
		t.Fatalf("a timestamp cursor restarts at that instant (inclusive): %v %q %v", recs, next, err)
	}
}

func TestPrimaryCompany(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	contacts := mustCreate(t, e.sim, "contacts", 2, contactProps)
	companies := mustCreate(t, e.sim, "companies", 2, func(i int) map[string]string {
		return map[string]string{"name": fmt.Sprintf("Co%d", i), "domain": fmt.Sprintf("co%d.example", i)}
	})
	c := e.client(t, nil)
	ctx := context.Background()
	for _, co := range companies {
		if err := c.SetPrimaryCompany(ctx, contacts[0], co); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.sim.PrimaryCompany(contacts[0]); got != co {
			t.Fatalf("primary is %q, want %q", got, co)
		}
	}
	got, err := c.PrimaryCompanies(ctx, []string{contacts[0], contacts[1], "777777777"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[contacts[0]] != companies[1] {
		t.Fatalf("got %v", got)
	}
	err = c.SetPrimaryCompany(ctx, contacts[0], "777777777")
	if cl := classOf(t, err); cl != hubforce.NotFound && cl != hubforce.Validation {
		t.Fatalf("unknown company: %v", err)
	}
}
