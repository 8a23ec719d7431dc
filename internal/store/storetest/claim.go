package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

func seqs(cs []store.Claimed) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Change.DeliveryID)
	}
	return out
}

func testClaimersNeverShare(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	for i := range 5 {
		ingest(t, s,
			prop(fmt.Sprintf("a%d", i), "501", fmt.Sprintf("p%d", i), "v", at(1)),
			prop(fmt.Sprintf("b%d", i), "502", fmt.Sprintf("p%d", i), "v", at(1)))
	}
	first := claim(t, s, hubforce.Salesforce, "w1", 3, time.Minute)
	second := claim(t, s, hubforce.Salesforce, "w2", 100, time.Minute)
	if len(first) == 0 || len(second) == 0 {
		t.Fatalf("claims got %d and %d changes; want both to get a record", len(first), len(second))
	}
	records := map[string]string{}
	for _, c := range append(append([]store.Claimed{}, first...), second...) {
		if o, ok := records[c.Change.RecordID]; ok && o != c.Lease {
			t.Fatalf("record %s claimed under two leases", c.Change.RecordID)
		}
		records[c.Change.RecordID] = c.Lease
	}
	// The rest of 501 waits for w1 to finish with its part.
	if more := claim(t, s, hubforce.Salesforce, "w3", 100, time.Minute); len(more) != 0 {
		t.Fatalf("w3 claimed %v while both records are leased", seqs(more))
	}
	if err := s.Complete(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	rest := claim(t, s, hubforce.Salesforce, "w3", 100, time.Minute)
	if len(first)+len(second)+len(rest) != 10 {
		t.Fatalf("claimed %d+%d+%d changes, want 10 in all", len(first), len(second), len(rest))
	}

	// Many claimers at once still never share a record.
	for i := range 40 {
		ingest(t, s, prop(fmt.Sprintf("c%d", i), fmt.Sprintf("r%d", i%8), fmt.Sprintf("p%d", i), "v", at(1)))
	}
	var mu sync.Mutex
	owner := map[string]string{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			got, err := s.Claim(context.Background(), hubforce.Salesforce, fmt.Sprintf("x%d", w), 5, time.Minute)
			if err != nil {
				t.Errorf("claim: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range got {
				if o, ok := owner[c.Change.RecordID]; ok && o != c.Lease {
					t.Errorf("record %s claimed by two claimers", c.Change.RecordID)
				}
				owner[c.Change.RecordID] = c.Lease
			}
		})
	}
	wg.Wait()
}

func testClaimOrder(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	// Several changes of one record in one call, then one per call.
	var batch []hubforce.Change
	for i := range 3 {
		batch = append(batch, prop(fmt.Sprintf("e%d", i), "501", fmt.Sprintf("p%d", i), "v", at(i)))
	}
	ingest(t, s, batch...)
	for i := 3; i < 6; i++ {
		ingest(t, s, prop(fmt.Sprintf("e%d", i), "501", fmt.Sprintf("p%d", i), "v", at(i)))
	}
	// Claimed in delivery order, even a few at a time.
	var got []string
	for {
		c := claim(t, s, hubforce.Salesforce, "w", 4, time.Minute)
		if len(c) == 0 {
			break
		}
		got = append(got, seqs(c)...)
		if err := s.Complete(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(got) != "[e0 e1 e2 e3 e4 e5]" {
		t.Fatalf("claimed %v, want e0..e5 in order", got)
	}
}

// A claim capped on changes takes whole records in the order of their
// first change and cuts only the last one short; its other changes go with
// the next claim.
func testChangeCap(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	ingest(t, s, prop("a1", "501", "email", "a", at(1)), prop("b1", "502", "email", "a", at(2)),
		prop("a2", "501", "phone", "1", at(3)), prop("b2", "502", "phone", "1", at(4)),
		prop("a3", "501", "lastname", "L", at(5)), prop("b3", "502", "lastname", "L", at(6)))
	ctx := context.Background()
	first, err := s.ClaimRecords(ctx, hubforce.Salesforce, "w1", 10, 4, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seqs(first), " "); got != "a1 a2 a3 b1" {
		t.Fatalf("claimed %s, want a1 a2 a3 b1", got)
	}
	if err := s.Complete(ctx, first); err != nil {
		t.Fatal(err)
	}
	next, err := s.ClaimRecords(ctx, hubforce.Salesforce, "w2", 10, 4, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seqs(next), " "); got != "b2 b3" {
		t.Fatalf("then claimed %s, want b2 b3", got)
	}
}

func testRescheduleHoldsRecord(t *testing.T, newDB NewDatabase) {
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	ingest(t, s, prop("e1", "501", "email", "a", at(1)))
	c := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	ingest(t, s, prop("e2", "501", "phone", "1", at(2)), prop("o1", "777", "phone", "1", at(2)))
	if err := s.Reschedule(context.Background(), c, clock.Now().Add(time.Hour), "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	// e2 must not overtake e1; the other record goes on.
	other := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	if got := seqs(other); fmt.Sprint(got) != "[o1]" {
		t.Fatalf("claimed %v while 501's head waits, want [o1]", got)
	}
	if err := s.Complete(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	got := claim(t, s, hubforce.Salesforce, "w", 10, time.Minute)
	if fmt.Sprint(seqs(got)) != "[e1 e2]" {
		t.Fatalf("claimed %v after the delay, want [e1 e2]", seqs(got))
	}
	if got[0].Attempts != 1 || got[0].LastError != "HTTP 503" {
		t.Fatalf("rescheduled change has attempts %d, last error %q", got[0].Attempts, got[0].LastError)
	}
}

func testLeaseExpiry(t *testing.T, newDB NewDatabase) {
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	ingest(t, s, prop("e1", "501", "email", "a", at(1)))
	old := claim(t, s, hubforce.Salesforce, "w1", 10, time.Minute)
	if len(old) != 1 {
		t.Fatalf("claimed %d, want 1", len(old))
	}
	// A later change of the record arrives while the first owner holds it.
	ingest(t, s, prop("e2", "501", "email", "b", at(2)))
	clock.Advance(59 * time.Second)
	if c := claim(t, s, hubforce.Salesforce, "w2", 10, time.Minute); len(c) != 0 {
		t.Fatalf("claimed %v under a live lease", seqs(c))
	}
	clock.Advance(time.Second)
	// The change the dead owner held comes back, ahead of the later one.
	taken := claim(t, s, hubforce.Salesforce, "w2", 10, time.Minute)
	if len(taken) != 2 || taken[0].Seq != old[0].Seq || taken[0].Lease == old[0].Lease || taken[1].Change.DeliveryID != "e2" {
		t.Fatalf("expired lease not reclaimed with the record's changes in order: %+v", taken)
	}
	// The first owner comes back too late: nothing it does counts.
	for name, op := range map[string]func() error{
		"complete":    func() error { return s.Complete(context.Background(), old) },
		"reschedule":  func() error { return s.Reschedule(context.Background(), old, clock.Now(), "x") },
		"dead-letter": func() error { return s.DeadLetter(context.Background(), old, store.Failure{Category: "x"}) },
	} {
		if err := op(); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("%s by the old owner: %v, want ErrLeaseLost", name, err)
		}
	}
	if err := s.Complete(context.Background(), taken); err != nil {
		t.Fatalf("complete by the new owner: %v", err)
	}
	if c := claim(t, s, hubforce.Salesforce, "w3", 10, time.Minute); len(c) != 0 {
		t.Fatalf("completed change claimed again: %v", seqs(c))
	}
}

func testReplicaClaims(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	a, b := Open(t, url), Open(t, url)
	for i := range 60 {
		ingest(t, a, prop(fmt.Sprintf("e%d", i), fmt.Sprintf("r%d", i%10), fmt.Sprintf("p%d", i), "v", at(i)))
	}
	// Workers on both replicas drain the queue; each record's changes must
	// come out whole and in order, never held by two workers at once.
	var mu sync.Mutex
	holder := map[string]string{}
	delivered := map[string][]string{}
	var wg sync.WaitGroup
	for w := range 6 {
		s := []store.Store{a, b}[w%2]
		wg.Go(func() {
			for {
				got, err := s.Claim(context.Background(), hubforce.Salesforce, fmt.Sprintf("w%d", w), 4, time.Minute)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, c := range got {
					if h, ok := holder[c.Change.RecordID]; ok && h != c.Lease {
						t.Errorf("record %s held by %s and %s", c.Change.RecordID, h, c.Lease)
					}
					holder[c.Change.RecordID] = c.Lease
					delivered[c.Change.RecordID] = append(delivered[c.Change.RecordID], c.Change.DeliveryID)
				}
				mu.Unlock()
				// Released in the map just before the store releases it, so
				// that only a true overlap is reported.
				mu.Lock()
				for _, c := range got {
					delete(holder, c.Change.RecordID)
				}
				mu.Unlock()
				if err := s.Complete(context.Background(), got); err != nil {
					t.Errorf("complete: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for rec, ids := range delivered {
		total += len(ids)
		for i := 1; i < len(ids); i++ {
			var p, q int
			_, _ = fmt.Sscanf(ids[i-1], "e%d", &p)
			_, _ = fmt.Sscanf(ids[i], "e%d", &q)
			if q <= p {
				t.Fatalf("record %s delivered out of order: %v", rec, ids)
			}
		}
	}
	if total != 60 {
		t.Fatalf("delivered %d changes, want 60", total)
	}
}

func testExtendLease(t *testing.T, newDB NewDatabase) {
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	ingest(t, s, prop("e1", "501", "email", "a", at(1)))
	held := claim(t, s, hubforce.Salesforce, "w1", 10, time.Minute)
	clock.Advance(50 * time.Second)
	if err := s.Extend(context.Background(), held, time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Advance(50 * time.Second) // past the first lease, within the extension
	if c := claim(t, s, hubforce.Salesforce, "w2", 10, time.Minute); len(c) != 0 {
		t.Fatalf("claimed %v under an extended lease", seqs(c))
	}
	clock.Advance(11 * time.Second)
	taken := claim(t, s, hubforce.Salesforce, "w2", 10, time.Minute)
	if len(taken) != 1 {
		t.Fatalf("expired extension not reclaimed: %v", seqs(taken))
	}
	if err := s.Extend(context.Background(), held, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("extend of a lost lease: %v, want ErrLeaseLost", err)
	}
}

func testPing(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
}
