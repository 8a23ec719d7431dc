package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hubforce/hubforce"
)

func TestOperateSeries(t *testing.T) {
	m := New()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	since := now.Add(-time.Minute)
	m.WatchHealth(func() []hubforce.Health {
		return []hubforce.Health{
			{To: hubforce.HubSpot, State: hubforce.Flowing, Since: since},
			{To: hubforce.Salesforce, State: hubforce.Paused, Reason: "invalid_grant", Since: since},
		}
	})
	var dlErr error
	m.WatchStore(StoreReader{
		Oldest: func(_ context.Context, to hubforce.Side) (time.Time, error) {
			if to == hubforce.Salesforce {
				return now.Add(-90 * time.Second), nil
			}
			return time.Time{}, nil
		},
		DeadLetters: func(context.Context) (map[string]int64, error) {
			return map[string]int64{"validation": 3, "auth": 1}, dlErr
		},
		Now: func() time.Time { return now },
	})
	m.WatchBudgetShares(func() (int, int, time.Duration) { return 40, 200, 10 * time.Second }, func() (int, int) { return 900, 1000 }, 0.75, 0.9)
	m.WebhookReceived(hubforce.HubSpot, now)

	want := `
# HELP hubforce_delivery_state Deliveries to a side: 1 for the state they are in (flowing, failing: writes keep failing and are retried, paused: held until something is fixed), 0 for the others.
# TYPE hubforce_delivery_state gauge
hubforce_delivery_state{state="failing",to="hubspot"} 0
hubforce_delivery_state{state="failing",to="salesforce"} 0
hubforce_delivery_state{state="flowing",to="hubspot"} 1
hubforce_delivery_state{state="flowing",to="salesforce"} 0
hubforce_delivery_state{state="paused",to="hubspot"} 0
hubforce_delivery_state{state="paused",to="salesforce"} 1
# HELP hubforce_oldest_pending_age_seconds Age of the oldest change waiting to be delivered to a side (0 when none waits).
# TYPE hubforce_oldest_pending_age_seconds gauge
hubforce_oldest_pending_age_seconds{to="hubspot"} 0
hubforce_oldest_pending_age_seconds{to="salesforce"} 90
# HELP hubforce_dead_letters Dead letters waiting for an operator, by category.
# TYPE hubforce_dead_letters gauge
hubforce_dead_letters{category="auth"} 1
hubforce_dead_letters{category="retries_exhausted"} 0
hubforce_dead_letters{category="validation"} 3
# HELP hubforce_api_budget_share Share (0..1) of an API's budget in use: Salesforce's daily limit, HubSpot's current rate-limit window. 0 until a response said.
# TYPE hubforce_api_budget_share gauge
hubforce_api_budget_share{side="hubspot"} 0.8
hubforce_api_budget_share{side="salesforce"} 0.9
# HELP hubforce_api_budget_share_threshold Configured share of Salesforce's daily limit past which deliveries slow down (kind=slow, HUBFORCE_SALESFORCE_BUDGET_SHARE) and pause (kind=pause, HUBFORCE_SALESFORCE_BUDGET_PAUSE).
# TYPE hubforce_api_budget_share_threshold gauge
hubforce_api_budget_share_threshold{kind="pause",side="salesforce"} 0.9
hubforce_api_budget_share_threshold{kind="slow",side="salesforce"} 0.75
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want),
		"hubforce_delivery_state", "hubforce_oldest_pending_age_seconds", "hubforce_dead_letters",
		"hubforce_api_budget_share", "hubforce_api_budget_share_threshold"); err != nil {
		t.Fatal(err)
	}
	if v := testutil.ToFloat64(m.LastWebhook.WithLabelValues("hubspot")); v != float64(now.Unix()) {
		t.Fatalf("last webhook %v", v)
	}
	// Before any event, the counters the alert rules rate() already exist.
	if n := testutil.CollectAndCount(m.Delivery.Deliveries); n != 16 {
		t.Fatalf("%d deliveries series at start, want 2 sides × 8 outcomes", n)
	}
	// A failed store read leaves the series out and is counted.
	dlErr = errors.New("down")
	if n, err := testutil.GatherAndCount(m.Registry, "hubforce_dead_letters"); err != nil || n != 0 {
		t.Fatalf("dead letters after a failed read: %d series, %v", n, err)
	}
	if n, _ := testutil.GatherAndCount(m.Registry, "hubforce_store_read_errors_total"); n != 1 {
		t.Fatal("store read errors not exported")
	}
}
