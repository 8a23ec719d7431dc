package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

var required = store.Failure{Category: "validation", Code: "REQUIRED_FIELD_MISSING",
	Message: "Required fields are missing: [LastName]"}

// deadLetterOne ingests one change, claims it and dead-letters it.
func deadLetterOne(t *testing.T, s store.Store, delivery, record string) {
	t.Helper()
	ingest(t, s, prop(delivery, record, "email", "a@x.com", at(1)))
	c := claim(t, s, hubforce.Salesforce, "w", 1, time.Minute)
	if len(c) != 1 || c[0].Change.DeliveryID != delivery {
		t.Fatalf("claimed %v, want [%s]", seqs(c), delivery)
	}
	if err := s.DeadLetter(context.Background(), c, required); err != nil {
		t.Fatal(err)
	}
}

func testDeadLetters(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	deadLetterOne(t, s, "e1", "501")
	deadLetterOne(t, s, "e2", "502")
	list, err := s.DeadLetters(ctx, store.DeadLetterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Change.DeliveryID != "e1" || list[1].Change.DeliveryID != "e2" {
		t.Fatalf("dead letters %+v, want e1 then e2", list)
	}
	d := list[0]
	if d.Failure != required || d.Attempts != 1 || d.Change.Fields["email"] != "a@x.com" {
		t.Fatalf("dead letter %+v lost its failure, attempts or fields", d)
	}
	got, err := s.GetDeadLetter(ctx, d.ID)
	if err != nil || got.ID != d.ID || got.Change.RecordID != "501" {
		t.Fatalf("get dead letter = %+v, %v", got, err)
	}
	page, err := s.DeadLetters(ctx, store.DeadLetterFilter{AfterID: d.ID, Side: hubforce.HubSpot, Limit: 5})
	if err != nil || len(page) != 1 || page[0].Change.DeliveryID != "e2" {
		t.Fatalf("second page = %+v, %v", page, err)
	}
	if none, err := s.DeadLetters(ctx, store.DeadLetterFilter{Category: "retries_exhausted"}); err != nil || len(none) != 0 {
		t.Fatalf("filter by category = %+v, %v", none, err)
	}
	h := history(t, s, hubforce.HubSpot, "501")
	if len(h) != 2 || h[1].Decision != hubforce.DeadLettered {
		t.Fatalf("history %+v, want accepted then dead_lettered", h)
	}
	if err := s.DiscardDeadLetter(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"get":     second(s.GetDeadLetter(ctx, d.ID)),
		"discard": s.DiscardDeadLetter(ctx, d.ID),
		"replay":  s.ReplayDeadLetter(ctx, d.ID),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s of a discarded dead letter: %v, want ErrNotFound", name, err)
		}
	}
	if c := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute); len(c) != 0 {
		t.Fatalf("discarded change claimed: %v", seqs(c))
	}
}

func second[T any](_ T, err error) error { return err }

func testDeadLetterReplay(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	deadLetterOne(t, s, "e1", "501")
	list, err := s.DeadLetters(ctx, store.DeadLetterFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("dead letters = %+v, %v", list, err)
	}
	if err := s.ReplayDeadLetter(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	c := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	if len(c) != 1 || c[0].Change.DeliveryID != "e1" || c[0].Change.Fields["email"] != "a@x.com" || c[0].Attempts != 0 {
		t.Fatalf("after replay claimed %+v, want e1 afresh", c)
	}
	if left, err := s.DeadLetters(ctx, store.DeadLetterFilter{}); err != nil || len(left) != 0 {
		t.Fatalf("dead letters after replay = %+v, %v", left, err)
	}
	if err := s.Complete(ctx, c); err != nil {
		t.Fatal(err)
	}
	// The replayed delivery id is still remembered.
	wantDecisions(t, ingest(t, s, prop("e1", "501", "email", "a@x.com", at(1))), dup)
}

func testHistoryPrune(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	ingest(t, s, prop("old-done", "501", "email", "a", at(1)), prop("old-done", "501", "email", "a", at(1)))
	done := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	if err := s.Complete(ctx, done); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHistory(ctx, []store.HistoryEntry{{DeliveryID: "old-done", Side: hubforce.HubSpot,
		Object: hubforce.Contact, RecordID: "501", Kind: hubforce.KindUpdate, Decision: hubforce.Applied,
		Detail: "PATCH Contact/003A 204"}}); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, prop("old-pending", "502", "email", "b", at(1)))
	clock.Advance(8 * 24 * time.Hour)
	ingest(t, s, prop("new", "503", "email", "c", at(1)))

	if h := history(t, s, hubforce.HubSpot, "501"); len(h) != 3 || h[2].Decision != hubforce.Applied {
		t.Fatalf("history of 501 = %+v, want accepted, duplicate, applied", h)
	}
	n, err := s.PruneHistory(ctx, clock.Now().Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("pruned %d entries, want the 3 of the finished record", n)
	}
	for rec, want := range map[string]int{"501": 0, "502": 1, "503": 1} {
		if h := history(t, s, hubforce.HubSpot, rec); len(h) != want {
			t.Fatalf("history of %s has %d entries after pruning, want %d", rec, len(h), want)
		}
	}
	// Pending work is untouched, and its delivery id still dedupes.
	wantDecisions(t, ingest(t, s, prop("old-pending", "502", "email", "b", at(1))), dup)
	c := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	if fmt.Sprint(seqs(c)) != "[old-pending new]" {
		t.Fatalf("pending after pruning = %v, want [old-pending new]", seqs(c))
	}
}

func testLinks(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	if _, err := s.GetLink(ctx, hubforce.Contact, hubforce.HubSpot, "501"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get missing link: %v, want ErrNotFound", err)
	}
	l := hubforce.Link{Object: hubforce.Contact, HubSpotID: "501", SalesforceID: "003A"}
	if err := s.PutLink(ctx, l); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		side hubforce.Side
		id   string
	}{{hubforce.HubSpot, "501"}, {hubforce.Salesforce, "003A"}} {
		got, err := s.GetLink(ctx, hubforce.Contact, q.side, q.id)
		if err != nil || got.HubSpotID != "501" || got.SalesforceID != "003A" || got.CreatedAt.IsZero() {
			t.Fatalf("get link by %s %s = %+v, %v", q.side, q.id, got, err)
		}
	}
	if _, err := s.GetLink(ctx, hubforce.Company, hubforce.HubSpot, "501"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("link found under another object: %v", err)
	}
	// A merge on HubSpot: 502 survives and now pairs with 003A.
	if err := s.PutLink(ctx, hubforce.Link{Object: hubforce.Contact, HubSpotID: "502", SalesforceID: "003A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetLink(ctx, hubforce.Contact, hubforce.HubSpot, "501"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replaced link still found: %v", err)
	}
	if got, err := s.GetLink(ctx, hubforce.Contact, hubforce.Salesforce, "003A"); err != nil || got.HubSpotID != "502" {
		t.Fatalf("link of 003A = %+v, %v; want 502", got, err)
	}
	if err := s.DeleteLink(ctx, hubforce.Contact, hubforce.Salesforce, "003A"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetLink(ctx, hubforce.Contact, hubforce.HubSpot, "502"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted link still found: %v", err)
	}
}

func testCheckpoints(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	if _, err := s.Checkpoint(ctx, "poll/hubspot/contact"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing checkpoint: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"2026-03-01T09:00:00Z", "2026-03-01T09:15:00Z"} {
		if err := s.SetCheckpoint(ctx, "poll/hubspot/contact", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Checkpoint(ctx, "poll/hubspot/contact"); err != nil || got != v {
			t.Fatalf("checkpoint = %q, %v; want %q", got, err, v)
		}
	}
}
