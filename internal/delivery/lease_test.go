package delivery

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/store"
)

// extendingStore records when the engine extends its leases.
type extendingStore struct {
	Store
	mu      sync.Mutex
	extends []time.Time
}

func (s *extendingStore) Extend(_ context.Context, _ []store.Claimed, lease time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extends = append(s.extends, time.Now())
	return nil
}

func (s *extendingStore) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.extends...)
}

// A round keeps its records for as long as it runs, however long that is,
// with short leases renewed well before they end (a third of the lease), so
// that a crashed process's records come back within one short lease; and it
// stops renewing once it has finished.
func TestRoundRenewsItsShortLeaseUntilItFinishes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &extendingStore{}
		e := &Engine{Store: st, Log: zerolog.Nop(), Config: Config{Lease: 9 * time.Second}}
		start := time.Now()
		stop := e.holdLease(context.Background(), []store.Claimed{{Seq: 1}})
		// A round of 40 s: four times its lease.
		time.Sleep(40 * time.Second)
		stop()
		got := st.times()
		if len(got) != 13 {
			t.Fatalf("renewed %d times in 40 s, want every 3 s: 13", len(got))
		}
		for i, at := range got {
			if gap := at.Sub(start); gap != time.Duration(i+1)*3*time.Second {
				t.Fatalf("renewal %d came %s after the claim, want %s", i+1, gap, time.Duration(i+1)*3*time.Second)
			}
		}
		time.Sleep(time.Minute)
		if n := len(st.times()); n != 13 {
			t.Fatalf("renewed %d times after the round finished", n-13)
		}
	})
}
