// Batch endpoints of the CRM v3 objects API: at most 100 inputs each
// (usage guidelines; the 400 wording is HubSpot's, widely observed).

package hubspotsim

import (
	"fmt"
	"net/http"
	"strings"
)

const (
	maxBatchInputs        = 100
	maxBatchHistoryInputs = 50
)

func checkBatchSize(n int) *APIError {
	if n > maxBatchInputs {
		return validationErr("The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again")
	}
	return nil
}

func duplicateIDs(ids []string) *APIError {
	seen, dups := map[string]bool{}, []string{}
	for _, id := range ids {
		if seen[id] {
			dups = append(dups, id)
		}
		seen[id] = true
	}
	if len(dups) == 0 {
		return nil
	}
	return validationErr(fmt.Sprintf("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", ")))
}

func notFoundBatchError(o *objectStore, ids []string) batchError {
	return batchError{Category: "OBJECT_NOT_FOUND",
		Message: fmt.Sprintf("Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.", o.t.upper),
		Context: map[string][]string{"ids": ids}}
}

type batchInput struct {
	ID                 string             `json:"id"`
	IDProperty         string             `json:"idProperty"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId"`
	Properties         propertyInput      `json:"properties"`
	Associations       []associationInput `json:"associations"`
}

// handleBatchRead serves POST …/batch/read; missing ids make a 207.
// propertiesWithHistory caps the inputs at 50, as HubSpot does.
func (s *Server) handleBatchRead(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	var in struct {
		Properties            []string     `json:"properties"`
		PropertiesWithHistory []string     `json:"propertiesWithHistory"`
		IDProperty            string       `json:"idProperty"`
		Inputs                []batchInput `json:"inputs"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if err := checkBatchSize(len(in.Inputs)); err != nil {
		writeErr(w, err)
		return
	}
	if len(in.PropertiesWithHistory) > 0 && len(in.Inputs) > maxBatchHistoryInputs {
		writeErr(w, validationErr("The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again"))
		return
	}
	started := s.cfg.Now()
	archived := boolParam(r, "archived")
	s.store.mu.Lock()
	resp := newBatchResponse(started, s.cfg.Now)
	var missing []string
	seen := map[string]bool{}
	for _, input := range in.Inputs {
		if seen[input.ID] {
			continue
		}
		seen[input.ID] = true
		rec, err := o.find(input.ID, in.IDProperty, archived)
		if err != nil {
			if err.HTTPStatus != http.StatusNotFound {
				s.store.mu.Unlock()
				writeErr(w, err)
				return
			}
			missing = append(missing, input.ID)
			continue
		}
		j := o.toJSON(rec, o.view(rec, in.Properties))
		j.PropertiesWithHistory = o.historyView(rec, in.PropertiesWithHistory)
		resp.Results = append(resp.Results, j)
	}
	s.store.mu.Unlock()
	if len(missing) > 0 {
		resp.addError(notFoundBatchError(o, missing))
	}
	resp.write(w, http.StatusOK)
}

// precheckCreate validates a create without writing: properties, unique
// values against the store and against earlier inputs of the same batch.
func (s *store) precheckCreate(o *objectStore, props map[string]string, batchSeen map[string]bool) *APIError {
	if errs := o.t.validate(props, s.portalID); len(errs) > 0 {
		return propertyErrors(errs)
	}
	norm := o.normalise(props)
	if err := o.checkUnique(norm, 0); err != nil {
		return err
	}
	if v := norm[o.t.uniqueProp]; v != "" {
		if batchSeen[v] {
			return validationErr(fmt.Sprintf("Duplicate %s values found in batch input: %s", o.t.uniqueProp, v))
		}
		batchSeen[v] = true
	}
	return nil
}

// allTraced reports whether every input carries an objectWriteTraceId: only
// then does HubSpot answer a batch create with a per-input 207.
func allTraced(ins []batchInput) bool {
	for _, in := range ins {
		if in.ObjectWriteTraceID == "" {
			return false
		}
	}
	return len(ins) > 0
}

// handleBatchCreate serves POST …/batch/create → 201. Without trace ids the
// batch is all or nothing: the first invalid input fails the request.
func (s *Server) handleBatchCreate(w http.ResponseWriter, r *http.Request) {
	o, inputs, ok := s.batchInputs(w, r, batchCreateInput)
	if !ok {
		return
	}
	traced := allTraced(inputs)
	resp := newBatchResponse(s.cfg.Now(), s.cfg.Now)
	_, err := s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		seen := map[string]bool{}
		var all writeResult
		if !traced {
			for _, input := range inputs {
				if err := s.store.precheckCreate(o, input.Properties, seen); err != nil {
					return all, err
				}
				if err := s.store.checkAssociationInputs(o, input.Associations); err != nil {
					return all, err
				}
			}
		}
		for _, input := range inputs {
			err := s.store.precheckCreate(o, input.Properties, map[string]bool{})
			if err == nil {
				err = s.store.checkAssociationInputs(o, input.Associations)
			}
			if err != nil {
				resp.addError(batchError{Category: err.Category, Message: err.Message,
					Context: map[string][]string{"objectWriteTraceId": {input.ObjectWriteTraceID}}})
				continue
			}
			res, _ := s.store.create(o, input.Properties, s.sourceOf(r))
			res.events = append(res.events, s.store.applyAssociationInputs(o, res.rec, input.Associations, s.sourceOf(r))...)
			all.events = append(all.events, res.events...)
			resp.Results = append(resp.Results, o.toJSON(res.rec, allProps(res.rec)))
		}
		return all, nil
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return
	}
	resp.CompletedAt = isoMillis(s.cfg.Now())
	resp.write(w, http.StatusCreated)
}

// handleBatchUpdate serves POST …/batch/update: invalid properties or a
// taken unique value fail the whole batch; unknown ids make a 207.
func (s *Server) handleBatchUpdate(w http.ResponseWriter, r *http.Request) {
	o, inputs, ok := s.batchInputs(w, r, updateInput)
	if !ok {
		return
	}
	ids := make([]string, len(inputs))
	for i, input := range inputs {
		ids[i] = input.ID
	}
	if err := duplicateIDs(ids); err != nil {
		writeErr(w, err)
		return
	}
	resp := newBatchResponse(s.cfg.Now(), s.cfg.Now)
	_, err := s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		var all writeResult
		recs := make([]*record, len(inputs))
		var missing []string
		claimed := map[string]int64{}
		for i, input := range inputs {
			if errs := o.t.validate(input.Properties, s.store.portalID); len(errs) > 0 {
				return all, propertyErrors(errs)
			}
			rec, err := o.find(input.ID, input.IDProperty, false)
			if err != nil {
				missing = append(missing, input.ID)
				continue
			}
			recs[i] = rec
			norm := o.normalise(input.Properties)
			if err := o.checkUnique(norm, rec.id); err != nil {
				return all, err
			}
			if v := norm[o.t.uniqueProp]; v != "" {
				if other, dup := claimed[v]; dup && other != rec.id {
					return all, conflictErr(o.t, other)
				}
				claimed[v] = rec.id
			}
		}
		for i, input := range inputs {
			if recs[i] == nil {
				continue
			}
			res, err := s.store.update(o, recs[i], input.Properties, s.sourceOf(r))
			if err != nil {
				return all, err
			}
			all.events = append(all.events, res.events...)
			resp.Results = append(resp.Results, o.toJSON(res.rec, allProps(res.rec)))
		}
		if len(missing) > 0 {
			resp.addError(notFoundBatchError(o, missing))
		}
		return all, nil
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return
	}
	resp.CompletedAt = isoMillis(s.cfg.Now())
	resp.write(w, http.StatusOK)
}

// handleBatchArchive serves POST …/batch/archive → 204.
func (s *Server) handleBatchArchive(w http.ResponseWriter, r *http.Request) {
	o, inputs, ok := s.batchInputs(w, r, archiveInput)
	if !ok {
		return
	}
	_, _ = s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		var all writeResult
		for _, input := range inputs {
			if rec, err := o.find(input.ID, "", false); err == nil {
				all.events = append(all.events, s.store.archive(o, rec, s.source()).events...)
			}
		}
		return all, nil
	})
	w.WriteHeader(http.StatusNoContent)
}
