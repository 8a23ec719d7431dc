package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

func TestStatus(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Health = func() []hubforce.Health {
			return []hubforce.Health{
				{To: hubforce.HubSpot, State: hubforce.Failing, Reason: "HTTP 502", Since: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Failures: 7},
				{To: hubforce.Salesforce, State: hubforce.Paused, Reason: "invalid_grant"},
			}
		}
		c.SalesforceUsage = func() (int, int) { return 900, 1000 }
		c.HubSpotBudget = func() (int, int, time.Duration) { return 0, 0, 0 } // not known yet
		c.Checks = []Check{{Name: "salesforce", Fn: func(context.Context) error { return errors.New("refresh refused") }}}
	})
	e.deadLetter(hubforce.HubSpot, "1", "validation")
	e.deadLetter(hubforce.HubSpot, "2", "validation")
	e.deadLetter(hubforce.Salesforce, "003000000000001AAA", "retries_exhausted")
	e.ingest(hubforce.HubSpot, hubforce.Contact, "10", map[string]string{"email": "x@example.com"})
	e.clock = e.clock.Add(90 * time.Second)
	var s Status
	e.get("/api/v1/status", &s)
	to := s.Deliveries.ToSalesforce
	if !s.Store.Reachable || to.QueueDepth != 1 || to.From != hubforce.HubSpot {
		t.Fatalf("status %+v: want the store reachable and 1 change going to Salesforce", s)
	}
	if to.OldestPendingAgeSeconds == nil || *to.OldestPendingAgeSeconds < 89 || *to.OldestPendingAgeSeconds > 120 {
		t.Fatalf("oldest pending age %v, want about 90 s", to.OldestPendingAgeSeconds)
	}
	if to.Paused == nil || *to.Paused != "invalid_grant" || to.State != hubforce.Paused || s.Deliveries.ToHubSpot.Paused != nil {
		t.Fatalf("paused %v / %v: want Salesforce paused for invalid_grant, HubSpot not", to.Paused, s.Deliveries.ToHubSpot.Paused)
	}
	if h := s.Deliveries.ToHubSpot; h.State != hubforce.Failing || h.Reason == nil || *h.Reason != "HTTP 502" || h.Failures != 7 ||
		h.Since == nil || !h.Since.Equal(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("hubspot direction %+v: want failing since 09:00 with 7 failures for HTTP 502", h)
	}
	if s.DryRun {
		t.Fatal("dry_run without serve --dry-run")
	}
	if b := to.Budget; b == nil || b.Used != 900 || b.Limit != 1000 || b.Remaining != 100 || b.Window != "24h" {
		t.Fatalf("salesforce budget %+v", to.Budget)
	}
	if s.Deliveries.ToHubSpot.Budget != nil || s.Deliveries.ToHubSpot.QueueDepth != 0 || s.Deliveries.ToHubSpot.OldestPendingAt != nil {
		t.Fatalf("hubspot direction %+v: want empty, budget unknown", s.Deliveries.ToHubSpot)
	}
	if s.DeadLetters.Total != 3 || s.DeadLetters.ByCategory["validation"] != 2 || s.DeadLetters.ByCategory["retries_exhausted"] != 1 {
		t.Fatalf("dead letters %+v", s.DeadLetters)
	}
	if len(s.Components) != 1 || s.Components[0].Ready || *s.Components[0].Reason != "refresh refused" {
		t.Fatalf("components %+v", s.Components)
	}
}

func TestBudget(t *testing.T) {
	a := &API{cfg: Config{
		HubSpotBudget:   func() (int, int, time.Duration) { return 40, 190, 10 * time.Second },
		SalesforceUsage: func() (int, int) { return 0, 0 },
	}}
	if b := a.budget(hubforce.HubSpot); b == nil || *b != (Budget{Window: "10s", Used: 150, Limit: 190, Remaining: 40}) {
		t.Fatalf("hubspot budget %+v", b)
	}
	if b := a.budget(hubforce.Salesforce); b != nil {
		t.Fatalf("salesforce budget before any call %+v, want unknown", b)
	}
}

func TestStatusWithoutEngineAndInDryRun(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DryRun = true })
	var s Status
	e.get("/api/v1/status", &s)
	if !s.DryRun || s.Deliveries.ToHubSpot.State != StateUnknown || s.Deliveries.ToSalesforce.State != StateUnknown {
		t.Fatalf("status %+v: want dry_run and both directions unknown without an engine", s)
	}
}

func TestListDeadLetters(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		e.deadLetter(hubforce.HubSpot, fmt.Sprint(100+i), "validation")
	}
	e.deadLetter(hubforce.Salesforce, "003000000000001AAA", "retries_exhausted")

	var p deadLetterPage
	e.get("/api/v1/dead-letters?limit=2", &p)
	if len(p.Items) != 2 || p.NextAfter == nil || p.Items[0].Change.RecordID != "100" || p.Items[0].Change.Fields["email"] != "a@example.com" {
		t.Fatalf("first page %+v", p)
	}
	var p2 deadLetterPage
	e.get(fmt.Sprintf("/api/v1/dead-letters?limit=2&after=%d", *p.NextAfter), &p2)
	if len(p2.Items) != 2 || p2.NextAfter != nil || p2.Items[1].Change.Side != hubforce.Salesforce {
		t.Fatalf("second page %+v", p2)
	}
	for query, want := range map[string]int{
		"category=validation":          3,
		"category=retries_exhausted":   1,
		"from=salesforce":              1,
		"from=hubspot&object=contacts": 3,
		"object=Account":               0,
	} {
		var got deadLetterPage
		e.get("/api/v1/dead-letters?"+query, &got)
		if len(got.Items) != want {
			t.Errorf("?%s: %d dead letters, want %d", query, len(got.Items), want)
		}
	}
	for _, query := range []string{"limit=0", "limit=501", "limit=x", "after=-1", "from=zendesk", "object=deal", "category=%3Cscript%3E"} {
		wantError(t, e.do(req{method: http.MethodGet, path: "/api/v1/dead-letters?" + query, auth: testToken}), http.StatusBadRequest, "bad_request")
	}
}

func TestDeadLetterByID(t *testing.T) {
	e := newEnv(t)
	id := e.deadLetter(hubforce.HubSpot, "7", "validation")
	var d deadLetterView
	e.get(fmt.Sprintf("/api/v1/dead-letters/%d", id), &d)
	if d.ID != id || d.Code != "REQUIRED_FIELD_MISSING" || d.Change.RecordID != "7" || d.Attempts != 1 {
		t.Fatalf("dead letter %+v", d)
	}
	wantError(t, e.do(req{method: http.MethodGet, path: "/api/v1/dead-letters/999", auth: testToken}), http.StatusNotFound, "not_found")
	for _, bad := range []string{"abc", "0", "-3", "1.5"} {
		wantError(t, e.do(req{method: http.MethodGet, path: "/api/v1/dead-letters/" + bad, auth: testToken}), http.StatusBadRequest, "bad_request")
	}
}

func TestReplayAndDiscard(t *testing.T) {
	e := newEnv(t)
	replayed := e.deadLetter(hubforce.HubSpot, "7", "validation")
	discarded := e.deadLetter(hubforce.HubSpot, "8", "validation")
	if n := e.pending(hubforce.Salesforce); n != 0 {
		t.Fatalf("pending before replay: %d", n)
	}
	w := e.do(req{method: http.MethodPost, path: fmt.Sprintf("/api/v1/dead-letters/%d/replay", replayed), auth: testToken})
	if w.Code != http.StatusOK {
		t.Fatalf("replay = %d %s", w.Code, w.Body)
	}
	if n := e.pending(hubforce.Salesforce); n != 1 {
		t.Fatalf("pending after replay: %d, want 1", n)
	}
	if _, err := e.st.GetDeadLetter(context.Background(), replayed); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replayed dead letter still there: %v", err)
	}
	w = e.do(req{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/dead-letters/%d", discarded), auth: testToken})
	if w.Code != http.StatusOK {
		t.Fatalf("discard = %d %s", w.Code, w.Body)
	}
	if _, err := e.st.GetDeadLetter(context.Background(), discarded); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("discarded dead letter still there: %v", err)
	}
	if n := e.pending(hubforce.Salesforce); n != 1 {
		t.Fatalf("discard queued something: pending %d", n)
	}
	for _, r := range []req{
		{method: http.MethodPost, path: fmt.Sprintf("/api/v1/dead-letters/%d/replay", replayed)},
		{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/dead-letters/%d", discarded)},
	} {
		r.auth = testToken
		wantError(t, e.do(r), http.StatusNotFound, "not_found")
	}
	wantError(t, e.do(req{method: http.MethodPost, path: "/api/v1/dead-letters/x/replay", auth: testToken}), http.StatusBadRequest, "bad_request")
	wantError(t, e.do(req{method: http.MethodPut, path: "/api/v1/dead-letters/1", auth: testToken}), http.StatusMethodNotAllowed, "method_not_allowed")
}

func TestBulk(t *testing.T) {
	e := newEnv(t)
	e.deadLetter(hubforce.HubSpot, "1", "validation")
	e.deadLetter(hubforce.HubSpot, "2", "validation")
	keep := e.deadLetter(hubforce.HubSpot, "3", "retries_exhausted")

	var res actionResult
	w := e.do(req{method: http.MethodPost, path: "/api/v1/dead-letters/replay", auth: testToken, body: `{"category":"validation"}`})
	if w.Code != http.StatusOK {
		t.Fatalf("bulk replay = %d %s", w.Code, w.Body)
	}
	mustJSON(t, w.Body.Bytes(), &res)
	if res.Count != 2 || e.pending(hubforce.Salesforce) != 2 {
		t.Fatalf("bulk replay %+v, pending %d: want 2 and 2", res, e.pending(hubforce.Salesforce))
	}
	left, err := e.st.DeadLetters(context.Background(), store.DeadLetterFilter{})
	if err != nil || len(left) != 1 || left[0].ID != keep {
		t.Fatalf("left %+v, %v: want only the other category", left, err)
	}
	w = e.do(req{method: http.MethodPost, path: "/api/v1/dead-letters/discard", auth: testToken, body: `{"all":true}`})
	mustJSON(t, w.Body.Bytes(), &res)
	if w.Code != http.StatusOK || res.Count != 1 || res.IDs[0] != keep {
		t.Fatalf("bulk discard = %d %+v", w.Code, res)
	}
	for _, body := range []string{``, `{}`, `{"all":false}`, `{"category":"validation","all":true}`, `{"category":"a b"}`, `{"cat":"x"}`, `[1]`} {
		wantError(t, e.do(req{method: http.MethodPost, path: "/api/v1/dead-letters/replay", auth: testToken, body: body}), http.StatusBadRequest, "bad_request")
	}
}

func TestRecord(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ingest(hubforce.HubSpot, hubforce.Contact, "51", map[string]string{"email": "a@example.com"})
	e.ingest(hubforce.Salesforce, hubforce.Contact, "003000000000051AAA", map[string]string{"Phone": "1"})
	if err := e.st.PutLink(ctx, hubforce.Link{Object: hubforce.Contact, HubSpotID: "51", SalesforceID: "003000000000051AAA"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/records/hubspot/contact/51", "/api/v1/records/hubspot/contacts/51", "/api/v1/records/salesforce/Contact/003000000000051AAA"} {
		var r recordView
		e.get(path, &r)
		if r.Link == nil || r.Link.HubSpotID != "51" || r.Link.SalesforceID != "003000000000051AAA" || r.Object != hubforce.Contact {
			t.Fatalf("%s: link %+v", path, r.Link)
		}
		if len(r.Timeline) != 2 || len(r.Versions) != 1 {
			t.Fatalf("%s: timeline %+v versions %v: want both sides' entries and this record's version", path, r.Timeline, r.Versions)
		}
	}
	var unknown recordView
	e.get("/api/v1/records/hubspot/company/999", &unknown)
	if unknown.Link != nil || len(unknown.Timeline) != 0 || unknown.Versions == nil {
		t.Fatalf("unknown record %+v: want no link, empty timeline", unknown)
	}
	for _, path := range []string{
		"/api/v1/records/zendesk/contact/1", "/api/v1/records/hubspot/deal/1", "/api/v1/records/hubspot/contact/abc",
		"/api/v1/records/salesforce/Account/short", "/api/v1/records/hubspot/contact/%3Cscript%3E",
	} {
		wantError(t, e.do(req{method: http.MethodGet, path: path, auth: testToken}), http.StatusBadRequest, "bad_request")
	}
}

func TestBackfills(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var empty struct{ Items []backfillView }
	e.get("/api/v1/backfills", &empty)
	if empty.Items == nil || len(empty.Items) != 0 {
		t.Fatalf("no backfills: %+v, want an empty list", empty)
	}
	must(t, e.st.SetCheckpoint(ctx, "backfill/hubspot/contact", `{"after":"2026-01-01T00:00:00Z","done":120}`))
	must(t, e.st.SetCheckpoint(ctx, "backfill/salesforce/Account", "0010000000000AAA"))
	must(t, e.st.SetCheckpoint(ctx, "poll/hubspot/contact", "not a backfill"))
	var got struct {
		Items []struct {
			Key, Side, Object string
			State             any
		}
	}
	e.get("/api/v1/backfills", &got)
	if len(got.Items) != 2 {
		t.Fatalf("backfills %+v, want 2", got)
	}
	if st, ok := got.Items[0].State.(map[string]any); !ok || st["done"] != 120.0 || got.Items[0].Object != "contact" {
		t.Fatalf("JSON checkpoint %+v", got.Items[0])
	}
	if got.Items[1].State != "0010000000000AAA" || got.Items[1].Side != "salesforce" || got.Items[1].Object != "company" {
		t.Fatalf("raw checkpoint %+v", got.Items[1])
	}
}
