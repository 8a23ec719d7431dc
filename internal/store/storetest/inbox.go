package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// InboxDepther is the part of a store WaitInboxEmpty needs.
type InboxDepther interface {
	InboxDepth(ctx context.Context) (int64, error)
}

// WaitInboxEmpty waits until every received request has been digested
// (its changes judged, queued and in the history), failing the test after
// ten seconds.
func WaitInboxEmpty(t testing.TB, s InboxDepther) {
	t.Helper()
	// Generous: a 30,000-change backlog on a loaded 2-core CI machine takes
	// a while; the tests wait for the condition, not for the time.
	const limit = time.Minute
	deadline := time.Now().Add(limit)
	for {
		n, err := s.InboxDepth(context.Background())
		if err != nil {
			t.Fatalf("inbox depth: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("inbox still holds %d requests after %s", n, limit)
		}
		time.Sleep(2 * time.Millisecond) // polling, not synchronisation
	}
}

func receive(t testing.TB, s store.Store, changes ...hubforce.Change) {
	t.Helper()
	if err := s.Receive(context.Background(), changes); err != nil {
		t.Fatalf("receive: %v", err)
	}
}

func inboxDepth(t testing.TB, s store.Store) int64 {
	t.Helper()
	n, err := s.InboxDepth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// decisionsOf returns the decision recorded in the history for each
// delivery id of a record.
func decisionsOf(t testing.TB, s store.Store, side hubforce.Side, record string) map[string][]hubforce.Decision {
	t.Helper()
	out := map[string][]hubforce.Decision{}
	for _, e := range history(t, s, side, record) {
		out[e.DeliveryID] = append(out[e.DeliveryID], e.Decision)
	}
	return out
}

// testReceivedSurvivesRestart: what Receive acknowledged is in the inbox
// whatever happens to the process, and the next Open digests it.
func testReceivedSurvivesRestart(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	clock := NewClock()
	receivedAt := clock.Now()
	killed, err := store.Open(context.Background(), url, store.WithoutDigestion(), store.WithNow(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		receive(t, killed, prop(fmt.Sprintf("d%d", i), fmt.Sprintf("r%d", i%4), "email", fmt.Sprint(i), at(i)))
	}
	if n := inboxDepth(t, killed); n != 20 {
		t.Fatalf("inbox holds %d requests, want the 20 acknowledged", n)
	}
	if h := history(t, killed, hubforce.HubSpot, "r0"); len(h) != 0 {
		t.Fatalf("judged before digestion: %d history entries", len(h))
	}
	if err := killed.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(time.Hour)
	var mu sync.Mutex
	reported := map[hubforce.Decision]int{}
	s := Open(t, url, store.WithNow(clock.Now), store.WithOnIngested(func(d map[hubforce.Side]map[hubforce.Decision]int) {
		mu.Lock()
		defer mu.Unlock()
		for dec, n := range d[hubforce.HubSpot] {
			reported[dec] += n
		}
	}))
	WaitInboxEmpty(t, s)
	for r := range 4 {
		got := decisionsOf(t, s, hubforce.HubSpot, fmt.Sprintf("r%d", r))
		if len(got) != 5 {
			t.Fatalf("r%d: %d deliveries in history, want 5", r, len(got))
		}
		for id, d := range got {
			if len(d) != 1 || d[0] != acc {
				t.Fatalf("r%d %s: %v, want accepted once", r, id, d)
			}
		}
	}
	// The history says when the change was acknowledged, not digested.
	if h := history(t, s, hubforce.HubSpot, "r0"); !h[0].At.Equal(receivedAt) {
		t.Fatalf("history received at %v, want the acknowledgement time %v", h[0].At, receivedAt)
	}
	if q := claim(t, s, hubforce.Salesforce, "w", 100, time.Minute); len(q) != 20 {
		t.Fatalf("%d changes queued, want 20", len(q))
	}
	mu.Lock()
	defer mu.Unlock()
	if reported[acc] != 20 || len(reported) != 1 {
		t.Fatalf("OnIngested reported %v, want 20 accepted", reported)
	}
}

// testReceiveDuplicates: repeats within a call and across calls are judged
// as Ingest judges them, once digested.
func testReceiveDuplicates(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	a := prop("1/2/3", "r1", "email", "a", at(1))
	receive(t, s, a, a)
	receive(t, s, a)
	receive(t, s, prop("1/2/4", "r1", "email", "old", at(0)), prop("1/2/5", "r1", "phone", "1", at(2)))
	WaitInboxEmpty(t, s)
	receive(t, s, a) // after digestion too
	WaitInboxEmpty(t, s)
	got := decisionsOf(t, s, hubforce.HubSpot, "r1")
	want := map[string]string{
		"1/2/3": fmt.Sprint([]hubforce.Decision{acc, dup, dup, dup}),
		"1/2/4": fmt.Sprint([]hubforce.Decision{stale}),
		"1/2/5": fmt.Sprint([]hubforce.Decision{acc}),
	}
	for id, w := range want {
		if fmt.Sprint(got[id]) != w {
			t.Fatalf("%s: %v, want %s", id, got[id], w)
		}
	}
	if q := claim(t, s, hubforce.Salesforce, "w", 100, time.Minute); len(q) != 2 {
		t.Fatalf("%d changes queued, want 2", len(q))
	}
}

func testReceiveInvalidRejectedWhole(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t), store.WithoutDigestion())
	bad := prop("d2", "", "email", "a", at(1))
	if err := s.Receive(context.Background(), []hubforce.Change{prop("d1", "r1", "email", "a", at(1)), bad}); err == nil {
		t.Fatal("received a change without a record id")
	}
	if n := inboxDepth(t, s); n != 0 {
		t.Fatalf("inbox holds %d requests after a refused call", n)
	}
}

// testCloseDrainsInbox: a store stopped in order leaves nothing to digest.
func testCloseDrainsInbox(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Receive(context.Background(), []hubforce.Change{
				prop(fmt.Sprintf("d%d", i), fmt.Sprintf("r%d", i), "email", "a", at(1)),
				prop(fmt.Sprintf("e%d", i), fmt.Sprintf("r%d", i), "phone", "1", at(1)),
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Receive(context.Background(), []hubforce.Change{prop("late", "r1", "email", "a", at(1))}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("receive after close: %v, want ErrClosed", err)
	}
	after := Open(t, url, store.WithoutDigestion())
	if n := inboxDepth(t, after); n != 0 {
		t.Fatalf("close left %d requests in the inbox", n)
	}
	if q := claim(t, after, hubforce.Salesforce, "w", 1000, time.Minute); len(q) != 400 {
		t.Fatalf("%d changes queued, want 400", len(q))
	}
}

// testReplicasDigesting: stores on one database receive the same
// deliveries at once and digest them concurrently; each delivery is
// accepted exactly once.
func testReplicasDigesting(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	stores := []store.Store{Open(t, url), Open(t, url), Open(t, url)}
	batches := racingBatches(24)
	var wg sync.WaitGroup
	errs := make([]error, len(batches))
	start := make(chan struct{})
	for i, b := range batches {
		wg.Go(func() {
			<-start
			// One change per call as well as whole batches, so that
			// digest chunks mix them.
			s := stores[i%len(stores)]
			if i%2 == 0 {
				errs[i] = s.Receive(context.Background(), b)
				return
			}
			for _, c := range b {
				if err := s.Receive(context.Background(), []hubforce.Change{c}); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, s := range stores {
		WaitInboxEmpty(t, s)
	}
	accepted := map[string]int{}
	for r := range 7 {
		for id, ds := range decisionsOf(t, stores[0], hubforce.HubSpot, fmt.Sprintf("r%d", r)) {
			if len(ds) != len(batches) {
				t.Fatalf("%s judged %d times, want %d", id, len(ds), len(batches))
			}
			for _, d := range ds {
				if d == acc {
					accepted[id]++
				}
			}
		}
	}
	if len(accepted) != 30 {
		t.Fatalf("%d deliveries accepted, want 30", len(accepted))
	}
	for id, n := range accepted {
		if n != 1 {
			t.Errorf("delivery %s accepted %d times across replicas, want once", id, n)
		}
	}
}

// testReceiveNotHeldBehindDigest: while a large backlog is digested, an
// acknowledgement waits at most for one bounded digest chunk, not for the
// backlog.
func testReceiveNotHeldBehindDigest(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	fill, err := store.Open(context.Background(), url, store.WithoutDigestion())
	if err != nil {
		t.Fatal(err)
	}
	const rows = 3000
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for w := range errs {
		wg.Go(func() {
			for i := w; i < rows; i += len(errs) {
				batch := make([]hubforce.Change, 10)
				for j := range batch {
					id := fmt.Sprintf("%d-%d", i, j)
					batch[j] = prop("b"+id, "r"+id, "email", id, at(1))
				}
				if err := fill.Receive(context.Background(), batch); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(append(errs, fill.Close())...); err != nil {
		t.Fatal(err)
	}

	s := Open(t, url)
	var slowest time.Duration
	for i := range 20 {
		start := time.Now()
		receive(t, s, prop(fmt.Sprintf("late%d", i), "late", "email", "x", at(i+10)))
		slowest = max(slowest, time.Since(start))
	}
	left := inboxDepth(t, s)
	t.Logf("slowest acknowledgement %v; %d of %d backlog rows left after them", slowest, left, rows)
	if slowest > time.Second {
		t.Fatalf("an acknowledgement waited %v behind the digest of the backlog", slowest)
	}
	WaitInboxEmpty(t, s)
	if h := history(t, s, hubforce.HubSpot, "late"); len(h) != 20 {
		t.Fatalf("%d late changes in the history, want 20", len(h))
	}
}
