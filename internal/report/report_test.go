package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

func TestExplainJoinsBothSidesThroughTheLink(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	at := time.Date(2026, 11, 3, 17, 24, 20, 0, time.UTC)
	changes := []hubforce.Change{
		{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "501", Kind: hubforce.KindUpdate, DeliveryID: "1/2/3",
			Version: at, Fields: map[string]string{"jobtitle": "Engineer"}},
		{Side: hubforce.Salesforce, Object: hubforce.Contact, RecordID: "0035g00000XyZaBAAV", Kind: hubforce.KindUpdate, DeliveryID: "04l1",
			Version: at.Add(time.Second), Fields: map[string]string{"Phone": "1", "Email": "a@b.c", "LastName": "L", "FirstName": "F", "Title": "T"}},
		{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "501", Kind: hubforce.KindUpdate, DeliveryID: "1/2/3",
			Version: at, Fields: map[string]string{"jobtitle": "Engineer"}},
	}
	if _, err := st.Ingest(ctx, changes); err != nil {
		t.Fatal(err)
	}
	if err := st.PutLink(ctx, hubforce.Link{Object: hubforce.Contact, HubSpotID: "501", SalesforceID: "0035g00000XyZaBAAV", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	tl, err := Explain(ctx, st, hubforce.Salesforce, hubforce.Contact, "0035g00000XyZaBAAV")
	if err != nil {
		t.Fatal(err)
	}
	if tl.Link == nil || len(tl.Entries) != 3 {
		t.Fatalf("want the link and both sides' three entries, got %+v", tl)
	}
	var out bytes.Buffer
	if err := tl.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"linked: HubSpot 501 ↔ Salesforce Contact 0035g00000XyZaBAAV", "update (jobtitle)", "duplicate", "5 fields"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("timeline lacks %q:\n%s", want, out.String())
		}
	}

	lonely, err := Explain(ctx, st, hubforce.HubSpot, hubforce.Company, "999")
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	_ = lonely.Write(&out)
	if !strings.Contains(out.String(), "not linked") || !strings.Contains(out.String(), "no history") {
		t.Errorf("unknown record: %s", out.String())
	}
}

// One write that applied a record's coalesced changes is one line, with the
// kinds counted; lines that differ stay apart.
func TestTimelineCollapsesIdenticalRows(t *testing.T) {
	at := time.Date(2026, 11, 3, 17, 24, 20, 0, time.UTC)
	n := 0
	write := func(kind hubforce.ChangeKind) store.HistoryEntry {
		n++ // recorded microseconds apart, with the values of each change
		return store.HistoryEntry{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "51202", Kind: kind, Version: at,
			Decision: hubforce.Applied, Detail: "Salesforce POST /composite/sobjects → created Contact 003",
			At: at.Add(time.Second + time.Duration(n)*time.Microsecond), Fields: map[string]string{"Email": fmt.Sprint(n, "@b.c")}}
	}
	entries := []store.HistoryEntry{
		{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "51202", Kind: hubforce.KindUpdate, Version: at,
			Decision: hubforce.Accepted, At: at, Fields: map[string]string{"email": "a@b.c"}},
		{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "51202", Kind: hubforce.KindUpdate, Version: at,
			Decision: hubforce.Accepted, At: at, Fields: map[string]string{"firstname": "Ada"}},
		write(hubforce.KindCreate), write(hubforce.KindUpdate), write(hubforce.KindUpdate), write(hubforce.KindUpdate), write(hubforce.KindUpdate),
	}
	var out bytes.Buffer
	if err := (Timeline{Side: hubforce.HubSpot, Object: hubforce.Contact, ID: "51202", Entries: entries}).Write(&out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "composite/sobjects"); n != 1 {
		t.Errorf("the write is told %d times:\n%s", n, out.String())
	}
	for _, want := range []string{"create + 4 updates (Email)", "update (email)", "update (firstname)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("timeline lacks %q:\n%s", want, out.String())
		}
	}
}

// TestMalformedDeadLetterShowsItsRawBytes: dlq show prints the delivery as
// received, with control characters escaped, and says it cannot be replayed.
func TestMalformedDeadLetterShowsItsRawBytes(t *testing.T) {
	c := hubforce.Malformed(hubforce.HubSpot, []byte("{\"eventId\":\"oops\",\"x\":\"\x1b[2J\"}"), errors.New("event 1: eventId is not a number"))
	var b strings.Builder
	if err := WriteDeadLetter(&b, store.DeadLetter{ID: 7, Change: c, Failure: store.Failure{Category: "malformed", Message: c.Problem}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`{"eventId":"oops","x":"\u001b[2J"}`, "cannot be replayed", "hubforce dlq discard 7"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "dlq replay") {
		t.Errorf("raw escape reached the terminal, or a replay is offered:\n%q", out)
	}
}
