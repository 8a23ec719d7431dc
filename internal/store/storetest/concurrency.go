package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/testkit"
)

// ingestEverywhere sends batches[i] through stores[i%len(stores)], all at
// once, and returns each batch's decisions.
func ingestEverywhere(t *testing.T, stores []store.Store, batches [][]hubforce.Change) [][]hubforce.Decision {
	t.Helper()
	out := make([][]hubforce.Decision, len(batches))
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, b := range batches {
		wg.Go(func() {
			<-start
			out[i], errs[i] = stores[i%len(stores)].Ingest(context.Background(), b)
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent ingest: %v", err)
	}
	return out
}

// countAccepted counts the Accepted decisions per delivery id.
func countAccepted(batches [][]hubforce.Change, decisions [][]hubforce.Decision) map[string]int {
	n := map[string]int{}
	for i, b := range batches {
		for j, c := range b {
			if decisions[i][j] == hubforce.Accepted {
				n[c.DeliveryID]++
			} else {
				n[c.DeliveryID] += 0
			}
		}
	}
	return n
}

// racingBatches makes n copies of the same deliveries in shuffled orders,
// several per record, so that callers contend on the same rows.
func racingBatches(n int) [][]hubforce.Change {
	var base []hubforce.Change
	for i := range 30 {
		base = append(base, prop(fmt.Sprintf("1/2/%d", i), fmt.Sprintf("r%d", i%7),
			fmt.Sprintf("p%d", i), "v", at(i)))
	}
	out := make([][]hubforce.Change, n)
	for i := range out {
		out[i] = slices.Clone(base)
		rand.Shuffle(len(out[i]), func(a, b int) { out[i][a], out[i][b] = out[i][b], out[i][a] })
	}
	return out
}

func testConcurrentDuplicates(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	batches := racingBatches(16)
	got := countAccepted(batches, ingestEverywhere(t, []store.Store{s}, batches))
	for id, n := range got {
		if n != 1 {
			t.Errorf("delivery %s accepted %d times, want once", id, n)
		}
	}
}

func testReplicasRacing(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	stores := []store.Store{Open(t, url), Open(t, url), Open(t, url)}
	batches := racingBatches(12)
	got := countAccepted(batches, ingestEverywhere(t, stores, batches))
	for id, n := range got {
		if n != 1 {
			t.Errorf("delivery %s accepted %d times across replicas, want once", id, n)
		}
	}

	// Versions of one property racing across replicas: whatever is
	// accepted is queued in increasing version order, and the newest wins.
	var versions [][]hubforce.Change
	for i := range 24 {
		versions = append(versions, []hubforce.Change{prop(fmt.Sprintf("v%d", i), "hot", "email",
			fmt.Sprintf("e%d", i), at(100+rand.IntN(1000)))})
	}
	decisions := ingestEverywhere(t, stores, versions)
	newest := slices.MaxFunc(versions, func(a, b []hubforce.Change) int { return a[0].Version.Compare(b[0].Version) })
	queued := claim(t, stores[0], hubforce.Salesforce, "w", 1000, time.Minute)
	var last time.Time
	accepted := 0
	for _, c := range queued {
		if c.Change.RecordID != "hot" {
			continue
		}
		accepted++
		// Equal versions may both be queued: two draws of one instant
		// carry different values, and an equal version with another value
		// applies (SPEC §3.2).
		if c.Change.Version.Before(last) {
			t.Fatalf("queue order rolls back: %v after %v", c.Change.Version, last)
		}
		last = c.Change.Version
	}
	if !last.Equal(newest[0].Version) {
		t.Fatalf("last queued version %v, want the newest %v", last, newest[0].Version)
	}
	n := 0
	for _, d := range decisions {
		if d[0] == hubforce.Accepted {
			n++
		}
	}
	if n != accepted {
		t.Fatalf("%d accepted but %d queued", n, accepted)
	}
}

// gate holds every group's transaction open until released, counting the
// changes inside.
type gate struct {
	open    chan struct{}
	inside  atomic.Int64
	failing func([]hubforce.Change) bool
	armed   atomic.Bool
	mu      sync.Mutex
	failed  [][]hubforce.Change
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) hook(ctx context.Context, changes []hubforce.Change) error {
	g.inside.Add(int64(len(changes)))
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	if g.armed.Load() && g.failing(changes) {
		g.mu.Lock()
		g.failed = append(g.failed, changes)
		g.mu.Unlock()
		return errors.New("injected failure")
	}
	return nil
}

func testGroupCommit(t *testing.T, newDB NewDatabase) {
	g := newGate()
	s := Open(t, newDB(t), store.WithCommitters(1), store.WithBeforeCommit(g.hook))
	const callers = 40
	errs := make(chan error, callers+1)
	go func() {
		_, err := s.Ingest(context.Background(), []hubforce.Change{prop("first", "r0", "email", "a", at(1))})
		errs <- err
	}()
	testkit.WaitFor(t, "the first group to be in its transaction", 10*time.Second, func() bool { return g.inside.Load() == 1 })
	for i := range callers {
		go func() {
			_, err := s.Ingest(context.Background(), []hubforce.Change{
				prop(fmt.Sprintf("d%d", i), fmt.Sprintf("r%d", i), "email", "a", at(1))})
			errs <- err
		}()
	}
	testkit.WaitFor(t, "every caller to queue", 10*time.Second, func() bool { return s.Stats().Waiting == callers })
	close(g.open)
	for range callers + 1 {
		if err := <-errs; err != nil {
			t.Fatalf("ingest: %v", err)
		}
	}
	st := s.Stats()
	if st.Changes != callers+1 {
		t.Fatalf("stats count %d changes, want %d", st.Changes, callers+1)
	}
	if st.Commits >= callers/2 {
		t.Fatalf("%d callers took %d commits; want them to share transactions", callers+1, st.Commits)
	}
	t.Logf("%d callers, %d commits", callers+1, st.Commits)
}

func testGroupError(t *testing.T, newDB NewDatabase) {
	g := newGate()
	g.failing = func(cs []hubforce.Change) bool {
		return slices.ContainsFunc(cs, func(c hubforce.Change) bool { return c.RecordID == "poison" })
	}
	g.armed.Store(true)
	s := Open(t, newDB(t), store.WithCommitters(1), store.WithBeforeCommit(g.hook))
	blocked := make(chan error, 1)
	go func() {
		_, err := s.Ingest(context.Background(), []hubforce.Change{prop("blocker", "b", "email", "a", at(1))})
		blocked <- err
	}()
	testkit.WaitFor(t, "the first group to be in its transaction", 10*time.Second, func() bool { return g.inside.Load() == 1 })

	const callers = 10
	batches := make([][]hubforce.Change, callers)
	for i := range batches {
		rec := fmt.Sprintf("r%d", i)
		if i == 3 {
			rec = "poison"
		}
		batches[i] = []hubforce.Change{
			prop(fmt.Sprintf("d%d", i), rec, "email", "a", at(1)),
			prop(fmt.Sprintf("d%d-b", i), rec, "phone", "1", at(1)),
		}
	}
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i, b := range batches {
		wg.Go(func() { _, errs[i] = s.Ingest(context.Background(), b) })
	}
	testkit.WaitFor(t, "every caller to queue", 10*time.Second, func() bool { return s.Stats().Waiting == callers })
	close(g.open)
	wg.Wait()
	if err := <-blocked; err != nil {
		t.Fatalf("first group: %v", err)
	}

	g.armed.Store(false)
	if len(g.failed) != 1 {
		t.Fatalf("%d groups failed, want 1", len(g.failed))
	}
	inFailed := map[string]bool{}
	for _, c := range g.failed[0] {
		inFailed[c.DeliveryID] = true
	}
	if len(inFailed) < 4 {
		t.Fatalf("the failed group held %d changes; want the poison to share it", len(inFailed))
	}
	for i, b := range batches {
		failed := inFailed[b[0].DeliveryID]
		if failed != (errs[i] != nil) {
			t.Fatalf("caller %d: in failed group %v, error %v", i, failed, errs[i])
		}
		want := []hubforce.Decision{dup, dup}
		if failed {
			// Nothing of it was committed: no history, and a redelivery is new.
			if h := history(t, s, hubforce.HubSpot, b[0].RecordID); len(h) != 0 {
				t.Fatalf("caller %d failed but left %d history entries", i, len(h))
			}
			want = []hubforce.Decision{acc, acc}
		}
		wantDecisions(t, ingest(t, s, b...), want...)
	}
}
