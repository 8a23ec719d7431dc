package salesforcesim

import (
	"fmt"
	"time"
)

// The Go API makes changes as another user would in the Salesforce UI: the
// same validation as REST, the given user as CreatedById/LastModifiedById,
// and an Outbound Message for creates and updates. It costs no API calls.

func (s *Server) schemaFor(sobject string) (*schema, error) {
	sch, ok := s.schemas[sobject]
	if !ok {
		return nil, fmt.Errorf("salesforcesim: unknown sObject %q", sobject)
	}
	return sch, nil
}

func coerceGo(sch *schema, fields map[string]any) (map[string]any, error) {
	vals, aerr, rerr := coerce(sch, fields)
	if aerr != nil {
		return nil, fmt.Errorf("salesforcesim: %w", aerr)
	}
	if rerr != nil {
		return nil, fmt.Errorf("salesforcesim: %w", rerr)
	}
	return vals, nil
}

// Create inserts a record as userID and returns its 18-character id.
// Errors carry Salesforce's status code, e.g. "REQUIRED_FIELD_MISSING: …".
func (s *Server) Create(sobject string, fields map[string]any, userID string) (string, error) {
	sch, err := s.schemaFor(sobject)
	if err != nil {
		return "", err
	}
	vals, err := coerceGo(sch, fields)
	if err != nil {
		return "", err
	}
	t := s.store.begin()
	id, rerr := t.insert(sobject, vals, userID)
	if rerr != nil {
		t.rollback()
		return "", fmt.Errorf("salesforcesim: create %s: %w", sobject, rerr)
	}
	t.commit()
	return id, nil
}

// Update changes fields of a record as userID; a nil value clears a field.
func (s *Server) Update(sobject, id string, fields map[string]any, userID string) error {
	sch, err := s.schemaFor(sobject)
	if err != nil {
		return err
	}
	vals, err := coerceGo(sch, fields)
	if err != nil {
		return err
	}
	t := s.store.begin()
	rec, rerr := t.lookup(sobject, id)
	if rerr == nil {
		rerr = t.update(rec, vals, userID)
	}
	if rerr != nil {
		t.rollback()
		return fmt.Errorf("salesforcesim: update %s %s: %w", sobject, id, rerr)
	}
	t.commit()
	return nil
}

// Delete moves a record to the recycle bin as userID. Workflow rules do not
// fire on delete, so no Outbound Message is queued.
func (s *Server) Delete(sobject, id, userID string) error {
	if _, err := s.schemaFor(sobject); err != nil {
		return err
	}
	t := s.store.begin()
	rec, rerr := t.lookup(sobject, id)
	if rerr == nil {
		rerr = t.remove(rec, userID)
	}
	if rerr != nil {
		t.rollback()
		return fmt.Errorf("salesforcesim: delete %s %s: %w", sobject, id, rerr)
	}
	t.commit()
	return nil
}

// Merge merges mergedID into masterID as userID, as the merge of the UI or
// the SOAP API's merge() does: the merged record goes to the recycle bin
// with MasterRecordId naming the master (Object Reference, "MasterRecordId";
// SOAP API "merge()"). As with any deletion no Outbound Message is sent.
func (s *Server) Merge(sobject, masterID, mergedID, userID string) error {
	if _, err := s.schemaFor(sobject); err != nil {
		return err
	}
	t := s.store.begin()
	master, rerr := t.lookup(sobject, masterID)
	var merged *record
	if rerr == nil {
		merged, rerr = t.lookup(sobject, mergedID)
	}
	if rerr == nil && master.id == merged.id {
		rerr = recErr("INVALID_ID_FIELD", "cannot merge a record with itself")
	}
	if rerr == nil {
		if rerr = t.remove(merged, userID); rerr == nil {
			t.st.rows[sobject][merged.id].fields["MasterRecordId"] = master.id
		}
	}
	if rerr != nil {
		t.rollback()
		return fmt.Errorf("salesforcesim: merge %s %s into %s: %w", sobject, mergedID, masterID, rerr)
	}
	t.commit()
	return nil
}

// Get returns a live record's fields (system fields included; timestamps as
// time.Time), or false when there is none or it is deleted.
func (s *Server) Get(sobject, id string) (map[string]any, bool) {
	full, ok := normaliseID(id)
	if !ok {
		return nil, false
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	rec, ok := s.store.rows[sobject][full]
	if !ok || rec.deleted {
		return nil, false
	}
	return s.snapshot(rec), true
}

// List returns the live records of sobject in creation order.
func (s *Server) List(sobject string) []map[string]any {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var out []map[string]any
	for _, id := range s.store.order[sobject] {
		if rec := s.store.rows[sobject][id]; !rec.deleted {
			out = append(out, s.snapshot(rec))
		}
	}
	return out
}

// Count is how many records of sobject exist (not deleted): what a test
// polls for without copying every record under the store's lock.
func (s *Server) Count(sobject string) int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	n := 0
	for _, rec := range s.store.rows[sobject] {
		if !rec.deleted {
			n++
		}
	}
	return n
}

func (s *Server) snapshot(rec *record) map[string]any {
	out := map[string]any{}
	for _, f := range s.schemas[rec.typ].fields {
		if v := rec.value(f.name); v != nil && v != "" {
			if t, ok := v.(time.Time); ok {
				v = t.UTC()
			}
			out[f.name] = v
		}
	}
	return out
}
