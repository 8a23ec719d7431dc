package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/metrics"
	"github.com/hubforce/hubforce/internal/server"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
)

const (
	secret = "test-client-secret"
	orgID  = "00D5g000004XyZaEAK"
)

type fixture struct {
	t       *testing.T
	url     string
	store   store.Store
	metrics *metrics.Metrics
	now     time.Time
}

// openStores yields each real store the tests run on: SQLite always,
// PostgreSQL when HUBFORCE_TEST_POSTGRES_URL is set.
func forEachStore(t *testing.T, run func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) {
		run(t, "sqlite:"+filepath.Join(t.TempDir(), "hubforce.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		run(t, storetest.PostgresSchema(t))
	})
}

func newFixture(t *testing.T, dbURL string, opts ...func(*server.Server)) *fixture {
	t.Helper()
	ctx := context.Background()
	if err := store.Migrate(ctx, dbURL); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{t: t, store: st, metrics: metrics.New(), now: time.Now()}
	srv := &server.Server{
		Log:             zerolog.New(io.Discard),
		Store:           st,
		Metrics:         f.metrics,
		HubSpot:         hubspot.Verifier{ClientSecret: secret, Now: func() time.Time { return f.now }},
		SalesforceOrgID: orgID[:15],
		BodyLimit:       64 << 10,
		Ready:           []server.Check{{Name: "store", Fn: st.Ping}},
	}
	for _, o := range opts {
		o(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// postHubSpot signs body with v3 the way HubSpot does, at timestamp ts.
// HubSpot calls https://host (a TLS-terminating proxy in front keeps the
// Host): that is the URL signed, whatever scheme reaches the server.
func (f *fixture) postHubSpot(body string, ts time.Time, mutate func(*http.Request)) *http.Response {
	f.t.Helper()
	url := f.url + "/webhooks/hubspot"
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	hubspot.SetSignatureV3(req.Header, secret, "https://"+strings.TrimPrefix(url, "http://"), []byte(body), ts)
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func (f *fixture) postSalesforce(body string, contentType string) (*http.Response, string) {
	f.t.Helper()
	resp, err := http.Post(f.url+"/webhooks/salesforce", contentType, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// history waits for the store to digest what it received (acknowledged
// changes are judged just after the acknowledgement) and reads a record's.
func (f *fixture) history(side hubforce.Side, obj hubforce.Object, id string) []store.HistoryEntry {
	f.t.Helper()
	storetest.WaitInboxEmpty(f.t, f.store)
	h, err := f.store.History(context.Background(), side, obj, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func hsEvent(eventID int64, typ string, objectID int64, occurred time.Time, extra string) string {
	return fmt.Sprintf(`{"eventId":%d,"subscriptionId":101,"portalId":62515,"appId":54321,"occurredAt":%d,"subscriptionType":%q,"attemptNumber":0,"objectId":%d,"changeSource":"CRM_UI","sourceId":"userId:7"%s}`,
		eventID, occurred.UnixMilli(), typ, objectID, extra)
}

func TestHubSpotWebhook(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		at := f.now.Add(-time.Minute)
		good := "[" + hsEvent(1, "contact.propertyChange", 501, at, `,"propertyName":"firstname","propertyValue":"Ada"`) + "]"

		t.Run("accepted once, duplicate acknowledged", func(t *testing.T) {
			for i := range 2 {
				if resp := f.postHubSpot(good, f.now, nil); resp.StatusCode/100 != 2 {
					t.Fatalf("delivery %d: status %d", i, resp.StatusCode)
				}
			}
			h := f.history(hubforce.HubSpot, hubforce.Contact, "501")
			if len(h) != 2 || h[0].Decision != hubforce.Accepted || h[1].Decision != hubforce.Duplicate {
				t.Fatalf("history: %+v", h)
			}
		})

		refused := []struct {
			name   string
			body   string
			ts     time.Time
			mutate func(*http.Request)
			status int
		}{
			{"wrong signature", good, f.now, func(r *http.Request) {
				r.Header.Set(hubspot.HeaderSignatureV3, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))
			}, http.StatusUnauthorized},
			{"timestamp older than five minutes", good, f.now.Add(-6 * time.Minute), nil, http.StatusUnauthorized},
			{"no signature", good, f.now, func(r *http.Request) {
				r.Header.Del(hubspot.HeaderSignatureV3)
				r.Header.Del(hubspot.HeaderRequestTimestamp)
			}, http.StatusUnauthorized},
			{"malformed JSON", `[{"eventId":`, f.now, nil, http.StatusBadRequest},
			{"object not array", `{"eventId":1}`, f.now, nil, http.StatusBadRequest},
			{"wrong content type", good, f.now, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, http.StatusBadRequest},
			{"body over the limit", "[" + strings.Repeat(" ", 70<<10) + "]", f.now, nil, http.StatusRequestEntityTooLarge},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				body := strings.Replace(tc.body, `"eventId":1,`, `"eventId":99,`, 1)
				if resp := f.postHubSpot(body, tc.ts, tc.mutate); resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
				if h := f.history(hubforce.HubSpot, hubforce.Contact, "501"); len(h) != 2 {
					t.Fatalf("a refused delivery stored something: %+v", h)
				}
			})
		}

		t.Run("unmapped object acknowledged and counted", func(t *testing.T) {
			body := "[" + hsEvent(7, "deal.creation", 9001, at, "") + "]"
			if resp := f.postHubSpot(body, f.now, nil); resp.StatusCode/100 != 2 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if n := testutil.ToFloat64(f.metrics.Ignored.WithLabelValues("hubspot")); n != 1 {
				t.Fatalf("ignored counter %v, want 1", n)
			}
		})

		t.Run("store unavailable answers 503 and readyz says why", func(t *testing.T) {
			_ = f.store.Close()
			body := "[" + hsEvent(8, "contact.creation", 502, at, "") + "]"
			if resp := f.postHubSpot(body, f.now, nil); resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", resp.StatusCode)
			}
			resp, err := http.Get(f.url + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			var body2 struct {
				Status  string   `json:"status"`
				Reasons []string `json:"reasons"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body2)
			if resp.StatusCode != http.StatusServiceUnavailable || len(body2.Reasons) != 1 || !strings.HasPrefix(body2.Reasons[0], "store:") {
				t.Fatalf("readyz %d %+v", resp.StatusCode, body2)
			}
		})
	})
}

const omTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>%s</OrganizationId>
   <ActionId>04k5g000000TestAAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/66.0/00D5g000004XyZa</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/66.0/00D5g000004XyZa</PartnerUrl>
   <Notification>
    <Id>04l5g00000AbCdEAAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0035g00000XyZaBAAV</sf:Id>
     <sf:LastName>Lovelace</sf:LastName>
     <sf:LastModifiedById>0055g00000OtherAAA</sf:LastModifiedById>
     <sf:SystemModstamp>2026-11-03T17:24:20.000Z</sf:SystemModstamp>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`

func TestSalesforceWebhook(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		stored := func() int { return len(f.history(hubforce.Salesforce, hubforce.Contact, "0035g00000XyZaBAAV")) }

		resp, body := f.postSalesforce(fmt.Sprintf(omTemplate, orgID), "text/xml; charset=utf-8")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<Ack>true</Ack>") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
			t.Fatalf("ack: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if stored() != 1 {
			t.Fatalf("want the notification stored once")
		}

		for _, tc := range []struct{ name, body, ctype string }{
			{"another org", fmt.Sprintf(omTemplate, "00D000000000001AAA"), "text/xml"},
			{"DTD", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>` + fmt.Sprintf(omTemplate, orgID)[len(`<?xml version="1.0" encoding="UTF-8"?>`):], "text/xml"},
			{"malformed XML", `<soapenv:Envelope`, "text/xml"},
			{"wrong content type", fmt.Sprintf(omTemplate, orgID), "application/json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := f.postSalesforce(strings.Replace(tc.body, "04l5g00000AbCdEAAA", "04l5g00000ZzZzZAAA", 1), tc.ctype)
				if resp.StatusCode/100 == 2 || !strings.Contains(body, "Fault") || strings.Contains(body, "<Ack>true</Ack>") {
					t.Fatalf("want a SOAP fault, got %d %q", resp.StatusCode, body)
				}
				if stored() != 1 {
					t.Fatal("a refused message stored something")
				}
			})
		}
	})
}

func TestHealthz(t *testing.T) {
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(f.url + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}
