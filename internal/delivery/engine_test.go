package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

func TestCoalescesARecordsChangesIntoOneWrite(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "501", ts(3), map[string]string{"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace", "phone": "1"})
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(0), map[string]string{"Email": "ada@example.com", "LastName": "L"})
	v.ingest(hsProp("501", "firstname", "A", ts(1)), hsProp("501", "lastname", "Lovelace", ts(2)), hsProp("501", "phone", "1", ts(3)))
	if n := v.deliver(hubforce.Salesforce); n != 1 {
		t.Fatalf("%d rounds, want 1", n)
	}
	reads, _ := v.hs.calls()
	_, sfWrites := v.sf.calls()
	if reads != 1 || sfWrites != 1 {
		t.Fatalf("%d HubSpot reads and %d Salesforce writes, want 1 and 1", reads, sfWrites)
	}
	got, _ := v.sf.get(hubforce.Contact, "003A")
	// The current values are written, not the ones the events carried.
	if got["FirstName"] != "Ada" || got["LastName"] != "Lovelace" || got["Phone"] != "1" {
		t.Fatalf("Salesforce holds %v", got)
	}
	if _, ok := v.sf.written[0].Values["Email"]; ok {
		t.Fatalf("wrote Email, which no change named: %v", v.sf.written[0].Values)
	}
	if q := v.pending(hubforce.Salesforce); q.Pending != 0 {
		t.Fatalf("%d changes left pending", q.Pending)
	}
}

func TestNewestChangeWinsAConflict(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.hs.put(hubforce.Contact, "501", ts(5), map[string]string{"jobtitle": "CTO", "phone": "2"})
	v.sf.put(hubforce.Contact, "003A", ts(9), map[string]string{"Title": "CEO", "Phone": "1", "LastName": "L"})
	// Salesforce's Title changed at 9 (seen when it was read back), after
	// HubSpot's jobtitle at 5.
	v.seen(hubforce.Salesforce, "003A", ts(9), map[string]string{"Title": "CEO"})
	v.ingest(hsProp("501", "jobtitle", "CTO", ts(5)), hsProp("501", "phone", "2", ts(5)))
	v.deliver(hubforce.Salesforce)
	got, _ := v.sf.get(hubforce.Contact, "003A")
	if got["Title"] != "CEO" {
		t.Fatalf("Salesforce's newer Title was overwritten: %v", got)
	}
	if got["Phone"] != "2" {
		t.Fatalf("the field without a conflict was not written: %v", got)
	}
	if d := strings.Join(v.decisions(hubforce.HubSpot, hubforce.Contact, "501"), "\n"); !strings.Contains(d, "conflicted: field Title not written") {
		t.Fatalf("history does not tell the conflict:\n%s", d)
	}
}

func TestOlderTargetChangeLosesTheConflict(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.hs.put(hubforce.Contact, "501", ts(9), map[string]string{"jobtitle": "CTO"})
	v.sf.put(hubforce.Contact, "003A", ts(5), map[string]string{"Title": "CEO", "LastName": "L"})
	v.seen(hubforce.Salesforce, "003A", ts(5), map[string]string{"Title": "CEO"})
	v.ingest(hsProp("501", "jobtitle", "CTO", ts(9)))
	v.deliver(hubforce.Salesforce)
	if got, _ := v.sf.get(hubforce.Contact, "003A"); got["Title"] != "CTO" {
		t.Fatalf("HubSpot's newer change was not written: %v", got)
	}
}

func TestEchoByMarkerIsNotRead(t *testing.T) {
	v := newEnv(t, ReadBack)
	c := hsProp("501", "phone", "1", ts(1))
	c.ChangeSource, c.SourceID = "INTEGRATION", "42"
	v.ingest(c)
	v.deliver(hubforce.Salesforce)
	if reads, _ := v.hs.calls(); reads != 0 {
		t.Fatalf("an echo cost %d reads", reads)
	}
	if d := v.decisions(hubforce.HubSpot, hubforce.Contact, "501"); len(d) != 1 || !strings.HasPrefix(d[0], "echo:") {
		t.Fatalf("decisions %v, want one echo", d)
	}
}

func TestEchoByValueWhenTheMarkerIsMissing(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "501", ts(1), map[string]string{"email": "ada@example.com", "lastname": "Lovelace"})
	v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "501", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
	v.deliver(hubforce.Salesforce)
	if v.sf.count(hubforce.Contact) != 1 {
		t.Fatal("the contact was not created in Salesforce")
	}
	// Salesforce notifies the bridge's own create back; read back, its
	// values are the bridge's.
	var id string
	for k := range v.sf.recs[hubforce.Contact] {
		id = k
	}
	v.ingest(sfNote(hubforce.Contact, id, ts(2), map[string]string{"Email": "ada@example.com"}))
	v.deliver(hubforce.HubSpot)
	if _, w := v.hs.calls(); w != 0 {
		t.Fatalf("the echo was written back to HubSpot (%d writes)", w)
	}
	if d := v.decisions(hubforce.Salesforce, hubforce.Contact, id); len(d) != 1 || !strings.HasPrefix(d[0], "echo: values equal to what this bridge last wrote") {
		t.Fatalf("decisions %v, want one echo by value", d)
	}
}

func TestOneRecordsFailureTouchesOnlyThatRecord(t *testing.T) {
	v := newEnv(t, ReadBack)
	for _, id := range []string{"1", "2", "3"} {
		v.hs.put(hubforce.Contact, id, ts(1), map[string]string{"email": id + "@example.com", "lastname": "L" + id})
		v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: id, Kind: hubforce.KindCreate, DeliveryID: "c" + id, Version: ts(1)})
	}
	v.sf.recordErr = func(w Write) error {
		if w.Values["Email"].Text == "2@example.com" {
			return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Validation, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: "no"}
		}
		return nil
	}
	v.deliver(hubforce.Salesforce)
	if n := v.sf.count(hubforce.Contact); n != 2 {
		t.Fatalf("%d contacts created, want 2", n)
	}
	dl := v.deadLetters()
	if len(dl) != 1 || dl[0].Change.RecordID != "2" || dl[0].Failure.Category != "validation" || dl[0].Failure.Code != "FIELD_CUSTOM_VALIDATION_EXCEPTION" {
		t.Fatalf("dead letters %+v, want record 2's validation failure", dl)
	}
}

func TestDeadLetterClasses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		category string
	}{
		{"validation", &hubforce.APIError{Class: hubforce.Validation, Code: "INVALID_FIELD"}, "validation"},
		{"permanent", &hubforce.APIError{Class: hubforce.Permanent, Code: "INSUFFICIENT_ACCESS"}, "permanent"},
		{"conflict without the existing record", &hubforce.APIError{Class: hubforce.Conflict, Code: "DUPLICATE_VALUE"}, "conflict"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, ReadBack)
			v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com", "lastname": "L"})
			v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
			v.sf.recordErr = func(Write) error { return tc.err }
			v.deliver(hubforce.Salesforce)
			if dl := v.deadLetters(); len(dl) != 1 || dl[0].Failure.Category != tc.category {
				t.Fatalf("dead letters %+v, want one of category %s", dl, tc.category)
			}
		})
	}
	t.Run("a required field the mapping cannot fill", func(t *testing.T) {
		v := newEnv(t, ReadBack)
		v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com"})
		v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
		v.deliver(hubforce.Salesforce)
		dl := v.deadLetters()
		if len(dl) != 1 || dl[0].Failure.Code != mapping.RequiredFieldMissing {
			t.Fatalf("dead letters %+v, want REQUIRED_FIELD_MISSING", dl)
		}
		if _, w := v.sf.calls(); w != 0 {
			t.Fatal("a record missing a required field was sent")
		}
	})
	t.Run("retries exhausted", func(t *testing.T) {
		v := newEnv(t, ReadBack, func(e *Engine) { e.Config.RetryCeiling = time.Hour })
		v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com", "lastname": "L"})
		v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
		v.sf.callErr = &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Retryable, Status: 503, Message: "down"}
		v.deliver(hubforce.Salesforce)
		if len(v.deadLetters()) != 0 {
			t.Fatal("dead-lettered before the ceiling")
		}
		v.clock.Advance(2 * time.Hour)
		v.deliver(hubforce.Salesforce)
		if dl := v.deadLetters(); len(dl) != 1 || dl[0].Failure.Category != "retries_exhausted" {
			t.Fatalf("dead letters %+v, want retries_exhausted", dl)
		}
	})
}

func TestOutageIsRetriedAndRecoveryBringsEveryWaitingChangeForward(t *testing.T) {
	v := newEnv(t, ReadBack)
	for _, id := range []string{"1", "2", "3"} {
		v.hs.put(hubforce.Contact, id, ts(1), map[string]string{"email": id + "@example.com", "lastname": "L"})
		v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: id, Kind: hubforce.KindCreate, DeliveryID: "c" + id, Version: ts(1)})
	}
	v.sf.callErr = &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Retryable, Status: 503, Message: "Service Unavailable"}
	v.deliver(hubforce.Salesforce)
	if q := v.pending(hubforce.Salesforce); q.Pending != 3 || q.Due != 0 {
		t.Fatalf("after the failure: %+v, want 3 pending, none due", q)
	}
	if h := v.e.Health()[1]; h.State != hubforce.Flowing {
		t.Fatalf("one failed round already reports %s", h.State)
	}
	// Still failing when they come round again, past failingAfter.
	v.clock.Advance(failingAfter)
	v.deliver(hubforce.Salesforce)
	if h := v.e.Health()[1]; h.State != hubforce.Failing || !strings.Contains(h.Reason, "Service Unavailable") {
		t.Fatalf("health %+v, want failing with the API's reason", h)
	}
	if !strings.Contains(v.log.String(), "deliveries to Salesforce keep failing") {
		t.Fatalf("no WARN line for the outage:\n%s", v.log.String())
	}
	// The side comes back: one probe goes early, and its success brings
	// the others forward instead of leaving them to their backoff.
	v.sf.callErr = nil
	if ok, err := v.st.ProbeSide(context.Background(), hubforce.Salesforce); err != nil || !ok {
		t.Fatalf("probe: %v %v", ok, err)
	}
	v.deliver(hubforce.Salesforce)
	if n := v.sf.count(hubforce.Contact); n != 3 {
		t.Fatalf("%d contacts delivered after recovery, want 3", n)
	}
	if h := v.e.Health()[1]; h.State != hubforce.Flowing {
		t.Fatalf("health after recovery: %+v", h)
	}
}

// Every change needs a read of its source first: an outage of the source
// side holds up the direction, is retried, and says so.
func TestSourceOutageIsRetriedAndReported(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com", "lastname": "L"})
	v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
	v.hs.callErr = &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Status: 502, Message: "Bad Gateway"}
	v.deliver(hubforce.Salesforce)
	if q := v.pending(hubforce.Salesforce); q.Pending != 1 || q.Due != 0 {
		t.Fatalf("after the failed read: %+v, want 1 pending, rescheduled", q)
	}
	v.clock.Advance(failingAfter)
	v.deliver(hubforce.Salesforce)
	if h := v.e.Health()[1]; h.State != hubforce.Failing || !strings.Contains(h.Reason, "Bad Gateway") {
		t.Fatalf("health %+v, want failing with the source's reason", h)
	}
	v.hs.callErr = nil
	v.clock.Advance(v.e.Config.MaxDelay)
	v.deliver(hubforce.Salesforce)
	if n := v.sf.count(hubforce.Contact); n != 1 {
		t.Fatalf("%d contacts delivered after the source recovered, want 1", n)
	}
}

func TestRefusedCredentialsPauseThenResume(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com", "lastname": "L"})
	v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
	refused := &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Auth, Code: "invalid_grant", Message: "expired access/refresh token"}
	v.sf.callErr = refused
	v.deliver(hubforce.Salesforce)
	if err := v.e.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("ready = %v, want paused for invalid_grant", err)
	}
	if len(v.deadLetters()) != 0 {
		t.Fatal("a paused change was dead-lettered")
	}
	v.sf.callErr = nil
	if err := v.e.hold(context.Background(), v.e.sides[hubforce.Salesforce]); err != nil {
		t.Fatal(err)
	}
	if q := v.pending(hubforce.Salesforce); q.Due != 1 {
		t.Fatalf("resuming left the paused change waiting: %+v", q)
	}
	v.deliver(hubforce.Salesforce)
	if v.sf.count(hubforce.Contact) != 1 {
		t.Fatal("the paused change was not delivered after resuming")
	}
}

func TestContactWaitsForItsCompanyToBeLinked(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(1), map[string]string{"Email": "a@example.com", "LastName": "L", "Phone": "9", CompanyField: "001B"})
	v.hs.put(hubforce.Contact, "501", ts(0), map[string]string{"email": "a@example.com"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(1), map[string]string{"Phone": "9", "AccountId": "001B"}))
	v.deliver(hubforce.HubSpot)
	got, _ := v.hs.get(hubforce.Contact, "501")
	if got["phone"] != "9" {
		t.Fatalf("the contact's own values did not go ahead of its company: %v", got)
	}
	if _, ok := got[CompanyField]; ok {
		t.Fatalf("a company was set before it was linked: %v", got)
	}
	if q := v.pending(hubforce.HubSpot); q.Pending != 1 {
		t.Fatalf("%d changes wait, want the one that carried the company", q.Pending)
	}
	// The account is linked (its own sync); the change goes at its time.
	v.link(hubforce.Company, "9001", "001B")
	v.clock.Advance(time.Minute)
	v.deliver(hubforce.HubSpot)
	if got, _ := v.hs.get(hubforce.Contact, "501"); got[CompanyField] != "9001" {
		t.Fatalf("primary company = %q, want 9001", got[CompanyField])
	}
	if q := v.pending(hubforce.HubSpot); q.Pending != 0 {
		t.Fatalf("%d changes left", q.Pending)
	}
}

func TestDeletedTargetIsUnlinkedAndCreatedAnew(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003GONE")
	v.hs.put(hubforce.Contact, "501", ts(2), map[string]string{"email": "a@example.com", "lastname": "L", "phone": "3"})
	v.ingest(hsProp("501", "phone", "3", ts(2)))
	v.deliver(hubforce.Salesforce)
	v.clock.Advance(time.Minute)
	v.deliver(hubforce.Salesforce)
	if n := v.sf.count(hubforce.Contact); n != 1 {
		t.Fatalf("%d contacts in Salesforce, want the one created anew", n)
	}
}

func TestCreateConflictLinksToTheExistingRecord(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "501", ts(1), map[string]string{"email": "taken@example.com"})
	v.sf.put(hubforce.Contact, "003S", ts(1), map[string]string{"Email": "other@example.com", "LastName": "S"})
	v.ingest(sfNote(hubforce.Contact, "003S", ts(1), map[string]string{"LastName": "S"}))
	// HubSpot refuses the create and names the record holding the key,
	// as its 409 does.
	v.e.HubSpot = &conflictOnce{fakeSide: v.hs, existing: "501"}
	v.deliver(hubforce.HubSpot)
	v.clock.Advance(time.Minute)
	v.deliver(hubforce.HubSpot)
	if got, _ := v.hs.get(hubforce.Contact, "501"); got["lastname"] != "S" {
		t.Fatalf("the existing HubSpot record was not updated: %v", got)
	}
	if n := v.hs.count(hubforce.Contact); n != 1 {
		t.Fatalf("%d HubSpot contacts, want 1", n)
	}
}

// conflictOnce answers the first create with a conflict naming existing.
type conflictOnce struct {
	*fakeSide
	existing string
	answered bool
}

func (c *conflictOnce) Write(ctx context.Context, obj hubforce.Object, writes []Write) ([]hubforce.WriteResult, error) {
	if !c.answered && len(writes) == 1 && writes[0].ID == "" {
		c.answered = true
		return []hubforce.WriteResult{{ID: c.existing, Err: &hubforce.APIError{Side: c.side, Class: hubforce.Conflict, Code: "CONFLICT"}}}, nil
	}
	return c.fakeSide.Write(ctx, obj, writes)
}

func TestDryRunRecordsTheValuesItWouldWrite(t *testing.T) {
	v := newEnv(t, ReadBack, func(e *Engine) { e.Config.DryRun = true })
	v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com", "lastname": "Lovelace"})
	v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
	v.deliver(hubforce.Salesforce)
	if _, w := v.sf.calls(); w != 0 {
		t.Fatal("a dry run wrote")
	}
	d := strings.Join(v.decisions(hubforce.HubSpot, hubforce.Contact, "1"), "\n")
	if !strings.Contains(d, `would create a Salesforce Contact with`) || !strings.Contains(d, `LastName="Lovelace"`) {
		t.Fatalf("the dry run does not say what it would write:\n%s", d)
	}
}

func TestNotificationForAnUnknownRecordWritesNothing(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.ingest(sfNote(hubforce.Contact, "003FORGED", ts(1), map[string]string{"Email": "evil@example.com", "LastName": "X"}))
	v.deliver(hubforce.HubSpot)
	if _, w := v.hs.calls(); w != 0 {
		t.Fatal("a notification for a record Salesforce does not have was written")
	}
	if d := v.decisions(hubforce.Salesforce, hubforce.Contact, "003FORGED"); len(d) != 1 || !strings.Contains(d[0], "refused") {
		t.Fatalf("decisions %v, want refused", d)
	}
}

func TestReadBackWritesWhatSalesforceHoldsNotWhatTheMessageSays(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.hs.put(hubforce.Contact, "501", ts(0), map[string]string{"email": "a@example.com", "phone": "1"})
	v.sf.put(hubforce.Contact, "003A", ts(4), map[string]string{"Email": "a@example.com", "LastName": "L", "Phone": "1", "Title": "Engineer"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(4), map[string]string{"Title": "Invented", "Phone": "666"}))
	v.deliver(hubforce.HubSpot)
	got, _ := v.hs.get(hubforce.Contact, "501")
	if got["jobtitle"] != "Engineer" || got["phone"] != "1" {
		t.Fatalf("HubSpot holds %v, want Salesforce's own values", got)
	}
}

func TestTwoEditsInOneSalesforceSecondBothReachHubSpot(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.hs.put(hubforce.Contact, "501", ts(0), map[string]string{"email": "a@example.com"})
	v.sf.put(hubforce.Contact, "003A", ts(7), map[string]string{"Email": "a@example.com", "LastName": "L", "Phone": "111"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(7), map[string]string{"Phone": "111"}))
	v.deliver(hubforce.HubSpot)
	// A second save in the same second: same SystemModstamp, new value.
	v.sf.put(hubforce.Contact, "003A", ts(7), map[string]string{"Phone": "222"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(7), map[string]string{"Phone": "222"}))
	v.deliver(hubforce.HubSpot)
	if got, _ := v.hs.get(hubforce.Contact, "501"); got["phone"] != "222" {
		t.Fatalf("HubSpot phone = %q, want the later edit of the same second", got["phone"])
	}
	// The same values again (a duplicate read) write nothing.
	_, before := v.hs.calls()
	v.ingest(sfNote(hubforce.Contact, "003A", ts(7), map[string]string{"Phone": "222"}))
	v.deliver(hubforce.HubSpot)
	if _, after := v.hs.calls(); after != before {
		t.Fatal("an unchanged record was written again")
	}
}

func TestUserEditInTheSecondOfTheBridgesWriteApplies(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(1), map[string]string{"Email": "a@example.com", "LastName": "L", "Phone": "1", "Title": "T"})
	v.hs.put(hubforce.Contact, "501", ts(3), map[string]string{"email": "a@example.com", "phone": "2"})
	v.ingest(hsProp("501", "phone", "2", ts(3)))
	v.deliver(hubforce.Salesforce)
	// In the second of the bridge's write, a person changes the Title;
	// Salesforce notifies once, with both.
	v.sf.put(hubforce.Contact, "003A", ts(4), map[string]string{"Title": "Boss"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(4), map[string]string{"Phone": "2", "Title": "Boss"}))
	v.deliver(hubforce.HubSpot)
	if len(v.hs.written) != 1 {
		t.Fatalf("%d writes to HubSpot, want 1", len(v.hs.written))
	}
	w := v.hs.written[0].Values
	if w["jobtitle"].Text != "Boss" {
		t.Fatalf("the person's edit did not apply: %v", w)
	}
	if _, ok := w["phone"]; ok {
		t.Fatalf("the bridge's own write came back as a change: %v", w)
	}
}

// A HubSpot edit is written to Salesforce, and a person then overwrites the
// same field in the same Salesforce second: SystemModstamp (whole seconds)
// reads older than HubSpot's millisecond version, yet the person's edit is
// the newer one — Salesforce moved off the value the bridge had copied there.
func TestUserOverwritingTheBridgesWriteInItsSecondWins(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(1), map[string]string{"Email": "a@example.com", "LastName": "L", "Phone": "1"})
	hsAt := ts(4).Add(300 * time.Millisecond)
	v.hs.put(hubforce.Contact, "501", hsAt, map[string]string{"email": "a@example.com", "phone": "2"})
	v.ingest(hsProp("501", "phone", "2", hsAt))
	v.deliver(hubforce.Salesforce)
	v.sf.put(hubforce.Contact, "003A", ts(4), map[string]string{"Phone": "3"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(4), map[string]string{"Phone": "3"}))
	v.deliver(hubforce.HubSpot)
	if got, _ := v.hs.get(hubforce.Contact, "501"); got["phone"] != "3" {
		t.Fatalf("HubSpot phone = %q, want the person's later edit; history:\n%s", got["phone"],
			strings.Join(v.decisions(hubforce.Salesforce, hubforce.Contact, "003A"), "\n"))
	}
}

// A HubSpot change the bridge has not copied to Salesforce yet still wins
// over an older Salesforce edit of the same field: causality only speaks
// when the target still holds the bridge's copy.
func TestTargetChangeNotYetCopiedStillWins(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(4), map[string]string{"Email": "a@example.com", "LastName": "L", "Phone": "3"})
	v.hs.put(hubforce.Contact, "501", ts(6), map[string]string{"email": "a@example.com", "phone": "9"})
	v.seen(hubforce.HubSpot, "501", ts(6), map[string]string{"phone": "9"})
	v.ingest(sfNote(hubforce.Contact, "003A", ts(4), map[string]string{"Phone": "3"}))
	v.deliver(hubforce.HubSpot)
	if got, _ := v.hs.get(hubforce.Contact, "501"); got["phone"] != "9" {
		t.Fatalf("HubSpot's newer phone was overwritten: %q", got["phone"])
	}
}

func TestCarriedMessagesAreTakenAsSent(t *testing.T) {
	v := newEnv(t, Carried)
	v.sf.own = func(c hubforce.Change) bool { return c.SourceID == "005INTEGRATION" }
	v.link(hubforce.Contact, "501", "003A")
	v.hs.put(hubforce.Contact, "501", ts(0), map[string]string{"email": "a@example.com"})
	msg := sfNote(hubforce.Contact, "003A", ts(4), map[string]string{"Title": "From the message"})
	echo := sfNote(hubforce.Contact, "003A", ts(5), map[string]string{"Title": "Bridge"})
	echo.SourceID = "005INTEGRATION"
	msg.Trigger, echo.Trigger = false, false
	v.ingest(msg, echo)
	v.deliver(hubforce.HubSpot)
	if reads, _ := v.sf.calls(); reads != 0 {
		t.Fatalf("trusted messages were read back (%d reads)", reads)
	}
	if got, _ := v.hs.get(hubforce.Contact, "501"); got["jobtitle"] != "From the message" {
		t.Fatalf("HubSpot holds %v", got)
	}
}

func TestStoreErrorsAreNotSwallowed(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "1", ts(1), map[string]string{"email": "a@example.com", "lastname": "L"})
	v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindCreate, DeliveryID: "c1", Version: ts(1)})
	items, err := v.st.Claim(context.Background(), hubforce.Salesforce, "test", 10, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	if err := v.st.Close(); err != nil {
		t.Fatal(err)
	}
	v.e.round(context.Background(), hubforce.Salesforce, items)
	if !strings.Contains(v.log.String(), `"level":"error"`) {
		t.Fatalf("a failed store call left no error line:\n%s", v.log.String())
	}
}

func TestUnlinkedRecordTheBridgeJustWroteWaitsForItsLink(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.bridgeCreated("003A")
	// The notification of the bridge's own create overtakes its link.
	v.ingest(sfNote(hubforce.Contact, "003A", ts(1), map[string]string{"Email": "a@example.com"}))
	v.deliver(hubforce.HubSpot)
	if reads, writes := v.hs.calls(); reads+writes != 0 {
		t.Fatalf("matched and wrote before the link could arrive (%d reads, %d writes): %v", reads, writes, v.decisions(hubforce.Salesforce, hubforce.Contact, "003A"))
	}
	v.link(hubforce.Contact, "501", "003A")
	v.clock.Advance(time.Minute)
	v.deliver(hubforce.HubSpot)
	if _, writes := v.hs.calls(); writes != 0 {
		t.Fatalf("the bridge's own record was written back (%d writes): %v %v", writes, v.hs.written, v.decisions(hubforce.Salesforce, hubforce.Contact, "003A"))
	}
	if q := v.pending(hubforce.HubSpot); q.Pending != 0 {
		t.Fatalf("%d changes left", q.Pending)
	}
}

// The link of the bridge's own record is recorded while its notification's
// round reads it back: the round finds it, and settles the echo at once
// instead of waiting and reading the record again.
func TestLinkRecordedDuringTheReadBackIsFound(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.bridgeCreated("003A")
	v.ingest(sfNote(hubforce.Contact, "003A", ts(1), map[string]string{"Email": "a@example.com"}))
	v.sf.beforeRead = func() { v.link(hubforce.Contact, "501", "003A") }
	v.deliver(hubforce.HubSpot)
	if q := v.pending(hubforce.HubSpot); q.Pending != 0 {
		t.Fatalf("%d changes left waiting: %v", q.Pending, v.decisions(hubforce.Salesforce, hubforce.Contact, "003A"))
	}
	if reads, _ := v.sf.calls(); reads != 1 {
		t.Fatalf("%d Salesforce reads, want 1", reads)
	}
	if _, writes := v.hs.calls(); writes != 0 {
		t.Fatalf("the bridge's own record was written back: %v", v.hs.written)
	}
	if d := strings.Join(v.decisions(hubforce.Salesforce, hubforce.Contact, "003A"), "\n"); !strings.Contains(d, "echo") {
		t.Fatalf("the notification was not settled as an echo:\n%s", d)
	}
}

// bridgeCreated puts Salesforce contact id in the state the bridge's own
// create leaves it: last modified by the bridge, its values remembered as
// written, and not linked yet.
func (v *env) bridgeCreated(id string) {
	v.t.Helper()
	v.hs.put(hubforce.Contact, "501", ts(1), map[string]string{"email": "a@example.com", "lastname": "L"})
	v.sf.put(hubforce.Contact, id, ts(1), map[string]string{"Email": "a@example.com", "LastName": "L", "by": "bridge"})
	// What the bridge's create wrote: its values, every other field blank.
	created := map[string]string{CompanyField: ""}
	for _, f := range mapping.Default().Names(hubforce.Contact, hubforce.Salesforce) {
		created[f] = ""
	}
	created["Email"], created["LastName"] = "a@example.com", "L"
	if err := v.st.Settle(context.Background(), store.Settlement{Written: []store.Written{{Side: hubforce.Salesforce,
		Object: hubforce.Contact, ID: id, Fields: created}}}); err != nil {
		v.t.Fatal(err)
	}
}

// A round whose process is stopped while it writes still records what it
// wrote: its record linked and its changes settled, so that the echo of
// the write is known for one and nothing is written twice.
func TestStoppingDuringAWriteStillSettlesIt(t *testing.T) {
	v := newEnv(t, ReadBack)
	v.hs.put(hubforce.Contact, "501", ts(1), map[string]string{"email": "ada@example.com", "lastname": "L"})
	v.ingest(hsProp("501", "email", "ada@example.com", ts(1)))
	ctx, stop := context.WithCancel(context.Background())
	v.sf.beforeWrite = stop
	items, err := v.e.claim(ctx, hubforce.Salesforce)
	if err != nil {
		t.Fatal(err)
	}
	v.e.round(ctx, hubforce.Salesforce, items)
	if v.sf.count(hubforce.Contact) != 1 {
		t.Fatalf("the write did not happen: %d contacts in Salesforce", v.sf.count(hubforce.Contact))
	}
	if q := v.pending(hubforce.Salesforce); q.Pending != 0 {
		t.Fatalf("%d changes left claimed after a write that happened: %v\n%s", q.Pending, v.decisions(hubforce.HubSpot, hubforce.Contact, "501"), v.log)
	}
	l, err := v.st.GetLink(context.Background(), hubforce.Contact, hubforce.HubSpot, "501")
	if err != nil || l.SalesforceID == "" {
		t.Fatalf("the new record was not linked (%+v, %v)", l, err)
	}
}
