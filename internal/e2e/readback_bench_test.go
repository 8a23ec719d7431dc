package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// benchEnv starts a bridge on SQLite for a benchmark.
// The batch linger is the product's default (the harness shortens it for
// the tests). With hold, the bridge's record reads wait while the
// simulator still has Outbound Messages to send, so that a burst is a burst:
// every notification is committed before the reads it causes go out, bar
// the round already in flight (the +1 of the target).
func benchEnv(b *testing.B, hold *atomic.Bool) *Env {
	b.Helper()
	var e *Env
	o := Options{DatabaseURL: "sqlite:" + filepath.Join(b.TempDir(), "bench.db"),
		Env: map[string]string{"HUBFORCE_BATCH_LINGER": "200ms"}}
	if hold != nil {
		o.SalesforceMiddleware = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && hold.Load() {
					for e.Salesforce.OutboundStats().Pending > 0 {
						time.Sleep(2 * time.Millisecond) // polling the simulator's queue
					}
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	var err error
	if e, err = Start(context.Background(), o); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := e.Stop(); err != nil {
			b.Errorf("stopping the bridge: %v", err)
		}
	})
	return e
}

// salesforceReads counts the Salesforce calls that read records: sObject
// Collections retrieval by ids and SOQL queries.
func salesforceReads(e *Env) int {
	c := e.Salesforce.Calls()
	return calls(c, "GET", "/composite/sobjects/{sobject}") + calls(c, "GET", "/query") + calls(c, "GET", "/query/{locator}")
}

// BenchmarkReadBackBurst: a burst of N Salesforce notifications (each a
// trigger, SPEC §3.14) is read back from Salesforce in at most
// ceil(N/200)+1 calls. One op is one burst; sf_reads/op is the figure.
//
//	go test ./internal/e2e -run '^$' -bench ReadBackBurst -benchtime 3x
func BenchmarkReadBackBurst(b *testing.B) {
	const n = 1000
	var hold atomic.Bool
	e := benchEnv(b, &hold)
	var ids []string
	for i := range n {
		id, err := e.Salesforce.Create("Contact", map[string]any{"Email": fmt.Sprintf("rb%04d@example.com", i), "LastName": "ReadBack"}, SalesforceUser)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	waitFor(b, "the contacts in HubSpot", 120*time.Second, func() (bool, error) { return e.HubSpot.Count("contacts") == n, nil })
	settled(b, e)
	worst := 0
	round := 0
	for b.Loop() {
		round++
		title := fmt.Sprintf("Round %d", round)
		b.StopTimer()
		e.Salesforce.ResetCalls()
		hold.Store(true)
		b.StartTimer()
		// As fast as the simulator takes them: its Outbound Messages
		// carry up to 100 notifications each, as Salesforce's do.
		for _, id := range ids {
			if err := e.Salesforce.Update("Contact", id, map[string]any{"Title": title}, SalesforceUser); err != nil {
				b.Fatal(err)
			}
		}
		waitFor(b, "the burst in HubSpot", 120*time.Second, func() (bool, error) {
			for _, r := range e.HubSpot.List("contacts") {
				if r.Properties["jobtitle"] != title {
					return false, nil
				}
			}
			return true, nil
		})
		b.StopTimer()
		hold.Store(false)
		settled(b, e)
		worst = max(worst, salesforceReads(e))
		b.StartTimer()
	}
	b.ReportMetric(float64(worst), "sf_reads/op")
	if limit := (n+199)/200 + 1; worst > limit {
		b.Errorf("a burst of %d notifications took %d Salesforce read calls, more than ceil(%d/200)+1 = %d", n, worst, n, limit)
	}
}

// BenchmarkNotificationToHubSpotLatency is the light-load end-to-end
// latency: one Salesforce edit at a time, from the edit (the Outbound
// Message leaves at once) to the value in HubSpot. ns/op is the figure.
//
//	go test ./internal/e2e -run '^$' -bench NotificationToHubSpotLatency -benchtime 20x
func BenchmarkNotificationToHubSpotLatency(b *testing.B) {
	e := benchEnv(b, nil)
	id, err := e.Salesforce.Create("Contact", map[string]any{"Email": "latency@example.com", "LastName": "Latency"}, SalesforceUser)
	if err != nil {
		b.Fatal(err)
	}
	waitFor(b, "the contact in HubSpot", 30*time.Second, func() (bool, error) { return len(hsContactsByEmail(e, "latency@example.com")) == 1, nil })
	settled(b, e)
	round := 0
	for b.Loop() {
		round++
		title := fmt.Sprintf("Latency %d", round)
		if err := e.Salesforce.Update("Contact", id, map[string]any{"Title": title}, SalesforceUser); err != nil {
			b.Fatal(err)
		}
		for {
			if got := hsContactsByEmail(e, "latency@example.com"); len(got) == 1 && got[0].Properties["jobtitle"] == title {
				break
			}
			time.Sleep(time.Millisecond) // polling the simulator: the measurement's resolution
		}
	}
}
