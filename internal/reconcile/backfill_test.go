package reconcile_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/reconcile"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/store"
)

func TestBackfillResumesAfterInterruption(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	var ids []string
	for i := range 12 {
		ids = append(ids, w.hubspotContact(t, fmt.Sprintf("person%d@example.com", i)).ID)
	}
	var out bytes.Buffer
	bf := &reconcile.Backfill{Store: w.st, HubSpot: w.hs, Mapping: w.m, Out: &out}
	opts := reconcile.Options{From: hubforce.HubSpot, Object: hubforce.Contact, BatchSize: 4}

	ctx, cancel := context.WithCancel(context.Background())
	res, err := bf.Run(ctx, opts, func(p reconcile.Progress) {
		if p.Done >= 4 {
			cancel() // Ctrl-C after the first batch
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	if res.Done != 4 {
		t.Fatalf("interrupted run committed %d records, want 4", res.Done)
	}
	st, err := reconcile.LoadState(context.Background(), w.st, hubforce.HubSpot, hubforce.Contact)
	if err != nil || st.Done != 4 || !st.FinishedAt.IsZero() {
		t.Fatalf("saved state %+v, %v; want 4 done, unfinished", st, err)
	}

	var seen []reconcile.Progress
	res, err = bf.Run(context.Background(), opts, func(p reconcile.Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || !strings.Contains(out.String(), "resuming") {
		t.Errorf("second run did not resume (result %+v, said %q)", res, out.String())
	}
	// Each record counts once, although the resumed run re-read the
	// records at its cursor.
	if res.Done != 12 || len(seen) == 0 || seen[len(seen)-1].Done != 12 {
		t.Errorf("result %+v, progress %v; want 12 records done", res, seen)
	}
	if first := seen[0]; first.Done != 4 || first.Before != 4 {
		t.Errorf("the resumed run's first progress %+v, want 4 done before it", first)
	}
	for _, id := range ids {
		w.expectAccepted(t, hubforce.HubSpot, hubforce.Contact, id, 3) // its 3 properties, once
	}
	st, _ = reconcile.LoadState(context.Background(), w.st, hubforce.HubSpot, hubforce.Contact)
	if st.FinishedAt.IsZero() {
		t.Error("finished backfill has no finished_at")
	}

	// Another --since starts over, and says so.
	out.Reset()
	opts.Since = time.Now().Add(time.Hour)
	if res, err = bf.Run(context.Background(), opts, nil); err != nil || res.Resumed || res.Read != 0 {
		t.Fatalf("run with a new --since: %+v, %v", res, err)
	}
	if !strings.Contains(out.String(), "starting over") {
		t.Errorf("did not say it starts over: %q", out.String())
	}
}

func TestBackfillDryRunIngestsNothing(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{})
	ctx := context.Background()
	id := w.salesforceContact(t, "ada@example.com")
	var out bytes.Buffer
	bf := &reconcile.Backfill{Store: w.st, Salesforce: w.sf, Mapping: w.m, Out: &out}
	res, err := bf.Run(ctx, reconcile.Options{From: hubforce.Salesforce, Object: hubforce.Contact, DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 1 || res.Fed != 1 {
		t.Errorf("dry run counted %+v, want 1 record, 1 change", res)
	}
	if !strings.Contains(out.String(), "would feed salesforce contact "+id) {
		t.Errorf("dry run did not say what it would feed: %q", out.String())
	}
	if qs, _ := w.st.QueueStats(ctx, hubforce.HubSpot); qs.Pending != 0 {
		t.Errorf("dry run queued %d changes", qs.Pending)
	}
	if h, _ := w.st.History(ctx, hubforce.Salesforce, hubforce.Contact, id); len(h) != 0 {
		t.Errorf("dry run wrote history %v", h)
	}
	if _, err := reconcile.LoadState(ctx, w.st, hubforce.Salesforce, hubforce.Contact); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("dry run saved state: %v", err)
	}
}

func TestBackfillPausesPastTheSalesforceBudget(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{DailyAPILimit: 1000, QueryPageSize: 2})
	for i := range 6 {
		w.salesforceContact(t, fmt.Sprintf("p%d@example.com", i))
	}
	w.sfSim.SetDailyUsage(900) // past 75 %
	paused := make(chan bool, 4)
	bf := &reconcile.Backfill{Store: w.st, Salesforce: w.sf, Mapping: w.m, ProbeEvery: 5 * time.Millisecond,
		OnPause: func(p bool) { paused <- p }}
	type outcome struct {
		res reconcile.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := bf.Run(context.Background(), reconcile.Options{From: hubforce.Salesforce, Object: hubforce.Contact, BatchSize: 2}, nil)
		done <- outcome{res, err}
	}()

	select {
	case p := <-paused:
		if !p {
			t.Fatal("resumed before pausing")
		}
	case o := <-done:
		t.Fatalf("backfill finished (%+v, %v) without pausing at 900/1000", o.res, o.err)
	case <-time.After(10 * time.Second):
		t.Fatal("backfill did not pause")
	}
	select {
	case o := <-done:
		t.Fatalf("backfill finished while paused: %+v", o.res)
	default:
	}
	if st, err := reconcile.LoadState(context.Background(), w.st, hubforce.Salesforce, hubforce.Contact); err != nil || st.Done >= 6 {
		t.Fatalf("state while paused: %+v, %v", st, err)
	}

	w.sfSim.SetDailyUsage(10)
	select {
	case o := <-done:
		if o.err != nil || o.res.Read != 6 {
			t.Fatalf("after the usage fell: %+v, %v; want all 6 records", o.res, o.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("backfill did not resume when the usage fell")
	}
	if p := <-paused; p {
		t.Error("no resume was reported")
	}
}

// Salesforce says how many records a backfill reads: the first progress
// report carries the total, before any record is done.
func TestBackfillProgressHasSalesforcesTotal(t *testing.T) {
	w := newWorld(t, salesforcesim.Config{QueryPageSize: 2})
	for i := range 5 {
		w.salesforceContact(t, fmt.Sprintf("t%d@example.com", i))
	}
	var seen []reconcile.Progress
	bf := &reconcile.Backfill{Store: w.st, Salesforce: w.sf, Mapping: w.m}
	res, err := bf.Run(context.Background(), reconcile.Options{From: hubforce.Salesforce, Object: hubforce.Contact, BatchSize: 2},
		func(p reconcile.Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 2 || seen[0].Done != 0 || seen[0].Total != 5 {
		t.Fatalf("progress %+v, want a first report of 0 of 5", seen)
	}
	if last := seen[len(seen)-1]; last.Done != 5 || last.Total != 5 || res.Done != 5 {
		t.Fatalf("last progress %+v, result %+v", last, res)
	}
}
