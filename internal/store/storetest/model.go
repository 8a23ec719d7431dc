package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// model is SPEC §3.2 applied one change at a time.
type model struct {
	seen     map[string]bool
	versions map[string]time.Time
	hashes   map[string]string
}

func (m *model) decide(c hubforce.Change) hubforce.Decision {
	if c.DeliveryID != "" {
		id := string(c.Side) + "\x00" + c.DeliveryID
		if m.seen[id] {
			return hubforce.Duplicate
		}
		m.seen[id] = true
	}
	if c.Version.IsZero() {
		return hubforce.Accepted
	}
	advanced, newer := false, false
	for _, k := range store.VersionKeys(c) {
		slot := fmt.Sprint(c.Side, "\x00", c.Object, "\x00", c.RecordID, "\x00", k.Key)
		cur, ok := m.versions[slot]
		switch {
		case !ok || c.Version.After(cur) || (c.Version.Equal(cur) && k.Hash != "" && k.Hash != m.hashes[slot]):
			m.versions[slot], m.hashes[slot] = c.Version, k.Hash
			advanced = true
		case cur.After(c.Version):
			newer = true
		}
	}
	switch {
	case advanced:
		return hubforce.Accepted
	case newer:
		return hubforce.Stale
	}
	return hubforce.Duplicate
}

// randomChange draws from small pools so that repeats of delivery ids,
// records, properties and versions are common, within a call and across.
func randomChange(r *rand.Rand) hubforce.Change {
	rec := fmt.Sprintf("r%d", r.IntN(8))
	version := at(r.IntN(20))
	if r.IntN(10) == 0 {
		version = time.Time{}
	}
	id := fmt.Sprintf("d%d", r.IntN(400))
	if r.IntN(20) == 0 {
		id = ""
	}
	switch r.IntN(4) {
	case 0:
		return snapshot(id, rec, map[string]string{"Email": "a", "Phone": fmt.Sprint(r.IntN(2))}, version)
	case 1:
		return hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: rec,
			Kind: hubforce.KindCreate, DeliveryID: id, Version: version}
	default:
		return prop(id, rec, fmt.Sprintf("p%d", r.IntN(3)), fmt.Sprintf("v%d", r.IntN(2)), version)
	}
}

// testMatchesModel ingests random calls of every size, up to beyond the
// largest multi-row statement, and compares each decision with the model.
func testMatchesModel(t *testing.T, newDB NewDatabase) {
	s := Open(t, newDB(t))
	r := rand.New(rand.NewPCG(1, 2))
	m := &model{seen: map[string]bool{}, versions: map[string]time.Time{}, hashes: map[string]string{}}
	for _, size := range []int{1, 5, 17, 300, 64, 3, 1, 600} {
		calls := make([]hubforce.Change, size)
		for i := range calls {
			calls[i] = randomChange(r)
		}
		got := ingest(t, s, calls...)
		for i, c := range calls {
			if want := m.decide(c); got[i] != want {
				t.Fatalf("call of %d, change %d (%s %s %s %v): %s, want %s",
					size, i, c.DeliveryID, c.RecordID, store.VersionKeys(c), c.Version, got[i], want)
			}
		}
	}
}
