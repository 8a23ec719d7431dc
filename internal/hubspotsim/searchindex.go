package hubspotsim

import (
	"maps"
	"time"
)

// snapshot is a record as the search index holds it: HubSpot's search is
// served from an index that trails writes by "a short lag" (search-the-crm
// page), so a search can return a record's previous values, or miss a new
// record, for a moment after a write.
type snapshot struct {
	rec       record
	visibleAt time.Time
}

// index queues the record's current state for search, visible after the
// configured lag. Callers hold mu.
func (s *store) index(r *record, at time.Time) {
	if s.searchLag <= 0 {
		return
	}
	snap := *r
	snap.props = maps.Clone(r.props)
	snap.history = nil
	r.indexed = append(r.indexed, snapshot{rec: snap, visibleAt: at.Add(s.searchLag)})
}

// searchView returns what search sees of r now, or nil when the index has
// not caught up with its creation. Callers hold mu.
func (s *store) searchView(r *record) *record {
	if s.searchLag <= 0 {
		return r
	}
	now := s.now()
	var view *record
	keep := 0
	for i := range r.indexed {
		if r.indexed[i].visibleAt.After(now) {
			break
		}
		view = &r.indexed[i].rec
		keep = i
	}
	r.indexed = r.indexed[keep:] // older visible snapshots are no longer needed
	return view
}
