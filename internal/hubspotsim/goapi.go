// The Go API: what a person in HubSpot's UI, or another app, does to the
// account. Every write causes the same webhooks as the HTTP API.

package hubspotsim

import (
	"fmt"
)

// mutate runs one write under the store lock and queues its webhooks.
func (s *Server) mutate(objectType string, f func(o *objectStore) (writeResult, *APIError)) (writeResult, error) {
	s.store.mu.Lock()
	o, aerr := s.store.object(objectType)
	var res writeResult
	if aerr == nil {
		res, aerr = f(o)
	}
	s.store.mu.Unlock()
	if aerr != nil {
		return writeResult{}, aerr
	}
	s.hooks.enqueue(res.events)
	return res, nil
}

func (s *Server) publicOf(objectType string, r *record) Record {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, _ := s.store.object(objectType)
	return o.public(r)
}

// Create makes a record, as a UI user or an app would.
func (s *Server) Create(objectType string, props map[string]string, src Source) (Record, error) {
	res, err := s.mutate(objectType, func(o *objectStore) (writeResult, *APIError) {
		return s.store.create(o, props, src)
	})
	if err != nil {
		return Record{}, fmt.Errorf("create %s: %w", objectType, err)
	}
	return s.publicOf(objectType, res.rec), nil
}

// Update writes properties; an empty string clears a value.
func (s *Server) Update(objectType, id string, props map[string]string, src Source) (Record, error) {
	res, err := s.mutate(objectType, func(o *objectStore) (writeResult, *APIError) {
		r, err := o.find(id, "", false)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.update(o, r, props, src)
	})
	if err != nil {
		return Record{}, fmt.Errorf("update %s %s: %w", objectType, id, err)
	}
	return s.publicOf(objectType, res.rec), nil
}

// Archive moves a record to the recycle bin (restorable).
func (s *Server) Archive(objectType, id string, src Source) error {
	_, err := s.mutate(objectType, func(o *objectStore) (writeResult, *APIError) {
		r, err := o.find(id, "", false)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.archive(o, r, src), nil
	})
	if err != nil {
		return fmt.Errorf("archive %s %s: %w", objectType, id, err)
	}
	return nil
}

// Restore brings an archived record back.
func (s *Server) Restore(objectType, id string, src Source) error {
	_, err := s.mutate(objectType, func(o *objectStore) (writeResult, *APIError) {
		r, err := o.find(id, "", true)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.restore(o, r, src)
	})
	if err != nil {
		return fmt.Errorf("restore %s %s: %w", objectType, id, err)
	}
	return nil
}

// Merge folds mergedID into primaryID; mergedID then resolves to primaryID.
func (s *Server) Merge(objectType, primaryID, mergedID string, src Source) error {
	_, err := s.mutate(objectType, func(o *objectStore) (writeResult, *APIError) {
		return s.store.mergeByID(o, primaryID, mergedID, src)
	})
	if err != nil {
		return fmt.Errorf("merge %s %s into %s: %w", objectType, mergedID, primaryID, err)
	}
	return nil
}

// PrivacyDelete permanently deletes a contact (GDPR), firing
// contact.privacyDeletion and contact.deletion.
func (s *Server) PrivacyDelete(contactID string, src Source) error {
	_, err := s.mutate("contacts", func(o *objectStore) (writeResult, *APIError) {
		r, err := o.find(contactID, "", false)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.privacyDelete(o, r, src), nil
	})
	if err != nil {
		return fmt.Errorf("privacy-delete contact %s: %w", contactID, err)
	}
	return nil
}

// Associate makes companyID the contact's primary company (and associates
// the two if they were not).
func (s *Server) Associate(contactID, companyID string, src Source) error {
	return s.associateWith(contactID, companyID, true, src)
}

// Dissociate removes every association between the contact and the company.
func (s *Server) Dissociate(contactID, companyID string, src Source) error {
	_, err := s.mutate("contacts", func(o *objectStore) (writeResult, *APIError) {
		c, co, err := s.store.pair(contactID, companyID)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.dissociate(c, co, src), nil
	})
	if err != nil {
		return fmt.Errorf("dissociate contact %s from company %s: %w", contactID, companyID, err)
	}
	return nil
}

func (s *Server) associateWith(contactID, companyID string, primary bool, src Source) error {
	_, err := s.mutate("contacts", func(o *objectStore) (writeResult, *APIError) {
		c, co, err := s.store.pair(contactID, companyID)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.associate(c, co, primary, src), nil
	})
	if err != nil {
		return fmt.Errorf("associate contact %s with company %s: %w", contactID, companyID, err)
	}
	return nil
}

// Get returns a live record by id (following merges).
func (s *Server) Get(objectType, id string) (Record, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, err := s.store.object(objectType)
	if err != nil {
		return Record{}, false
	}
	r, err := o.find(id, "", false)
	if err != nil {
		return Record{}, false
	}
	return o.public(r), true
}

// List returns every live record of the type in id order.
func (s *Server) List(objectType string) []Record {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, err := s.store.object(objectType)
	if err != nil {
		return nil
	}
	var out []Record
	for _, r := range o.sorted() {
		if !r.archived {
			out = append(out, o.public(r))
		}
	}
	return out
}

// Count is how many live records of the type exist: what a test polls for
// without copying every record under the store's lock.
func (s *Server) Count(objectType string) int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, err := s.store.object(objectType)
	if err != nil {
		return 0
	}
	n := 0
	for _, r := range o.recs {
		if !r.archived {
			n++
		}
	}
	return n
}

// PrimaryCompany returns the contact's primary company id, if any.
func (s *Server) PrimaryCompany(contactID string) (string, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	r, err := s.store.objs["contacts"].find(contactID, "", false)
	if err != nil {
		return "", false
	}
	v, ok := r.props["associatedcompanyid"]
	return v, ok
}
