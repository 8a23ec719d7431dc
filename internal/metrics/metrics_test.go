package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

// The exposition carries the series SPEC §2 names, labelled by route
// pattern and side, never by a raw path or a record id.
func TestExposition(t *testing.T) {
	m := New()
	m.EventsIn.WithLabelValues("hubspot", "contact").Inc()
	m.Decisions.WithLabelValues("hubspot", "duplicate").Inc()
	m.Delivery.Delivered(hubforce.Salesforce, "applied", 3)
	m.Delivery.Lag(hubforce.Salesforce, 120*time.Millisecond)
	m.Delivery.QueueDepth(hubforce.HubSpot, 7)
	m.Delivery.OnCall(hubforce.HubSpot)("POST /crm/v3/objects/{type}/batch/read", 200, 30*time.Millisecond)
	m.WatchBudgets(func() (int, int, time.Duration) { return 60, 100, 10 * time.Second }, func() (int, int) { return 1200, 15000 })
	m.WatchInbox(func() (int64, error) { return 2, nil })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`hubforce_events_received_total{object="contact",side="hubspot"} 1`,
		`hubforce_event_decisions_total{decision="duplicate",side="hubspot"} 1`,
		`hubforce_deliveries_total{outcome="applied",to="salesforce"} 3`,
		`hubforce_delivery_lag_seconds_count{to="salesforce"} 1`,
		`hubforce_queue_depth{to="hubspot"} 7`,
		`hubforce_api_calls_total{code="200",route="POST /crm/v3/objects/{type}/batch/read",side="hubspot"} 1`,
		`hubforce_api_budget{kind="remaining",side="hubspot"} 60`,
		`hubforce_api_budget{kind="used",side="salesforce"} 1200`,
		`hubforce_inbox_depth 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
}
