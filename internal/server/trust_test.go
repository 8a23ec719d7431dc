package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/server"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
)

// syncBuffer collects log lines written from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// deadLetters lists every dead letter once the inbox is digested.
func (f *fixture) deadLetters(category string) []store.DeadLetter {
	f.t.Helper()
	storetest.WaitInboxEmpty(f.t, f.store)
	dls, err := f.store.DeadLetters(context.Background(), store.DeadLetterFilter{Category: category})
	if err != nil {
		f.t.Fatal(err)
	}
	return dls
}

func TestOneMalformedHubSpotEventNeverSinksItsBatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		at := f.now.Add(-time.Minute)
		bad := `{"eventId":"not a number","portalId":62515,"subscriptionType":"contact.creation","objectId":777}`
		body := "[" + hsEvent(1, "contact.creation", 601, at, "") + ",\n " + bad + ", " + hsEvent(2, "contact.creation", 602, at, "") + "]"
		if resp := f.postHubSpot(body, f.now, nil); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d, want 204: the valid events must be acknowledged", resp.StatusCode)
		}
		for _, id := range []string{"601", "602"} {
			if h := f.history(hubforce.HubSpot, hubforce.Contact, id); len(h) != 1 || h[0].Decision != hubforce.Accepted {
				t.Fatalf("record %s: history %+v, want accepted", id, h)
			}
		}
		dls := f.deadLetters(store.MalformedCategory)
		if len(dls) != 1 {
			t.Fatalf("%d malformed dead letters, want 1", len(dls))
		}
		d := dls[0]
		if d.Change.Raw != bad || d.Change.Kind != hubforce.KindMalformed || d.Change.Side != hubforce.HubSpot || !strings.Contains(d.Failure.Message, "event 1") {
			t.Fatalf("dead letter %+v, want the event verbatim", d)
		}
		if n := testutil.ToFloat64(f.metrics.Malformed.WithLabelValues("hubspot")); n != 1 {
			t.Fatalf("malformed counter %v, want 1", n)
		}
		if err := f.store.ReplayDeadLetter(context.Background(), d.ID); !errors.Is(err, store.ErrNotReplayable) {
			t.Fatalf("replaying a malformed delivery: %v, want ErrNotReplayable", err)
		}
		if len(f.deadLetters(store.MalformedCategory)) != 1 {
			t.Fatal("a refused replay lost the dead letter")
		}

		t.Run("a body that is not JSON at all is refused whole", func(t *testing.T) {
			if resp := f.postHubSpot("["+hsEvent(3, "contact.creation", 603, at, "")+", {", f.now, nil); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			if h := f.history(hubforce.HubSpot, hubforce.Contact, "603"); len(h) != 0 {
				t.Fatalf("a refused body stored %+v", h)
			}
		})
	})
}

func TestOneUnreadableSalesforceNotificationNeverSinksItsMessage(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		bad := `<Notification>
    <Id>04l5g00000BadBAAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0035g00000XyZaCAAV</sf:Id>
     <sf:SystemModstamp>yesterday</sf:SystemModstamp>
    </sObject>
   </Notification>`
		msg := strings.Replace(fmt.Sprintf(omTemplate, orgID), "  </notifications>", "   "+bad+"\n  </notifications>", 1)
		resp, body := f.postSalesforce(msg, "text/xml")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<Ack>true</Ack>") {
			t.Fatalf("want an ack for the readable notification, got %d %q", resp.StatusCode, body)
		}
		if h := f.history(hubforce.Salesforce, hubforce.Contact, "0035g00000XyZaBAAV"); len(h) != 1 {
			t.Fatalf("the readable notification: history %+v", h)
		}
		dls := f.deadLetters(store.MalformedCategory)
		if len(dls) != 1 || dls[0].Change.Raw != bad || !strings.Contains(dls[0].Failure.Message, "SystemModstamp") {
			t.Fatalf("dead letters %+v, want the notification verbatim", dls)
		}
	})
}

func TestForeignPortalAndAppAcknowledgedCountedNeverProcessed(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		logs := &syncBuffer{}
		f := newFixture(t, dbURL, func(s *server.Server) {
			s.Log = zerolog.New(logs)
			s.HubSpotScope = &server.HubSpotScope{Portal: func() int64 { return 62515 }, AppID: 54321}
		})
		at := f.now.Add(-time.Minute)
		foreign := func(id int64, portal, app string) string {
			e := hsEvent(id, "contact.propertyChange", 700+id, at, `,"propertyName":"firstname","propertyValue":"Mallory"`)
			return strings.Replace(strings.Replace(e, `"portalId":62515`, `"portalId":`+portal, 1), `"appId":54321`, `"appId":`+app, 1)
		}
		own := hsEvent(10, "contact.propertyChange", 710, at, `,"propertyName":"firstname","propertyValue":"Ada"`)
		for i, body := range []string{
			"[" + foreign(1, "999999", "54321") + "," + foreign(2, "999999", "54321") + "," + own + "]",
			"[" + foreign(3, "999999", "54321") + "," + foreign(4, "62515", "1") + "]",
		} {
			if resp := f.postHubSpot(body, f.now, nil); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("request %d: status %d, want 204 (HubSpot must not retry)", i, resp.StatusCode)
			}
		}
		for id := int64(1); id <= 4; id++ {
			if h := f.history(hubforce.HubSpot, hubforce.Contact, fmt.Sprint(700+id)); len(h) != 0 {
				t.Fatalf("foreign event %d was processed: %+v", id, h)
			}
		}
		if h := f.history(hubforce.HubSpot, hubforce.Contact, "710"); len(h) != 1 {
			t.Fatalf("the portal's own event beside them: %+v", h)
		}
		if n := testutil.ToFloat64(f.metrics.Foreign.WithLabelValues("hubspot", "portal")); n != 3 {
			t.Fatalf("foreign portal counter %v, want 3", n)
		}
		if n := testutil.ToFloat64(f.metrics.Foreign.WithLabelValues("hubspot", "app")); n != 1 {
			t.Fatalf("foreign app counter %v, want 1", n)
		}
		if n := strings.Count(logs.String(), `"portal":999999`); n != 1 {
			t.Fatalf("portal 999999 logged %d times, want once:\n%s", n, logs)
		}
	})
}
