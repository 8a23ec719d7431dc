package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspot"
)

// TestSecurity attacks the running bridge over loopback, on each store, the
// way issue 9 lists them. Each attack asserts its answer and that nothing is
// lost and nothing written that should not be. HubSpot sends at most 100
// events a request ("Each request can contain up to 100 events", webhooks
// guide); a longer signed batch is still taken whole.
func TestSecurity(t *testing.T) {
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			e, err := Start(context.Background(), Options{DatabaseURL: db.url(t), Env: map[string]string{
				"HUBFORCE_BODY_LIMIT": "65536", "HUBFORCE_READ_HEADER_TIMEOUT": "300ms"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := e.Stop(); err != nil {
					t.Errorf("stopping the bridge: %v", err)
				}
			})
			a := &attacker{t: t, e: e}
			// The first: it also makes sure the bridge has learned its portal.
			t.Run("ForgedNotificationForAnExistingRecordKeepsSalesforcesValues", a.forgedExisting)
			t.Run("ForgedNotificationForAnUnknownIDWritesNothing", a.forgedUnknown)
			t.Run("ForeignPortalAcknowledgedNeverProcessed", a.foreignPortal)
			t.Run("ReplayedV3OutsideTheWindowRefused", a.replayedV3)
			t.Run("V3NeverDowngradedToV1", a.downgrade)
			t.Run("XMLBombsAndDeepNestingRefused", a.xmlBombs)
			t.Run("BatchOf101EventsLosesNothing", a.batch101)
			t.Run("MalformedEventKeptWhileTheRestGoesOn", a.malformedAmongValid)
			t.Run("OversizedSingleEventRefused", a.oversized)
			t.Run("SlowLorisClientDisconnected", a.slowLoris)
		})
	}
}

type attacker struct {
	t *testing.T
	e *Env
}

func (a *attacker) url(path string) string { return a.e.BridgeURLs[0] + path }

func (a *attacker) metric(name string, labels ...string) float64 {
	return MetricValue(metrics(a.t, a.e), name, labels...)
}

// hubspotPost sends body signed with v3 at ts, the way HubSpot does.
func (a *attacker) hubspotPost(body string, ts time.Time, mutate func(*http.Request)) int {
	a.t.Helper()
	u := a.url("/webhooks/hubspot")
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	hubspot.SetSignatureV3(req.Header, HubSpotClientSecret, hubspot.DecodeV3URI(u), []byte(body), ts)
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func (a *attacker) salesforcePost(body string) (int, string) {
	a.t.Helper()
	resp, err := http.Post(a.url("/webhooks/salesforce"), "text/xml", strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var noteSeq int

// outbound is an Outbound Message from this org about one Contact, with
// whatever values its sender invents.
func outbound(recordID string, fields map[string]string) string {
	noteSeq++
	var f strings.Builder
	for k, v := range fields {
		fmt.Fprintf(&f, "<sf:%s>%s</sf:%s>", k, v, k)
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>%s</OrganizationId>
   <Notification><Id>04l5g00000Atk%05d</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>%s</sf:Id>%s<sf:SystemModstamp>%s</sf:SystemModstamp></sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`, SalesforceOrg, noteSeq, recordID, f.String(), time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z"))
}

// unchanged runs attack and checks that HubSpot was not written and that no
// event was taken in.
func (a *attacker) unchanged(attack func()) {
	a.t.Helper()
	settled(a.t, a.e)
	writes, events := hubspotWrites(a.e), a.metric("hubforce_events_received_total")
	attack()
	settled(a.t, a.e)
	if w := hubspotWrites(a.e); w != writes {
		a.t.Errorf("HubSpot written %d times by the attack", w-writes)
	}
	if n := a.metric("hubforce_events_received_total"); n != events {
		a.t.Errorf("%v events taken in from the attack", n-events)
	}
}

func (a *attacker) forgedExisting(t *testing.T) {
	id, err := a.e.Salesforce.Create("Contact", map[string]any{"Email": "grace@example.com", "FirstName": "Grace", "LastName": "Hopper"}, SalesforceUser)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the contact in HubSpot", 30*time.Second, func() (bool, error) {
		return len(hsContactsByEmail(a.e, "grace@example.com")) == 1, nil
	})
	settled(t, a.e)
	code, body := a.salesforcePost(outbound(id, map[string]string{"Email": "grace@example.com", "LastName": "Forged", "FirstName": "Mallory"}))
	if code != http.StatusOK || !strings.Contains(body, "<Ack>true</Ack>") {
		t.Fatalf("a well-formed notification is acknowledged (it is a trigger): %d %s", code, body)
	}
	settled(t, a.e)
	got := hsContactsByEmail(a.e, "grace@example.com")
	if len(got) != 1 || got[0].Properties["lastname"] != "Hopper" || got[0].Properties["firstname"] != "Grace" {
		t.Fatalf("HubSpot holds %+v, want Salesforce's own values (Grace Hopper)", got)
	}
}

func (a *attacker) forgedUnknown(t *testing.T) {
	refused := a.metric("hubforce_deliveries_total", `outcome="refused"`)
	writes := hubspotWrites(a.e)
	contacts := len(a.e.HubSpot.List("contacts"))
	code, _ := a.salesforcePost(outbound("0035g00000Forged1AA", map[string]string{"Email": "evil@example.com", "LastName": "Evil"}))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	settled(t, a.e)
	if w := hubspotWrites(a.e); w != writes || len(a.e.HubSpot.List("contacts")) != contacts {
		t.Fatalf("a notification for an Id the org does not have wrote to HubSpot (%d writes)", w-writes)
	}
	if n := a.metric("hubforce_deliveries_total", `outcome="refused"`); n != refused+1 {
		t.Fatalf("refused deliveries %v, want %v", n, refused+1)
	}
}

func hsEvent(eventID, objectID int64, portal, prop, value string) string {
	return fmt.Sprintf(`{"eventId":%d,"subscriptionId":9,"portalId":%s,"appId":%d,"occurredAt":%d,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":%d,"propertyName":%q,"propertyValue":%q,"changeSource":"CRM_UI","sourceId":"userId:1"}`,
		eventID, portal, HubSpotAppID, time.Now().UnixMilli(), objectID, prop, value)
}

func (a *attacker) foreignPortal(t *testing.T) {
	before := a.metric("hubforce_events_foreign_total", `reason="portal"`)
	a.unchanged(func() {
		body := "[" + hsEvent(9001, 1, "999999", "firstname", "Mallory") + "," + hsEvent(9002, 2, "999999", "firstname", "Mallory") + "]"
		if code := a.hubspotPost(body, time.Now(), nil); code != http.StatusNoContent {
			t.Fatalf("status %d, want 204 so HubSpot does not retry", code)
		}
	})
	if n := a.metric("hubforce_events_foreign_total", `reason="portal"`); n != before+2 {
		t.Fatalf("foreign events counted %v, want %v", n, before+2)
	}
}

func (a *attacker) replayedV3(t *testing.T) {
	a.unchanged(func() {
		if code := a.hubspotPost("["+hsEvent(9101, 1, "62515", "firstname", "Old")+"]", time.Now().Add(-6*time.Minute), nil); code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})
}

func (a *attacker) downgrade(t *testing.T) {
	body := "[" + hsEvent(9201, 1, "62515", "firstname", "Down") + "]"
	a.unchanged(func() {
		code := a.hubspotPost(body, time.Now(), func(r *http.Request) {
			// A valid v1 beside a v3 that does not match: v3 is checked.
			r.Header.Set(hubspot.HeaderSignatureV3, base64.StdEncoding.EncodeToString(make([]byte, 32)))
			r.Header.Set(hubspot.HeaderSignatureVersion, "v1")
			r.Header.Set(hubspot.HeaderSignature, fmt.Sprintf("%x", hubspot.SignV1(HubSpotClientSecret, []byte(body))))
		})
		if code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})
}

func (a *attacker) xmlBombs(t *testing.T) {
	msg := outbound("0035g00000Bomb01AAA", map[string]string{"LastName": "&lol9;"})
	rest := msg[strings.Index(msg, "<soapenv:Envelope"):]
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + rest
	external := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>` + rest
	deep := strings.Replace(msg, "<sf:Id>", strings.Repeat("<sf:Nest>", 5000)+strings.Repeat("</sf:Nest>", 5000)+"<sf:Id>", 1)
	for name, body := range map[string]string{"billion laughs": laughs, "external entity": external, "deep nesting": deep} {
		a.unchanged(func() {
			code, resp := a.salesforcePost(body)
			if code/100 == 2 || !strings.Contains(resp, "Fault") || strings.Contains(resp, "root:") {
				t.Errorf("%s: %d %q, want a SOAP fault", name, code, resp)
			}
		})
	}
	if code, _, err := Get(a.url("/healthz")); err != nil || code != http.StatusOK {
		t.Fatalf("the server after the bombs: %d %v", code, err)
	}
}

func (a *attacker) batch101(t *testing.T) {
	settled(t, a.e)
	events := a.metric("hubforce_events_received_total")
	var parts []string
	for i := range 101 {
		parts = append(parts, hsEvent(int64(9300+i), int64(880000+i), "62515", "firstname", "Batch"))
	}
	if code := a.hubspotPost("["+strings.Join(parts, ",")+"]", time.Now(), nil); code != http.StatusNoContent {
		t.Fatalf("status %d, want 204: all 101 are signed and valid", code)
	}
	if n := a.metric("hubforce_events_received_total"); n != events+101 {
		t.Fatalf("%v events taken in, want 101", n-events)
	}
	settled(t, a.e)
}

func (a *attacker) malformedAmongValid(t *testing.T) {
	settled(t, a.e)
	events := a.metric("hubforce_events_received_total")
	bad := `{"eventId":"oops","portalId":62515,"subscriptionType":"contact.propertyChange","objectId":5}`
	body := "[" + hsEvent(9501, 870001, "62515", "firstname", "A") + "," + bad + "," + hsEvent(9502, 870002, "62515", "firstname", "B") + "]"
	if code := a.hubspotPost(body, time.Now(), nil); code != http.StatusNoContent {
		t.Fatalf("status %d, want 204", code)
	}
	if n := a.metric("hubforce_events_received_total"); n != events+2 {
		t.Fatalf("%v valid events taken in, want 2", n-events)
	}
	var list string
	waitFor(t, "the malformed dead letter", 30*time.Second, func() (bool, error) {
		_, b, err := Get(a.url("/api/v1/dead-letters?category=malformed"), "Authorization", "Bearer e2e-admin-token")
		list = b
		return strings.Contains(b, `\"eventId\":\"oops\"`), err
	})
	id := jsonField(list, "id")
	code, page, err := Get(a.url("/dashboard/dead-letters/"+id), "Authorization", "Bearer e2e-admin-token")
	if err != nil || code != http.StatusOK || !strings.Contains(page, "&#34;eventId&#34;:&#34;oops&#34;") {
		t.Fatalf("the dashboard's dead-letter page: %d %v, want the raw event", code, err)
	}
	code, resp, err := Post(a.url("/api/v1/dead-letters/"+id+"/replay"), "", "Authorization", "Bearer e2e-admin-token")
	if err != nil || code != http.StatusConflict || !strings.Contains(resp, "cannot be replayed") {
		t.Fatalf("replaying it: %d %s %v", code, resp, err)
	}
}

func (a *attacker) oversized(t *testing.T) {
	a.unchanged(func() {
		body := "[" + hsEvent(9601, 1, "62515", "firstname", strings.Repeat("x", 70<<10)) + "]"
		if code := a.hubspotPost(body, time.Now(), nil); code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", code)
		}
	})
}

func (a *attacker) slowLoris(t *testing.T) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(a.e.BridgeURLs[0], "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	// Headers that never end: the server must hang up, not wait.
	if _, err := io.WriteString(conn, "POST /webhooks/hubspot HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"); err != nil {
		t.Fatal(err)
	}
	// A bound for the test, far above HUBFORCE_READ_HEADER_TIMEOUT.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a slow client's connection open")
	}
	if strings.Contains(line, " 2") {
		t.Fatalf("a request with unfinished headers was answered %q", line)
	}
}
