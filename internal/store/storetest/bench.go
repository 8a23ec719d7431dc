package storetest

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
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
