package hubspotsim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"time"
)

// A simulated account outlives its process only if asked: SaveState writes
// its records, associations and id sequences as JSON, and LoadState puts
// them back into a new simulator, so that a sandbox kept between runs
// (`hubforce sandbox --keep-state`) finds the same account its bridge's
// store remembers. Webhooks not yet delivered are not kept.

// restartGap is added to every id sequence on LoadState: writes made after
// the last save and lost with the process had used ids a real account would
// never hand out again, and neither may the simulator (the bridge links
// records and recognises deliveries by id).
const restartGap = 100000

type savedState struct {
	Objects       map[string]savedObject `json:"objects"`
	Associations  map[string][]savedLink `json:"associations"` // contact id → companies
	LastStamp     time.Time              `json:"lastStamp"`
	NextEventID   int64                  `json:"nextEventId"`
	Subscriptions map[string]int64       `json:"subscriptions"`
	NextSubID     int64                  `json:"nextSubscriptionId"`
}

type savedObject struct {
	NextID  int64            `json:"nextId"`
	Records []savedRecord    `json:"records"`
	Merged  map[string]int64 `json:"merged,omitempty"` // merged id → surviving id
}

type savedRecord struct {
	ID         int64                     `json:"id"`
	Properties map[string]string         `json:"properties"`
	Created    time.Time                 `json:"created"`
	Updated    time.Time                 `json:"updated"`
	Archived   bool                      `json:"archived,omitempty"`
	ArchivedAt time.Time                 `json:"archivedAt,omitzero"`
	History    map[string][]historyEntry `json:"history,omitempty"`
}

type savedLink struct {
	Company int64 `json:"company"`
	Primary bool  `json:"primary"`
}

// SaveState writes the account's records, associations and id sequences.
func (s *Server) SaveState(w io.Writer) error {
	st := s.store
	st.mu.Lock()
	out := savedState{Objects: map[string]savedObject{}, Associations: map[string][]savedLink{}, LastStamp: st.last}
	for name, o := range st.objs {
		so := savedObject{NextID: o.nextID, Merged: map[string]int64{}}
		for _, r := range o.sorted() {
			so.Records = append(so.Records, savedRecord{ID: r.id, Properties: maps.Clone(r.props), Created: r.created,
				Updated: r.updated, Archived: r.archived, ArchivedAt: r.archivedAt, History: cloneHistory(r.history)})
		}
		for from, to := range o.alias {
			so.Merged[strconv.FormatInt(from, 10)] = to
		}
		out.Objects[name] = so
	}
	for contact, links := range st.assoc {
		var list []savedLink
		for company, primary := range links {
			list = append(list, savedLink{Company: company, Primary: primary})
		}
		out.Associations[strconv.FormatInt(contact, 10)] = list
	}
	st.mu.Unlock()

	h := s.hooks
	h.mu.Lock()
	out.NextEventID, out.Subscriptions, out.NextSubID = h.nextEvent, maps.Clone(h.subs.ids), h.subs.nextID
	h.mu.Unlock()

	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("hubspotsim: saving state: %w", err)
	}
	return nil
}

// LoadState replaces the account's records, associations and id sequences
// with a saved state. Call it before serving.
func (s *Server) LoadState(r io.Reader) error {
	var in savedState
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return fmt.Errorf("hubspotsim: reading saved state: %w", err)
	}
	st := s.store
	st.mu.Lock()
	for name, so := range in.Objects {
		o, ok := st.objs[name]
		if !ok {
			st.mu.Unlock()
			return fmt.Errorf("hubspotsim: saved state has unknown object type %q", name)
		}
		o.recs, o.alias, o.unique = map[int64]*record{}, map[int64]int64{}, map[string]int64{}
		o.nextID = max(o.nextID, so.NextID+restartGap)
		for _, sr := range so.Records {
			rec := &record{id: sr.ID, props: sr.Properties, created: sr.Created, updated: sr.Updated,
				archived: sr.Archived, archivedAt: sr.ArchivedAt, history: sr.History}
			if rec.props == nil {
				rec.props = map[string]string{}
			}
			o.recs[rec.id] = rec
			if v := rec.props[o.t.uniqueProp]; v != "" && !rec.archived {
				o.unique[v] = rec.id
			}
			st.index(rec, rec.updated)
		}
		for from, to := range so.Merged {
			if n, err := strconv.ParseInt(from, 10, 64); err == nil {
				o.alias[n] = to
			}
		}
	}
	st.assoc = map[int64]map[int64]bool{}
	for contact, list := range in.Associations {
		n, err := strconv.ParseInt(contact, 10, 64)
		if err != nil {
			continue
		}
		links := map[int64]bool{}
		for _, l := range list {
			links[l.Company] = l.Primary
		}
		st.assoc[n] = links
	}
	st.last = in.LastStamp
	st.mu.Unlock()

	h := s.hooks
	h.mu.Lock()
	h.nextEvent = max(h.nextEvent, in.NextEventID+restartGap)
	if in.Subscriptions != nil {
		h.subs.ids, h.subs.nextID = in.Subscriptions, in.NextSubID
	}
	h.mu.Unlock()
	return nil
}

func cloneHistory(h map[string][]historyEntry) map[string][]historyEntry {
	if h == nil {
		return nil
	}
	out := make(map[string][]historyEntry, len(h))
	for k, v := range h {
		out[k] = append([]historyEntry(nil), v...)
	}
	return out
}
