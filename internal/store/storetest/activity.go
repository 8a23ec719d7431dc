package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

func applied(side hubforce.Side, record string, d hubforce.Decision, at time.Time) store.HistoryEntry {
	return store.HistoryEntry{DeliveryID: "h-" + record, Side: side, Object: hubforce.Contact, RecordID: record,
		Kind: hubforce.KindUpdate, Decision: d, Detail: "test", At: at}
}

func testActivityBuckets(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	t0 := clock.Now()
	ingest(t, s, prop("e1", "601", "email", "a@x.com", at(1))) // an accepted entry at t0
	if err := s.RecordHistory(ctx, []store.HistoryEntry{
		applied(hubforce.HubSpot, "601", hubforce.Applied, t0.Add(30*time.Second)),
		applied(hubforce.HubSpot, "602", hubforce.Applied, t0.Add(90*time.Second)),
		applied(hubforce.Salesforce, "603", hubforce.Applied, t0.Add(100*time.Second)),
		applied(hubforce.Salesforce, "603", hubforce.Echo, t0.Add(100*time.Second)),
		applied(hubforce.HubSpot, "604", hubforce.Applied, t0.Add(-time.Second)), // before the window
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Activity(ctx, t0, time.Minute, []hubforce.Decision{hubforce.Applied})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ActivityCount{
		{Start: t0, Side: hubforce.HubSpot, Decision: hubforce.Applied, Count: 1},
		{Start: t0.Add(time.Minute), Side: hubforce.HubSpot, Decision: hubforce.Applied, Count: 1},
		{Start: t0.Add(time.Minute), Side: hubforce.Salesforce, Decision: hubforce.Applied, Count: 1},
	}
	if fmt.Sprint(utcCounts(got)) != fmt.Sprint(utcCounts(want)) {
		t.Fatalf("activity per minute:\n got %v\nwant %v", utcCounts(got), utcCounts(want))
	}
	got, err = s.Activity(ctx, t0.Add(time.Minute), time.Hour, []hubforce.Decision{hubforce.Applied, hubforce.Echo, hubforce.Accepted})
	if err != nil {
		t.Fatal(err)
	}
	want = []store.ActivityCount{
		{Start: t0.Add(time.Minute), Side: hubforce.HubSpot, Decision: hubforce.Applied, Count: 1},
		{Start: t0.Add(time.Minute), Side: hubforce.Salesforce, Decision: hubforce.Applied, Count: 1},
		{Start: t0.Add(time.Minute), Side: hubforce.Salesforce, Decision: hubforce.Echo, Count: 1},
	}
	if fmt.Sprint(utcCounts(got)) != fmt.Sprint(utcCounts(want)) {
		t.Fatalf("activity in one bucket from t0+1m:\n got %v\nwant %v", utcCounts(got), utcCounts(want))
	}
	if _, err := s.Activity(ctx, t0, 0, []hubforce.Decision{hubforce.Applied}); err == nil {
		t.Fatal("a zero bucket was accepted")
	}
}

func utcCounts(cs []store.ActivityCount) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s %s %s %d", c.Start.UTC().Format(time.RFC3339), c.Side, c.Decision, c.Count)
	}
	return out
}

func testFailureActivity(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	t0 := clock.Now()
	clock.Advance(2 * time.Minute)
	deadLetterOne(t, s, "e1", "701")
	clock.Advance(time.Second)
	deadLetterOne(t, s, "e2", "702")
	counts, err := s.DeadLetterCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(counts) != "map[validation:2]" {
		t.Fatalf("dead letter counts = %v, want validation:2", counts)
	}
	list, err := s.DeadLetters(ctx, store.DeadLetterFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("dead letters %v, %v", list, err)
	}
	if err := s.ReplayDeadLetter(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if counts, err = s.DeadLetterCounts(ctx); err != nil || fmt.Sprint(counts) != "map[validation:1]" {
		t.Fatalf("after a replay: dead letter counts = %v, %v; want validation:1", counts, err)
	}
	got, err := s.FailureActivity(ctx, t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Start.Equal(t0.Add(2*time.Minute)) || got[0].Category != "validation" || got[0].Count != 2 {
		t.Fatalf("failure activity = %+v, want 2 validation at t0+2m (the replayed one still counts)", got)
	}
	if got, err = s.FailureActivity(ctx, t0.Add(3*time.Minute), time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("failure activity after the failures = %+v, %v; want none", got, err)
	}
}

func testRecentHistory(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	clock := NewClock()
	s := Open(t, newDB(t), store.WithNow(clock.Now))
	t0 := clock.Now()
	if err := s.RecordHistory(ctx, []store.HistoryEntry{
		applied(hubforce.HubSpot, "801", hubforce.Applied, t0),
		applied(hubforce.Salesforce, "802", hubforce.Echo, t0),
		applied(hubforce.Salesforce, "803", hubforce.Applied, t0.Add(time.Second)),
		applied(hubforce.HubSpot, "804", hubforce.Conflicted, t0.Add(2*time.Second)),
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecentHistory(ctx, []hubforce.Decision{hubforce.Applied, hubforce.Conflicted}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RecordID != "804" || got[1].RecordID != "803" || got[1].Side != hubforce.Salesforce ||
		got[1].Object != hubforce.Contact || !got[1].At.Equal(t0.Add(time.Second)) {
		t.Fatalf("recent = %+v, want 804 then 803", got)
	}
	if got, err = s.RecentHistory(ctx, nil, 10); err != nil || len(got) != 0 {
		t.Fatalf("no decisions asked: %v, %v", got, err)
	}
}
