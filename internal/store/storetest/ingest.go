package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

const (
	acc   = hubforce.Accepted
	dup   = hubforce.Duplicate
	stale = hubforce.Stale
)

func testDuplicateInOneCall(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	c := prop("1/2/100", "501", "email", "a@example.com", at(1))
	wantDecisions(t, ingest(t, s, c, c), acc, dup)
}

func testDuplicateAcrossCalls(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	c := prop("1/2/100", "501", "email", "a@example.com", at(1))
	wantDecisions(t, ingest(t, s, c), acc)
	// A redelivery is a duplicate even if its version would be newer.
	c.Version = at(2)
	wantDecisions(t, ingest(t, s, c), dup)
	if n := len(claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)); n != 1 {
		t.Fatalf("%d pending changes, want 1", n)
	}
}

func testSameIDOnEachSide(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	hs := prop("X1", "501", "email", "a@example.com", at(1))
	sf := snapshot("X1", "003A", map[string]string{"Email": "a@example.com"}, at(1))
	wantDecisions(t, ingest(t, s, hs, sf), acc, acc)
}

func testStaleByVersion(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	wantDecisions(t, ingest(t, s,
		snapshot("n1", "003A", map[string]string{"Email": "b@x.com", "Phone": "2"}, at(20)),
		snapshot("n2", "003A", map[string]string{"Email": "a@x.com", "Phone": "1"}, at(10)),
		snapshot("n3", "003A", map[string]string{"Email": "c@x.com", "Phone": "3"}, at(30)),
	), acc, stale, acc)
	v, err := s.Versions(context.Background(), hubforce.Salesforce, hubforce.Contact, "003A")
	if err != nil {
		t.Fatal(err)
	}
	if !v["Email"].Equal(at(30)) || !v["Phone"].Equal(at(30)) {
		t.Fatalf("stored versions = %v, want %v for each field", v, at(30))
	}
}

// testEqualVersion: an equal version is not proof of staleness (SPEC §3.2):
// another value at it is news, the same value a duplicate.
func testEqualVersion(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	wantDecisions(t, ingest(t, s, prop("e1", "501", "email", "a@x.com", at(5))), acc)
	wantDecisions(t, ingest(t, s, prop("e2", "501", "email", "b@x.com", at(5))), acc)
	wantDecisions(t, ingest(t, s, prop("e3", "501", "email", "b@x.com", at(5))), dup)
	wantDecisions(t, ingest(t, s, prop("e4", "501", "email", "a@x.com", at(4))), stale)
	// Two Outbound Messages in one Salesforce second: the second's new
	// value applies, its unchanged fields are dropped from the change.
	wantDecisions(t, ingest(t, s,
		snapshot("n1", "003A", map[string]string{"Email": "a@x.com", "Phone": "1"}, at(1000)),
		snapshot("n2", "003A", map[string]string{"Email": "a@x.com", "Phone": "2"}, at(1000)),
		snapshot("n3", "003A", map[string]string{"Email": "a@x.com", "Phone": "2"}, at(1000)),
	), acc, acc, dup)
	var second map[string]string
	for _, c := range claim(t, s, hubforce.HubSpot, "w", 10, time.Minute) {
		if c.Change.DeliveryID == "n2" {
			second = c.Change.Fields
		}
	}
	if len(second) != 1 || second["Phone"] != "2" {
		t.Fatalf("the second message queued %v, want only its new Phone", second)
	}
	h := history(t, s, hubforce.Salesforce, "003A")
	if len(h) != 3 || h[1].Fields["Email"] != "a@x.com" {
		t.Fatalf("history %+v does not keep what was received", h)
	}
}

func testDistinctProperties(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	wantDecisions(t, ingest(t, s,
		prop("e1", "501", "email", "a@x.com", at(5)),
		prop("e2", "501", "firstname", "Ada", at(5)),
	), acc, acc)
	wantDecisions(t, ingest(t, s, prop("e3", "501", "lastname", "Lovelace", at(5))), acc)
	h := history(t, s, hubforce.HubSpot, "501")
	if len(h) != 3 {
		t.Fatalf("history has %d entries, want 3", len(h))
	}
}

func testCreationAndProperty(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	create := hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "501",
		Kind: hubforce.KindCreate, DeliveryID: "c1", Version: at(5)}
	a1 := hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "501",
		Kind: hubforce.KindAssociation, DeliveryID: "a1", Version: at(5), AssociatedID: "9001"}
	a2 := a1
	a2.DeliveryID, a2.AssociatedID = "a2", "9002"
	wantDecisions(t, ingest(t, s, create, prop("e1", "501", "email", "a@x.com", at(5)), a1, a2),
		acc, acc, acc, acc)
}

func testReorderingNeverRollsBack(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	wantDecisions(t, ingest(t, s, prop("e2", "501", "email", "new@x.com", at(20))), acc)
	wantDecisions(t, ingest(t, s, prop("e1", "501", "email", "old@x.com", at(10))), stale)
	wantDecisions(t, ingest(t, s, prop("e3", "501", "email", "newest@x.com", at(30))), acc)
	got := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	if len(got) != 2 || got[0].Change.Fields["email"] != "new@x.com" || got[1].Change.Fields["email"] != "newest@x.com" {
		t.Fatalf("queued %+v, want new@ then newest@", got)
	}
}

func testZeroVersion(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	c := snapshot("n1", "003A", map[string]string{"Email": "a@x.com"}, time.Time{})
	wantDecisions(t, ingest(t, s, c), acc)
	wantDecisions(t, ingest(t, s, c), dup)
	// Without a version there is nothing to order by: a different delivery
	// is accepted, and no version is stored.
	c.DeliveryID = "n2"
	wantDecisions(t, ingest(t, s, c), acc)
	v, err := s.Versions(context.Background(), hubforce.Salesforce, hubforce.Contact, "003A")
	if err != nil || len(v) != 0 {
		t.Fatalf("versions = %v, %v; want none", v, err)
	}
}

func testInvalidChange(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	good := prop("e1", "501", "email", "a@x.com", at(1))
	bad := prop("e2", "", "email", "a@x.com", at(1))
	if _, err := s.Ingest(context.Background(), []hubforce.Change{good, bad}); err == nil {
		t.Fatal("ingest of a change without a record id succeeded")
	}
	wantDecisions(t, ingest(t, s, good), acc)
}

func testQueuedWithFields(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	c := snapshot("n1", "003A", map[string]string{"Email": "a@x.com", "Phone": ""}, at(1))
	c.SourceID = "005INTEGRATION"
	ingest(t, s, c)
	got := claim(t, s, hubforce.HubSpot, "w", 10, time.Minute)
	if len(got) != 1 {
		t.Fatalf("claimed %d, want 1", len(got))
	}
	g := got[0].Change
	if g.DeliveryID != "n1" || g.Fields["Email"] != "a@x.com" || v(g.Fields, "Phone") != "<empty>" ||
		g.SourceID != "005INTEGRATION" || !g.Version.Equal(at(1)) {
		t.Fatalf("claimed change %+v does not match ingested %+v", g, c)
	}
	if n := len(claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)); n != 0 {
		t.Fatalf("a Salesforce change was claimed for Salesforce (%d)", n)
	}
	q, err := s.QueueStats(context.Background(), hubforce.HubSpot)
	if err != nil || q.Pending != 1 {
		t.Fatalf("queue stats = %+v, %v; want 1 pending", q, err)
	}
}

// v tells an empty value from an absent one.
func v(m map[string]string, k string) string {
	x, ok := m[k]
	if !ok {
		return "<absent>"
	}
	if x == "" {
		return "<empty>"
	}
	return x
}

func testClosed(t *testing.T, newDB NewDatabase) {
	s, err := store.Open(context.Background(), newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Ingest(context.Background(), []hubforce.Change{prop("e1", "501", "email", "a", at(1))})
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("ingest after close: %v, want ErrClosed", err)
	}
}
