package generator

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/hubforce/hubforce"
)

// memSide records what the generator did, as a CRM would keep it.
type memSide struct {
	mu      sync.Mutex
	records map[hubforce.Object]map[string]map[string]string
	next    int
	fail    error
}

func newMemSide() *memSide {
	return &memSide{records: map[hubforce.Object]map[string]map[string]string{hubforce.Contact: {}, hubforce.Company: {}}}
}

func (m *memSide) Create(obj hubforce.Object, f map[string]string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return "", m.fail
	}
	m.next++
	id := strconv.Itoa(m.next)
	m.records[obj][id] = f
	return id, nil
}

func (m *memSide) Update(obj hubforce.Object, id string, f map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[obj][id]; !ok {
		return errors.New("no such record")
	}
	for k, v := range f {
		m.records[obj][id][k] = v
	}
	return nil
}

func (m *memSide) IDs(obj hubforce.Object) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id := range m.records[obj] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func TestStepMakesRecordsWithEachSidesRequiredFields(t *testing.T) {
	hs, sf := newMemSide(), newMemSide()
	g := New(hs, sf, 42)
	var creates, updates int
	for range 400 {
		c, err := g.Step()
		if err != nil {
			t.Fatal(err)
		}
		if c.Create {
			creates++
		} else {
			updates++
		}
	}
	if creates == 0 || updates == 0 {
		t.Fatalf("want both creations and edits, got %d and %d", creates, updates)
	}
	for id, r := range hs.records[hubforce.Contact] {
		if r["email"] == "" || r["lastname"] == "" {
			t.Errorf("HubSpot contact %s lacks email or lastname: %v", id, r)
		}
	}
	for id, r := range sf.records[hubforce.Contact] {
		if r["LastName"] == "" || r["Email"] == "" {
			t.Errorf("Salesforce contact %s lacks LastName or Email: %v", id, r)
		}
		if _, ok := r["lastname"]; ok {
			t.Errorf("Salesforce contact %s has a HubSpot field name: %v", id, r)
		}
	}
	for id, r := range sf.records[hubforce.Company] {
		if r["Name"] == "" {
			t.Errorf("Salesforce account %s lacks Name: %v", id, r)
		}
	}
	if len(sf.records[hubforce.Contact]) == 0 || len(hs.records[hubforce.Company]) == 0 {
		t.Fatal("both sides and both objects should have records after 400 steps")
	}
}

func TestSameSeedSameChanges(t *testing.T) {
	a := New(newMemSide(), newMemSide(), 7)
	b := New(newMemSide(), newMemSide(), 7)
	for i := range 50 {
		ca, _ := a.Step()
		cb, _ := b.Step()
		if ca.String() != cb.String() {
			t.Fatalf("step %d differs: %s vs %s", i, ca, cb)
		}
	}
}

func TestRunReportsFailuresAndStops(t *testing.T) {
	hs, sf := newMemSide(), newMemSide()
	hs.fail, sf.fail = errors.New("simulated outage"), errors.New("simulated outage")
	g := New(hs, sf, 1)
	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	g.Run(ctx, 1000, func(_ Change, err error) {
		if err == nil {
			t.Error("want the side's error reported")
		}
		if seen++; seen == 3 {
			cancel()
		}
	})
	if seen != 3 {
		t.Fatalf("Run should stop once cancelled, reported %d", seen)
	}
}
