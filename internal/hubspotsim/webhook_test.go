package hubspotsim_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/simfault"
	"github.com/hubforce/hubforce/internal/testkit"
)

func hookConfig(rc *receiver) hubspotsim.Config {
	return hubspotsim.Config{WebhookURL: rc.srv.URL + "/webhooks/hubspot", WebhookLinger: 5 * time.Millisecond,
		AppID: 777, PortalID: 62515, RetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func TestWebhookEventsFromWrites(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, hookConfig(rc))
	c := createContact(t, h, map[string]string{"email": "w@example.com", "firstname": "Ann"})
	id := c["id"].(string)
	if _, err := h.sim.Update("contacts", id, map[string]string{"firstname": "Bea"}, hubspotsim.UI(42)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, h.sim)
	evs := rc.events()
	if len(evs) != 4 {
		t.Fatalf("got %d events, want creation + 2 propertyChange + 1 propertyChange: %v", len(evs), evs)
	}
	created, _ := time.Parse(time.RFC3339, c["createdAt"].(string))
	cr := eventsOfType(evs, "contact.creation")
	if len(cr) != 1 || cr[0]["changeFlag"] != "CREATED" || cr[0]["changeSource"] != "INTEGRATION" || cr[0]["sourceId"] != "777" ||
		fmt.Sprint(num(cr[0]["objectId"])) != id || num(cr[0]["occurredAt"]) != created.UnixMilli() ||
		num(cr[0]["portalId"]) != 62515 || num(cr[0]["appId"]) != 777 || num(cr[0]["attemptNumber"]) != 0 {
		t.Errorf("creation event = %v", cr)
	}
	subs := map[string]int64{}
	for _, e := range eventsOfType(evs, "contact.propertyChange") {
		key := fmt.Sprint(e["propertyName"], "/", e["changeSource"], "/", e["sourceId"], "/", e["propertyValue"])
		subs[key] = num(e["subscriptionId"])
		if e["propertyName"] == "lastmodifieddate" || e["propertyName"] == "hs_lastmodifieddate" {
			t.Errorf("propertyChange for %v", e["propertyName"])
		}
	}
	for _, want := range []string{"email/INTEGRATION/777/w@example.com", "firstname/INTEGRATION/777/Ann", "firstname/CRM_UI/userId:42/Bea"} {
		if _, ok := subs[want]; !ok {
			t.Errorf("missing propertyChange %s in %v", want, subs)
		}
	}
	if subs["firstname/INTEGRATION/777/Ann"] != subs["firstname/CRM_UI/userId:42/Bea"] || subs["email/INTEGRATION/777/w@example.com"] == subs["firstname/CRM_UI/userId:42/Bea"] {
		t.Errorf("subscription ids should be per type and property: %v", subs)
	}
	for _, r := range rc.requests() {
		if r.header.Get("Content-Type") != "application/json" || r.url != "/webhooks/hubspot" {
			t.Errorf("request %s %s", r.url, r.header.Get("Content-Type"))
		}
	}
}

func TestWebhookKindsAndExtraFields(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, hookConfig(rc))
	ui := hubspotsim.UI(5)
	a, _ := h.sim.Create("contacts", map[string]string{"email": "a@example.com"}, ui)
	b, _ := h.sim.Create("contacts", map[string]string{"email": "b@example.com", "city": "X"}, ui)
	co, _ := h.sim.Create("companies", map[string]string{"name": "Acme", "domain": "acme.com"}, ui)
	steps := []error{
		h.sim.Associate(a.ID, co.ID, ui),
		h.sim.Merge("contacts", a.ID, b.ID, ui),
		h.sim.Archive("companies", co.ID, ui),
		h.sim.Restore("companies", co.ID, ui),
		h.sim.PrivacyDelete(a.ID, ui),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	waitIdle(t, h.sim)
	evs := rc.events()
	assoc := eventsOfType(evs, "contact.associationChange")
	if len(assoc) != 2 || assoc[0]["associationType"] != "CONTACT_TO_COMPANY" || fmt.Sprint(num(assoc[0]["fromObjectId"])) != a.ID ||
		fmt.Sprint(num(assoc[0]["toObjectId"])) != co.ID || assoc[0]["associationRemoved"] != false || assoc[0]["objectId"] != nil {
		t.Errorf("contact.associationChange = %v", assoc)
	}
	if n := len(eventsOfType(evs, "company.associationChange")); n != 2 {
		t.Errorf("company.associationChange count = %d", n)
	}
	m := eventsOfType(evs, "contact.merge")
	if len(m) != 1 || fmt.Sprint(num(m[0]["primaryObjectId"])) != a.ID || fmt.Sprint(m[0]["mergedObjectIds"]) != "["+b.ID+"]" ||
		m[0]["numberOfPropertiesMoved"] != float64(1) || fmt.Sprint(num(m[0]["newObjectId"])) != a.ID {
		t.Errorf("merge = %v", m)
	}
	del := eventsOfType(evs, "company.deletion")
	if len(del) != 1 || del[0]["changeFlag"] != "DELETED" {
		t.Errorf("company.deletion = %v", del)
	}
	if len(eventsOfType(evs, "company.restore")) != 1 || len(eventsOfType(evs, "contact.privacyDeletion")) != 1 ||
		len(eventsOfType(evs, "contact.deletion")) != 1 {
		t.Errorf("restore/privacyDeletion/deletion missing: %v", evs)
	}
}

func TestWebhookBatchesAtMost100(t *testing.T) {
	rc := newReceiver(t, nil)
	cfg := hookConfig(rc)
	cfg.Subscriptions = []string{"contact.creation"}
	h := newHarness(t, cfg)
	for i := range 250 {
		if _, err := h.sim.Create("contacts", map[string]string{"email": fmt.Sprintf("b%d@example.com", i)}, hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, h.sim)
	seen := map[int64]bool{}
	for _, r := range rc.requests() {
		if len(r.events) == 0 || len(r.events) > 100 {
			t.Errorf("batch of %d events", len(r.events))
		}
		for _, e := range r.events {
			seen[num(e["eventId"])] = true
		}
	}
	if len(seen) != 250 {
		t.Errorf("delivered %d distinct events, want 250", len(seen))
	}
	if st := h.sim.DeliveryStats(); st.Sent != len(rc.requests()) || st.Failed != 0 {
		t.Errorf("stats = %+v for %d requests", st, len(rc.requests()))
	}
}

func TestWebhookRetriesAndDrop(t *testing.T) {
	tests := []struct {
		name        string
		reply       func(n int) int
		wantAttempt []int64
		wantStats   hubspotsim.DeliveryStats
	}{
		{"succeeds on third attempt", func(n int) int {
			if n < 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		}, []int64{0, 1, 2}, hubspotsim.DeliveryStats{Sent: 1, Failed: 2}},
		{"4xx is retried too", func(n int) int {
			if n == 0 {
				return http.StatusUnauthorized
			}
			return http.StatusNoContent
		}, []int64{0, 1}, hubspotsim.DeliveryStats{Sent: 1, Failed: 1}},
		{"dropped after the last retry", func(int) int { return http.StatusServiceUnavailable },
			[]int64{0, 1, 2, 3}, hubspotsim.DeliveryStats{Failed: 4, Dropped: 1, DroppedEvents: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, tc.reply)
			cfg := hookConfig(rc)
			cfg.Subscriptions = []string{"company.creation"}
			h := newHarness(t, cfg)
			if _, err := h.sim.Create("companies", map[string]string{"name": "R"}, hubspotsim.UI(1)); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, h.sim)
			var attempts []int64
			var eventIDs []int64
			for _, r := range rc.requests() {
				attempts = append(attempts, num(r.events[0]["attemptNumber"]))
				eventIDs = append(eventIDs, num(r.events[0]["eventId"]))
			}
			if fmt.Sprint(attempts) != fmt.Sprint(tc.wantAttempt) {
				t.Errorf("attemptNumbers = %v, want %v", attempts, tc.wantAttempt)
			}
			for _, id := range eventIDs {
				if id != eventIDs[0] {
					t.Errorf("retry changed eventId: %v", eventIDs)
				}
			}
			if st := h.sim.DeliveryStats(); st != tc.wantStats {
				t.Errorf("stats = %+v, want %+v", st, tc.wantStats)
			}
		})
	}
}

func TestWebhookTimeoutIsAFailure(t *testing.T) {
	// The first request is never answered; the client must give up.
	rc := newReceiverFunc(t, nil, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	cfg := hookConfig(rc)
	cfg.WebhookTimeout = 50 * time.Millisecond
	cfg.Subscriptions = []string{"contact.creation"}
	h := newHarness(t, cfg)
	if _, err := h.sim.Create("contacts", map[string]string{"email": "t@example.com"}, hubspotsim.UI(1)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, h.sim)
	if st := h.sim.DeliveryStats(); st.Failed != 1 || st.Sent != 1 || len(rc.requests()) != 2 {
		t.Errorf("stats = %+v after %d calls", st, len(rc.requests()))
	}
}

func TestWebhookDuplicateFault(t *testing.T) {
	rc := newReceiver(t, nil)
	cfg := hookConfig(rc)
	cfg.Subscriptions = []string{"contact.creation"}
	cfg.Faults = &simfault.Injector{}
	cfg.Faults.Set(simfault.Plan{DuplicateDeliveries: 1})
	h := newHarness(t, cfg)
	if _, err := h.sim.Create("contacts", map[string]string{"email": "d@example.com"}, hubspotsim.UI(1)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, h.sim)
	reqs := rc.requests()
	if len(reqs) != 2 || string(reqs[0].body) != string(reqs[1].body) {
		t.Errorf("duplicate fault sent %d requests", len(reqs))
	}
}

func TestWebhookMaxConcurrent(t *testing.T) {
	release := make(chan struct{})
	var inflight, peak atomic.Int32
	rc := newReceiverFunc(t, nil, func(w http.ResponseWriter, r *http.Request, _ int) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inflight.Add(-1)
	})
	cfg := hookConfig(rc)
	cfg.MaxConcurrent = 2
	cfg.Subscriptions = []string{"contact.creation"}
	h := newHarness(t, cfg)
	for i := range 500 {
		if _, err := h.sim.Create("contacts", map[string]string{"email": fmt.Sprintf("m%d@example.com", i)}, hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	testkit.WaitFor(t, "two deliveries in flight", 5*time.Second, func() bool { return inflight.Load() == 2 })
	close(release)
	waitIdle(t, h.sim)
	if peak.Load() != 2 {
		t.Errorf("peak in flight = %d, want 2", peak.Load())
	}
	if st, n := h.sim.DeliveryStats(), len(rc.requests()); st.Sent != n || n < 5 || len(rc.events()) != 500 {
		t.Errorf("stats = %+v for %d requests carrying %d events", st, n, len(rc.events()))
	}
}

func TestWebhookReorderDeliversEverything(t *testing.T) {
	rc := newReceiver(t, nil)
	cfg := hookConfig(rc)
	cfg.Subscriptions = []string{"contact.creation"}
	cfg.MaxConcurrent = 1
	cfg.WebhookURL = ""
	cfg.Faults = &simfault.Injector{}
	cfg.Faults.Set(simfault.Plan{Reorder: true})
	h := newHarness(t, cfg)
	h.sim.SetWebhookURL(rc.srv.URL)
	for i := range 450 {
		if _, err := h.sim.Create("contacts", map[string]string{"email": fmt.Sprintf("o%d@example.com", i)}, hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, h.sim)
	seen := map[int64]bool{}
	for _, e := range rc.events() {
		seen[num(e["objectId"])] = true
	}
	if len(seen) != 450 {
		t.Errorf("delivered %d distinct objects, want 450", len(seen))
	}
}
