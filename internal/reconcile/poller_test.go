package reconcile_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/reconcile"
	"github.com/hubforce/hubforce/internal/salesforce"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/testkit"
)

func TestPollRecoversALostHubSpotWebhook(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	ctx := context.Background()
	rec := w.hubspotContact(t, "ada@example.com")
	p := &reconcile.Poller{Store: w.st, HubSpot: w.hs, Mapping: w.m, Now: later}

	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := w.pending(t, hubforce.Salesforce, 3)
	props := map[string]string{}
	for _, c := range got {
		ch := c.Change
		if ch.RecordID != rec.ID || ch.Object != hubforce.Contact || ch.Kind != hubforce.KindUpdate {
			t.Errorf("unexpected change %+v", ch)
		}
		if !ch.Version.Equal(rec.UpdatedAt) {
			t.Errorf("version %v, want the record's updatedAt %v", ch.Version, rec.UpdatedAt)
		}
		if len(ch.Fields) != 1 {
			t.Fatalf("want one property per change, got %v", ch.Fields)
		}
		for k, v := range ch.Fields {
			props[k] = v
		}
	}
	want := map[string]string{"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace"}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("property %s = %q, want %q", k, props[k], v)
		}
	}

	// A second poll re-reads the record (overlap) and feeds nothing new.
	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	w.expectAccepted(t, hubforce.HubSpot, hubforce.Contact, rec.ID, 3)
	if qs, _ := w.st.QueueStats(ctx, hubforce.Salesforce); qs.Pending != 3 {
		t.Errorf("pending after the second poll: %d, want 3 (the claimed ones)", qs.Pending)
	}
}

func TestPollSkipsRecordsWhoseWebhookArrived(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	ctx := context.Background()
	rec := w.hubspotContact(t, "grace@example.com")
	// The webhook for the latest change was delivered.
	if _, err := w.st.Ingest(ctx, []hubforce.Change{{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: rec.ID,
		Kind: hubforce.KindUpdate, DeliveryID: "62515/1/1", Version: rec.UpdatedAt, Fields: map[string]string{"email": "grace@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	w.expectAccepted(t, hubforce.HubSpot, hubforce.Contact, rec.ID, 1) // judged
	p := &reconcile.Poller{Store: w.st, HubSpot: w.hs, Mapping: w.m, Now: later}
	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	w.expectAccepted(t, hubforce.HubSpot, hubforce.Contact, rec.ID, 1) // only the webhook's
}

func TestPollRecoversALostOutboundMessage(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	ctx := context.Background()
	id := w.salesforceContact(t, "ada@example.com")
	p := &reconcile.Poller{Store: w.st, Salesforce: w.sf, Mapping: w.m, Now: later}
	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := w.pending(t, hubforce.HubSpot, 1)
	ch := got[0].Change
	snap, _ := w.sfSim.Get("Contact", id)
	stamp, _ := snap["SystemModstamp"].(time.Time)
	if ch.RecordID != id || !ch.Version.Equal(stamp) {
		t.Errorf("change %s version %v, want %s at SystemModstamp %v", ch.RecordID, ch.Version, id, stamp)
	}
	if ch.SourceID != uiUser {
		t.Errorf("SourceID %q, want LastModifiedById %q", ch.SourceID, uiUser)
	}
	if ch.Fields["Email"] != "ada@example.com" || ch.Fields["LastModifiedById"] != uiUser {
		t.Errorf("fields %v lack the snapshot's values", ch.Fields)
	}
	if !strings.HasPrefix(ch.DeliveryID, "poll/salesforce/contact/"+id+"/") {
		t.Errorf("delivery id %q", ch.DeliveryID)
	}
	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	w.expectAccepted(t, hubforce.Salesforce, hubforce.Contact, id, 1)
}

func TestPollCheckpointMovesOnlyAfterCommit(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	ctx := context.Background()
	rec := w.hubspotContact(t, "ada@example.com")
	fs := &failingStore{Store: w.st}
	fs.fail.Store(true)
	now := later()
	p := &reconcile.Poller{Store: fs, HubSpot: w.hs, Mapping: w.m, Now: func() time.Time { return now }}

	if err := p.PollOnce(ctx); !errors.Is(err, errDiskFull) {
		t.Fatalf("poll with a failing store: %v, want the store's error", err)
	}
	cp, err := w.st.Checkpoint(ctx, "reconcile/hubspot/contact")
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(-reconcile.DefaultInterval).UTC().Format(time.RFC3339Nano); cp != want {
		t.Fatalf("checkpoint after a failed ingest: %s, want the first window's start %s", cp, want)
	}

	fs.fail.Store(false)
	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	cp, _ = w.st.Checkpoint(ctx, "reconcile/hubspot/contact")
	if at, err := time.Parse(time.RFC3339Nano, cp); err != nil || !at.Equal(rec.UpdatedAt) {
		t.Fatalf("checkpoint after commit: %s, want the record's updatedAt %v", cp, rec.UpdatedAt)
	}
	w.pending(t, hubforce.Salesforce, 3)
}

// countingHubSpot counts searches.
type countingHubSpot struct {
	reconcile.HubSpot
	calls atomic.Int32
}

func (c *countingHubSpot) ModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time, props []string, after string) ([]hubforce.Record, string, error) {
	c.calls.Add(1)
	return c.HubSpot.ModifiedSince(ctx, obj, since, props, after)
}

func TestOnlyTheLeaseHolderPolls(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	ctx := context.Background()
	a := &countingHubSpot{HubSpot: w.hs}
	b := &countingHubSpot{HubSpot: w.hs}
	pa := &reconcile.Poller{Store: w.st, HubSpot: a, Mapping: w.m, Owner: "a", Now: later}
	pb := &reconcile.Poller{Store: w.st, HubSpot: b, Mapping: w.m, Owner: "b", Now: later}
	for _, p := range []*reconcile.Poller{pa, pb, pa} {
		if err := p.PollOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if a.calls.Load() == 0 || b.calls.Load() != 0 {
		t.Fatalf("searches: holder %d, other replica %d; want only the holder to poll", a.calls.Load(), b.calls.Load())
	}
	// Once the lease expires the other replica takes over.
	pb.Now = func() time.Time { return later().Add(2 * reconcile.DefaultInterval) }
	if err := pb.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if b.calls.Load() == 0 {
		t.Fatal("the other replica did not take over an expired lease")
	}
}

var _ reconcile.Salesforce = (*salesforce.Client)(nil)

func TestRunPollsAtOnceAndStopsWithItsContext(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	hs := &countingHubSpot{HubSpot: w.hs}
	p := &reconcile.Poller{Store: w.st, HubSpot: hs, Mapping: w.m, Now: later}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	testkit.WaitFor(t, "the first poll", 10*time.Second, func() bool { return hs.calls.Load() >= int32(len(w.m.Objects())) })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
}
