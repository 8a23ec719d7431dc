package delivery

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/testkit"
)

// fakeSide is an in-memory CRM behind the Adapter port: what the engine
// asks of a side, and nothing of any wire.
type fakeSide struct {
	side hubforce.Side
	mode SourceMode
	own  func(hubforce.Change) bool

	mu      sync.Mutex
	recs    map[hubforce.Object]map[string]hubforce.Record
	next    int
	reads   int
	writes  int
	written []Write
	deleted []string
	// callErr fails every call (an outage); recordErr fails one record's
	// write by its id or, for a create, by a field value.
	callErr   error
	recordErr func(w Write) error
	holdErr   error
	used, cap int
	// beforeRead and beforeWrite run at the start of every Read and
	// Write, outside the lock.
	beforeRead, beforeWrite func()
}

func newFake(side hubforce.Side, mode SourceMode) *fakeSide {
	return &fakeSide{side: side, mode: mode, recs: map[hubforce.Object]map[string]hubforce.Record{}}
}

var _ Adapter = (*fakeSide)(nil)

func (f *fakeSide) Side() hubforce.Side { return f.side }
func (f *fakeSide) Source() SourceMode  { return f.mode }
func (f *fakeSide) Triage(_ context.Context, c hubforce.Change) Verdict {
	if f.own != nil && f.own(c) {
		return Own
	}
	return Deliver
}
func (f *fakeSide) Values(c hubforce.Change) map[string]string { return c.Fields }
func (f *fakeSide) ByBridge(_ context.Context, rec hubforce.Record) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.recs[hubforce.Contact][rec.ID].Fields["by"] == "bridge"
}
func (f *fakeSide) Hold(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.holdErr
}
func (f *fakeSide) Usage() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.used, f.cap
}
func (f *fakeSide) RefreshUsage(context.Context) error { return nil }

// put sets a record's fields (a person editing it) at version at.
func (f *fakeSide) put(obj hubforce.Object, id string, at time.Time, fields map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.recs[obj] == nil {
		f.recs[obj] = map[string]hubforce.Record{}
	}
	rec, ok := f.recs[obj][id]
	if !ok {
		rec = hubforce.Record{ID: id, Fields: map[string]string{}}
	}
	maps.Copy(rec.Fields, fields)
	rec.Modified = at
	f.recs[obj][id] = rec
}

func (f *fakeSide) get(obj hubforce.Object, id string) (map[string]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, ok := f.recs[obj][id]
	return maps.Clone(rec.Fields), ok
}

func (f *fakeSide) count(obj hubforce.Object) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.recs[obj])
}

func (f *fakeSide) calls() (reads, writes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads, f.writes
}

func (f *fakeSide) Read(_ context.Context, obj hubforce.Object, ids, fields []string, company bool) (map[string]hubforce.Record, error) {
	if f.beforeRead != nil {
		f.beforeRead()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.callErr != nil {
		return nil, f.callErr
	}
	out := map[string]hubforce.Record{}
	for _, id := range ids {
		rec, ok := f.recs[obj][id]
		if !ok {
			continue
		}
		vals := map[string]string{}
		for _, n := range fields {
			vals[n] = rec.Fields[n]
		}
		if company {
			vals[CompanyField] = rec.Fields[CompanyField]
		}
		out[id] = hubforce.Record{ID: id, Fields: vals, Modified: rec.Modified}
	}
	return out, nil
}

func (f *fakeSide) Find(_ context.Context, obj hubforce.Object, key mapping.MatchKey, values []string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.callErr != nil {
		return nil, f.callErr
	}
	name := key.Salesforce
	if f.side == hubforce.HubSpot {
		name = key.HubSpot
	}
	out := map[string]string{}
	for id, rec := range f.recs[obj] {
		for _, v := range values {
			if strings.EqualFold(rec.Fields[name], v) {
				out[v] = id
			}
		}
	}
	return out, nil
}

func (f *fakeSide) Write(_ context.Context, obj hubforce.Object, writes []Write) ([]hubforce.WriteResult, error) {
	if f.beforeWrite != nil {
		f.beforeWrite()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.written = append(f.written, writes...)
	out := make([]hubforce.WriteResult, len(writes))
	if f.callErr != nil {
		for i := range out {
			out[i].Err = f.callErr
		}
		return out, f.callErr
	}
	if f.recs[obj] == nil {
		f.recs[obj] = map[string]hubforce.Record{}
	}
	for i, w := range writes {
		if f.recordErr != nil {
			if err := f.recordErr(w); err != nil {
				out[i].Err = err
				continue
			}
		}
		id := w.ID
		if id == "" {
			f.next++
			id = fmt.Sprintf("%s-%d", f.side, f.next)
			f.recs[obj][id] = hubforce.Record{ID: id, Fields: map[string]string{}}
			out[i].Created = true
		}
		rec, ok := f.recs[obj][id]
		if !ok {
			out[i].Err = &hubforce.APIError{Side: f.side, Class: hubforce.NotFound, Code: "ENTITY_IS_DELETED", Message: "gone"}
			continue
		}
		for n, v := range w.Values {
			rec.Fields[n] = v.Text
		}
		if w.Company != nil {
			rec.Fields[CompanyField] = *w.Company
		}
		f.recs[obj][id] = rec
		out[i].ID, out[i].Call = id, "WRITE"
	}
	return out, nil
}

// env is an engine between two fake CRMs on a real SQLite store.
type env struct {
	t      *testing.T
	st     store.Store
	e      *Engine
	hs, sf *fakeSide
	clock  *testkit.Clock
	log    *testkit.LogBuffer
}

func newEnv(t *testing.T, sfMode SourceMode, opts ...func(*Engine)) *env {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "delivery.db")
	ctx := context.Background()
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, url, store.WithNow(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	v := &env{t: t, st: st, clock: clock, hs: newFake(hubforce.HubSpot, ReadNamed), sf: newFake(hubforce.Salesforce, sfMode),
		log: &testkit.LogBuffer{}}
	v.hs.own = func(c hubforce.Change) bool { return c.ChangeSource == "INTEGRATION" && c.SourceID == "42" }
	v.e = &Engine{Store: st, HubSpot: v.hs, Salesforce: v.sf, Mapping: mapping.Default(), Now: clock.Now,
		Log: zerolog.New(v.log), Config: Config{Owner: "test", MaxDelay: time.Minute}}
	for _, o := range opts {
		o(v.e)
	}
	v.e.init()
	return v
}

func (v *env) ingest(changes ...hubforce.Change) {
	v.t.Helper()
	if _, err := v.st.Ingest(context.Background(), changes); err != nil {
		v.t.Fatal(err)
	}
}

// deliver runs rounds for side `to` until nothing due is left, the way the
// scheduler would, and returns how many rounds ran.
func (v *env) deliver(to hubforce.Side) int {
	v.t.Helper()
	n := 0
	for ; n < 20; n++ {
		items, err := v.e.claim(context.Background(), to)
		if err != nil {
			v.t.Fatal(err)
		}
		if len(items) == 0 {
			return n
		}
		v.e.round(context.Background(), to, items)
	}
	v.t.Fatal("still delivering after 20 rounds")
	return n
}

// decisions lists the engine's decisions in a record's history, in order.
func (v *env) decisions(side hubforce.Side, obj hubforce.Object, id string) []string {
	v.t.Helper()
	h, err := v.st.History(context.Background(), side, obj, id)
	if err != nil {
		v.t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		if e.Decision != hubforce.Accepted {
			out = append(out, string(e.Decision)+": "+e.Detail)
		}
	}
	return out
}

func (v *env) pending(to hubforce.Side) store.QueueStats {
	v.t.Helper()
	q, err := v.st.QueueStats(context.Background(), to)
	if err != nil {
		v.t.Fatal(err)
	}
	return q
}

func (v *env) deadLetters() []store.DeadLetter {
	v.t.Helper()
	d, err := v.st.DeadLetters(context.Background(), store.DeadLetterFilter{})
	if err != nil {
		v.t.Fatal(err)
	}
	return d
}

// seen records values as read on side at a version, as a delivery does.
func (v *env) seen(side hubforce.Side, id string, at time.Time, fields map[string]string) {
	v.t.Helper()
	if err := v.st.Settle(context.Background(), store.Settlement{Seen: []store.Seen{{Side: side, Object: hubforce.Contact, ID: id, Version: at, Fields: fields}}}); err != nil {
		v.t.Fatal(err)
	}
}

func (v *env) link(obj hubforce.Object, hs, sf string) {
	v.t.Helper()
	if err := v.st.PutLink(context.Background(), hubforce.Link{Object: obj, HubSpotID: hs, SalesforceID: sf}); err != nil {
		v.t.Fatal(err)
	}
}

var seq int

// hsProp is a HubSpot propertyChange event.
func hsProp(record, name, value string, at time.Time) hubforce.Change {
	seq++
	return hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: record, Kind: hubforce.KindUpdate,
		DeliveryID: fmt.Sprintf("hs-%d", seq), Version: at, Fields: map[string]string{name: value}, ChangeSource: "CRM_UI"}
}

// sfNote is a Salesforce Outbound Message notification, a trigger as the
// server makes it unless the sender's values are trusted.
func sfNote(obj hubforce.Object, record string, at time.Time, fields map[string]string) hubforce.Change {
	seq++
	return hubforce.Change{Side: hubforce.Salesforce, Object: obj, RecordID: record, Kind: hubforce.KindUpdate,
		DeliveryID: fmt.Sprintf("sf-%d", seq), Version: at, Fields: fields, Trigger: true}
}

func ts(sec int) time.Time { return time.Date(2026, 12, 1, 8, 0, sec, 0, time.UTC) }

func (f *fakeSide) Delete(_ context.Context, obj hubforce.Object, ids []string) ([]hubforce.WriteResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	out := make([]hubforce.WriteResult, len(ids))
	for i, id := range ids {
		out[i] = hubforce.WriteResult{ID: id, Call: "DELETE", Err: f.callErr}
		if f.callErr != nil {
			continue
		}
		if _, ok := f.recs[obj][id]; !ok {
			out[i].Err = &hubforce.APIError{Side: f.side, Class: hubforce.NotFound, Code: "ENTITY_IS_DELETED", Message: "gone"}
			continue
		}
		delete(f.recs[obj], id)
		f.deleted = append(f.deleted, id)
	}
	return out, f.callErr
}
