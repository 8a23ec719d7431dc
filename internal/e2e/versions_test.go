package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/testkit"
)

// Salesforce stores SystemModstamp to the second (SPEC §3.2): these
// invariants hold the simulator's clock so that edits share one, as two
// saves within one second do.

// entry is one line of a record's timeline, as the admin API shows it.
type entry struct {
	DeliveryID string            `json:"delivery_id"`
	Kind       string            `json:"kind"`
	Version    *time.Time        `json:"version"`
	Decision   string            `json:"decision"`
	Detail     string            `json:"detail"`
	Fields     map[string]string `json:"fields"`
}

// timeline reads a record's timeline from the admin API.
func timeline(t *testing.T, e *Env, side, object, id string) []entry {
	t.Helper()
	code, body, err := Get(e.BridgeURLs[0]+"/api/v1/records/"+side+"/"+object+"/"+id, "Authorization", "Bearer e2e-admin-token")
	if err != nil || code != 200 {
		t.Fatalf("timeline of %s %s %s: %d %v %s", side, object, id, code, err, body)
	}
	var v struct {
		Timeline []entry `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("timeline: %v: %s", err, body)
	}
	return v.Timeline
}

// outboundMessages are the timeline's entries received from Salesforce's
// Outbound Messages (not from the reconciliation poll).
func outboundMessages(tl []entry) map[string]entry {
	out := map[string]entry{}
	for _, en := range tl {
		if en.Version != nil && !strings.HasPrefix(en.DeliveryID, "poll/") && !strings.HasPrefix(en.DeliveryID, "backfill/") {
			if _, seen := out[en.DeliveryID]; !seen {
				out[en.DeliveryID] = en
			}
		}
	}
	return out
}

func salesforceWrites(e *Env) int {
	c := e.Salesforce.Calls()
	return calls(c, "POST", "/composite/sobjects") + calls(c, "PATCH", "/composite/sobjects") +
		calls(c, "PATCH", "/sobjects/{sobject}/{id}") + calls(c, "POST", "/sobjects/{sobject}") +
		calls(c, "DELETE", "/composite/sobjects")
}

func hubspotPhone(e *Env, id string) string {
	r, _ := e.HubSpot.Get("contacts", id)
	return r.Properties["phone"]
}

// testTwoEditsInOneSecond: a Salesforce user edits a linked Contact's Phone
// twice within one second. Both Outbound Messages carry the same
// SystemModstamp; the second is not a duplicate, and HubSpot ends with the
// second value.
func testTwoEditsInOneSecond(t *testing.T, e *Env) {
	hsID, sfID := linkedPair(t, e, "same-second@example.com")
	held := e.SalesforceClock.Hold()
	defer e.SalesforceClock.Release()
	if err := e.Salesforce.Update("Contact", sfID, map[string]any{"Phone": "+1 555 0101"}, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first edit to reach HubSpot", 20*time.Second, func() (bool, error) {
		return hubspotPhone(e, hsID) == "+1 555 0101", nil
	})
	if err := e.Salesforce.Update("Contact", sfID, map[string]any{"Phone": "+1 555 0202"}, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second edit of the same second to reach HubSpot", 20*time.Second, func() (bool, error) {
		return hubspotPhone(e, hsID) == "+1 555 0202", nil
	})
	settled(t, e)
	if got := hubspotPhone(e, hsID); got != "+1 555 0202" {
		t.Fatalf("HubSpot phone %q, want the second edit's", got)
	}
	// The two messages, told apart by the phone each carried.
	second := held.UTC().Truncate(time.Second)
	seen := map[string]bool{}
	for id, en := range outboundMessages(timeline(t, e, "salesforce", "contact", sfID)) {
		phone := en.Fields["Phone"]
		if phone != "+1 555 0101" && phone != "+1 555 0202" {
			continue
		}
		seen[phone] = true
		if !en.Version.Equal(second) {
			t.Errorf("Outbound Message %s (Phone %s) carries SystemModstamp %s, want %s", id, phone, en.Version, second)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("want both edits' Outbound Messages in the timeline, got %v", seen)
	}
}

// testOwnWriteSharesASecond: the bridge writes a HubSpot edit to Salesforce
// and, within the same second, a Salesforce user edits the same field.
// Both carry one SystemModstamp: the user's edit reaches HubSpot, the
// bridge's own write does not come back, and each side is written once.
func testOwnWriteSharesASecond(t *testing.T, e *Env) {
	hsID, sfID := linkedPair(t, e, "own-write@example.com")
	e.HubSpot.ResetCalls()
	e.Salesforce.ResetCalls()
	e.SalesforceClock.Hold()
	defer e.SalesforceClock.Release()
	if _, err := e.HubSpot.Update("contacts", hsID, map[string]string{"phone": "+1 555 0303"}, ui); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the HubSpot edit to reach Salesforce", 20*time.Second, func() (bool, error) {
		r, _ := e.Salesforce.Get("Contact", sfID)
		return r["Phone"] == "+1 555 0303", nil
	})
	before, _ := e.Salesforce.Get("Contact", sfID)
	if err := e.Salesforce.Update("Contact", sfID, map[string]any{"Phone": "+1 555 0404"}, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	after, _ := e.Salesforce.Get("Contact", sfID)
	if before["SystemModstamp"] != after["SystemModstamp"] {
		t.Fatalf("the edits did not share a second: %v, %v", before["SystemModstamp"], after["SystemModstamp"])
	}
	if err := testkit.Eventually(t.Context(), 20*time.Second, func() (bool, error) {
		return hubspotPhone(e, hsID) == "+1 555 0404", nil
	}); err != nil {
		t.Fatalf("the user's edit to reach HubSpot: %v; Salesforce timeline: %+v", err, timeline(t, e, "salesforce", "contact", sfID))
	}
	settled(t, e)
	r, _ := e.Salesforce.Get("Contact", sfID)
	if r["Phone"] != "+1 555 0404" || hubspotPhone(e, hsID) != "+1 555 0404" {
		t.Fatalf("the sides disagree: Salesforce %v, HubSpot %q", r["Phone"], hubspotPhone(e, hsID))
	}
	if hw, sw := hubspotWrites(e), salesforceWrites(e); hw != 1 || sw != 1 {
		t.Fatalf("want one write each way (no ping-pong), got %d to HubSpot, %d to Salesforce: %v %v",
			hw, sw, e.HubSpot.Calls(), e.Salesforce.Calls())
	}
}

// testLostSecondEditReconciled: the Outbound Message for the second edit
// of a second is lost for good; the reconciliation poll repairs HubSpot,
// and a save with the same values in the same second writes nothing.
func testLostSecondEditReconciled(t *testing.T, e *Env) {
	hsID, sfID := linkedPair(t, e, "lost-second@example.com")
	e.SalesforceClock.Hold()
	defer e.SalesforceClock.Release()
	if err := e.Salesforce.Update("Contact", sfID, map[string]any{"Phone": "+1 555 0505"}, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first edit to reach HubSpot", 20*time.Second, func() (bool, error) {
		return hubspotPhone(e, hsID) == "+1 555 0505", nil
	})
	settled(t, e)
	e.Salesforce.SetOutboundURL("") // the second edit's message is lost
	if err := e.Salesforce.Update("Contact", sfID, map[string]any{"Phone": "+1 555 0606"}, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the poll to repair the lost second edit", 30*time.Second, func() (bool, error) {
		return hubspotPhone(e, hsID) == "+1 555 0606", nil
	})
	e.Salesforce.SetOutboundURL(e.BridgeURLs[0] + "/webhooks/salesforce")
	settled(t, e)

	// The same values saved again in the same second: an Outbound Message
	// and later polls that carry nothing new.
	e.HubSpot.ResetCalls()
	if err := e.Salesforce.Update("Contact", sfID, map[string]any{"Phone": "+1 555 0606"}, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	polls := calls(e.Salesforce.Calls(), "GET", "/query")
	waitFor(t, "two more reconciliation polls", 30*time.Second, func() (bool, error) {
		return calls(e.Salesforce.Calls(), "GET", "/query") >= polls+4, nil // two objects a poll
	})
	settled(t, e)
	if n := hubspotWrites(e); n != 0 {
		t.Fatalf("a save with the same values wrote to HubSpot (%d write calls): %v", n, e.HubSpot.Calls())
	}
	if got := hubspotPhone(e, hsID); got != "+1 555 0606" {
		t.Fatalf("HubSpot phone %q, want the second edit's", got)
	}
}
