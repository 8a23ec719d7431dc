package salesforcesim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// A simulated org outlives its process only if asked: SaveState writes its
// records and id sequences as JSON, and LoadState puts them back into a new
// simulator, so that a sandbox kept between runs (`hubforce sandbox
// --keep-state`) finds the org its bridge's store remembers. Outbound
// Messages not yet delivered are not kept; a real org would still send
// them, and the bridge's reconciliation poll recovers their changes.

// restartGap is added to the id sequences on LoadState: ids handed out
// after the last save, and lost with the process, are never handed out
// again (the bridge links records and recognises notifications by id).
const restartGap = 100000

type savedState struct {
	Records         []savedRecord `json:"records"`
	Seq             uint64        `json:"seq"`
	NotificationSeq uint64        `json:"notificationSeq"`
}

type savedRecord struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Fields     map[string]any `json:"fields"`
	Created    time.Time      `json:"created"`
	Modified   time.Time      `json:"modified"`
	Modstamp   time.Time      `json:"modstamp"`
	CreatedBy  string         `json:"createdBy"`
	ModifiedBy string         `json:"modifiedBy"`
	Deleted    bool           `json:"deleted,omitempty"`
}

// SaveState writes the org's records and id sequences.
func (s *Server) SaveState(w io.Writer) error {
	st := s.store
	st.mu.Lock()
	out := savedState{Seq: st.seq}
	for _, typ := range sortedTypes(st.order) {
		for _, id := range st.order[typ] {
			r := st.rows[typ][id]
			if r == nil {
				continue
			}
			out.Records = append(out.Records, savedRecord{Type: typ, ID: id, Fields: maps.Clone(r.fields),
				Created: r.created, Modified: r.modified, Modstamp: r.modstamp, CreatedBy: r.createdBy,
				ModifiedBy: r.modifiedBy, Deleted: r.deleted})
		}
	}
	st.mu.Unlock()
	s.out.mu.Lock()
	out.NotificationSeq = s.out.seq
	s.out.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("salesforcesim: saving state: %w", err)
	}
	return nil
}

// LoadState replaces the org's records and id sequences with a saved state.
// Call it before serving. Field values go through the schema again, so that
// numbers come back with their field's type.
func (s *Server) LoadState(r io.Reader) error {
	var in savedState
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return fmt.Errorf("salesforcesim: reading saved state: %w", err)
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	for name := range st.rows {
		st.rows[name], st.order[name] = map[string]*record{}, nil
	}
	for _, sr := range in.Records {
		sch, ok := st.schemas[sr.Type]
		if !ok {
			return fmt.Errorf("salesforcesim: saved state has unknown sObject %q", sr.Type)
		}
		rec := &record{typ: sr.Type, id: sr.ID, fields: map[string]any{}, created: sr.Created, modified: sr.Modified,
			modstamp: sr.Modstamp, createdBy: sr.CreatedBy, modifiedBy: sr.ModifiedBy, deleted: sr.Deleted}
		for name, v := range sr.Fields {
			f, ok := sch.field(name)
			if !ok {
				return fmt.Errorf("salesforcesim: saved %s %s has unknown field %q", sr.Type, sr.ID, name)
			}
			cv, err := convert(f, v)
			if err != nil {
				return fmt.Errorf("salesforcesim: saved %s %s field %s: %w", sr.Type, sr.ID, name, err)
			}
			rec.fields[name] = cv
		}
		st.rows[sr.Type][sr.ID] = rec
		st.order[sr.Type] = append(st.order[sr.Type], sr.ID)
	}
	st.seq = max(st.seq, in.Seq+restartGap)
	s.out.mu.Lock()
	s.out.seq = max(s.out.seq, in.NotificationSeq+restartGap)
	s.out.mu.Unlock()
	return nil
}

func sortedTypes(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
