package hubspotsim

import (
	"net/http"
)

// handleBatchUpsert serves POST …/batch/upsert: each input names its record
// by a unique property (idProperty email for contacts, domain for
// companies); existing records are updated, others created, and every
// result says which with `new`.
func (s *Server) handleBatchUpsert(w http.ResponseWriter, r *http.Request) {
	o, inputs, ok := s.batchInputs(w, r, upsertInput)
	if !ok {
		return
	}
	keys := make([]string, len(inputs))
	for i, input := range inputs {
		if input.IDProperty != o.t.uniqueProp {
			writeErr(w, validationErr("idProperty must be a unique value property such as "+o.t.uniqueProp+", got "+
				quoteOrEmpty(input.IDProperty)))
			return
		}
		keys[i] = o.t.normaliseValue(o.t.uniqueProp, input.ID)
	}
	if err := duplicateIDs(keys); err != nil {
		writeErr(w, err)
		return
	}
	resp := newBatchResponse(s.cfg.Now(), s.cfg.Now)
	_, err := s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		var all writeResult
		props := make([]map[string]string, len(inputs))
		recs := make([]*record, len(inputs))
		for i, input := range inputs {
			p := map[string]string{}
			for k, v := range input.Properties {
				p[k] = v
			}
			p[o.t.uniqueProp] = input.ID
			if errs := o.t.validate(p, s.store.portalID); len(errs) > 0 {
				return all, propertyErrors(errs)
			}
			props[i] = p
			if n, ok := o.unique[keys[i]]; ok {
				recs[i] = o.recs[n]
			}
		}
		for i := range inputs {
			var res writeResult
			var err *APIError
			if recs[i] != nil {
				res, err = s.store.update(o, recs[i], props[i], s.source())
			} else {
				res, err = s.store.create(o, props[i], s.source())
			}
			if err != nil {
				return all, err
			}
			all.events = append(all.events, res.events...)
			j := o.toJSON(res.rec, allProps(res.rec))
			j.New = boolPtr(res.created)
			resp.Results = append(resp.Results, j)
		}
		return all, nil
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return
	}
	resp.CompletedAt = isoMillis(s.cfg.Now())
	writeJSON(w, http.StatusOK, resp)
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return `"` + s + `"`
}
