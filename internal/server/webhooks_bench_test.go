package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/metrics"
	"github.com/hubforce/hubforce/internal/server"
	"github.com/hubforce/hubforce/internal/store"
)

// BenchmarkHubSpotWebhook measures the acknowledgement path the way
// cmd/hubforce-bench drives it (signed batches of ten property changes),
// in-process and on a real SQLite store, so a CPU profile shows the
// handler's own costs: go test -bench HubSpotWebhook -cpuprofile cpu.out.
func BenchmarkHubSpotWebhook(b *testing.B) {
	ctx := context.Background()
	dbURL := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	if err := store.Migrate(ctx, dbURL); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	now := time.Now()
	srv := &server.Server{
		Log:       zerolog.New(io.Discard),
		Store:     st,
		Metrics:   metrics.New(),
		HubSpot:   hubspot.Verifier{ClientSecret: secret, Now: func() time.Time { return now }},
		BodyLimit: 64 << 10,
	}
	h := srv.Handler()
	const url = "https://hubforce.test/webhooks/hubspot"
	var seq atomic.Int64
	b.ReportAllocs()
	// 32 goroutines per core: the bench's 64 connections on two cores, so
	// the store's group commit sees the same concurrency.
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			first := seq.Add(10)
			buf.Reset()
			buf.WriteByte('[')
			for i := range int64(10) {
				if i > 0 {
					buf.WriteByte(',')
				}
				fmt.Fprintf(&buf, `{"eventId":%d,"subscriptionId":7,"portalId":62515,"appId":1,"occurredAt":%d,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":%d,"propertyName":"jobtitle","propertyValue":"Engineer %d","changeSource":"CRM_UI","sourceId":"userId:1"}`,
					first+i, now.UnixMilli(), 1000+(first+i)%5000, first+i)
			}
			buf.WriteByte(']')
			body := buf.Bytes()
			req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			hubspot.SetSignatureV3(req.Header, secret, url, body, now)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
