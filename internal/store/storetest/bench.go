package storetest

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// BenchIngest measures Ingest throughput with many concurrent callers, each
// call carrying batch changes to distinct records (as a webhook request
// does), and reports changes/s and how many changes shared one commit.
func BenchIngest(b *testing.B, newDB NewDatabase, callers, batch int) {
	s := Open(b, newDB(b))
	var calls atomic.Int64
	ctx := context.Background()
	b.SetParallelism(max(1, callers/max(1, runtime.GOMAXPROCS(0))))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call := calls.Add(1)
			changes := make([]hubforce.Change, batch)
			for i := range changes {
				id := fmt.Sprintf("%d-%d", call, i)
				changes[i] = prop("1/2/"+id, "r"+id, "email", id+"@example.com", at(i))
			}
			if _, err := s.Ingest(ctx, changes); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(calls.Load()*int64(batch))/elapsed.Seconds(), "changes/s")
	if st.Commits > 0 {
		b.ReportMetric(float64(st.Changes)/float64(st.Commits), "changes/commit")
	}
}

// BenchReceive measures the acknowledgement path alone: concurrent Receive
// calls of batch changes each (a webhook request), while the store digests
// in the background. It reports calls/s, the p99 latency of a call, how many
// calls shared one commit and how many calls were digested meanwhile.
func BenchReceive(b *testing.B, newDB NewDatabase, callers, batch int) {
	// The backlog left at the end is digested by Close, untimed.
	s := Open(b, newDB(b), store.WithDrainTimeout(10*time.Minute))
	var calls atomic.Int64
	ctx := context.Background()
	b.SetParallelism(max(1, callers/max(1, runtime.GOMAXPROCS(0))))
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			call := calls.Add(1)
			changes := make([]hubforce.Change, batch)
			for i := range changes {
				id := fmt.Sprintf("%d-%d", call, i)
				changes[i] = prop("1/2/"+id, "r"+id, "email", id+"@example.com", at(i))
			}
			t0 := time.Now()
			if err := s.Receive(ctx, changes); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(calls.Load())/elapsed.Seconds(), "calls/s")
	if st.Commits > 0 {
		b.ReportMetric(float64(st.Changes)/float64(st.Commits)/float64(batch), "calls/commit")
	}
	b.ReportMetric(float64(st.Digested)/float64(max(1, calls.Load())), "digested/received")
	if len(latencies) > 0 {
		slices.Sort(latencies)
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}
