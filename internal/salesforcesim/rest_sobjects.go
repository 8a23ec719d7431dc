package salesforcesim

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// handleCreate serves POST /sobjects/{sobject} → 201 {id, success, errors}.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	sch, vals, ok := s.recordBody(w, r)
	if !ok {
		return
	}
	t := s.store.begin()
	id, rerr := t.insert(sch.name, vals, userOf(r))
	if rerr != nil {
		t.rollback()
		writeAPIError(w, fromRec(http.StatusBadRequest, rerr))
		return
	}
	t.commit()
	writeJSON(w, http.StatusCreated, okResult(id, nil))
}

// target finds the record a /sobjects/{sobject}/{id} URL names. A segment
// that is not an id is read as an external id field (and does not exist).
func (s *Server) target(t *txn, sch *schema, raw string) (*record, *apiError) {
	id, ok := normaliseID(raw)
	if !ok {
		return nil, apiErr(http.StatusNotFound, "NOT_FOUND",
			"Provided external ID field does not exist or is not accessible: "+raw)
	}
	rec, found := t.st.rows[sch.name][id]
	if !found {
		return nil, errNotFound()
	}
	if rec.deleted {
		e := fromRec(http.StatusNotFound, errDeleted())
		e.Fields = []string{}
		return nil, e
	}
	return rec, nil
}

// handleGet serves GET /sobjects/{sobject}/{id}?fields=….
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	sch, aerr := s.schemaOf(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	var fields []string
	if q := r.URL.Query().Get("fields"); q != "" {
		if fields, aerr = fieldList(sch, q); aerr != nil {
			writeAPIError(w, aerr)
			return
		}
	}
	t := s.store.begin()
	rec, aerr := s.target(t, sch, chi.URLParam(r, "id"))
	var out orderedRecord
	if aerr == nil {
		out = s.render(rec, fields, chi.URLParam(r, "version"))
	}
	t.rollback()
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleUpdate serves PATCH /sobjects/{sobject}/{id} → 204.
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	sch, vals, ok := s.recordBody(w, r)
	if !ok {
		return
	}
	t := s.store.begin()
	rec, aerr := s.target(t, sch, chi.URLParam(r, "id"))
	if aerr != nil {
		t.rollback()
		writeAPIError(w, aerr)
		return
	}
	if rerr := t.update(rec, vals, userOf(r)); rerr != nil {
		t.rollback()
		writeAPIError(w, fromRec(http.StatusBadRequest, rerr))
		return
	}
	t.commit()
	w.WriteHeader(http.StatusNoContent)
}

// handleDelete serves DELETE /sobjects/{sobject}/{id} → 204.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	sch, aerr := s.schemaOf(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	t := s.store.begin()
	rec, aerr := s.target(t, sch, chi.URLParam(r, "id"))
	if aerr != nil {
		t.rollback()
		writeAPIError(w, aerr)
		return
	}
	_ = t.remove(rec, userOf(r)) // target already refused a deleted record
	t.commit()
	w.WriteHeader(http.StatusNoContent)
}

// handleUpsert serves PATCH /sobjects/{sobject}/{field}/{value}: 201 with
// created:true, 200 with created:false (API 46.0+), 300 with the matching
// records' URLs when the value is not unique, 404 for a field that cannot
// key an upsert ("Upsert Records Using sObject Rows by External ID").
func (s *Server) handleUpsert(w http.ResponseWriter, r *http.Request) {
	sch, aerr := s.schemaOf(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	key, ok := sch.isUpsertKey(chi.URLParam(r, "field"))
	if !ok {
		writeAPIError(w, errNotFound())
		return
	}
	var body map[string]any
	if aerr := decodeJSON(r, &body); aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	vals, aerr, rerr := coerce(sch, body)
	if aerr == nil && rerr == nil {
		if _, has := vals["Id"]; has {
			rerr = recErr("INVALID_FIELD", "Id is not allowed in the request body of an upsert", "Id")
		} else if _, has := vals[key.name]; has {
			rerr = recErr("INVALID_FIELD", key.name+" is the external id of this upsert and cannot be set in the request body", key.name)
		}
	}
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	if rerr != nil {
		writeAPIError(w, fromRec(http.StatusBadRequest, rerr))
		return
	}
	value := chi.URLParam(r, "value")
	version := chi.URLParam(r, "version")
	t := s.store.begin()
	res, status, matches := t.upsertOne(sch, key, value, vals, userOf(r))
	if status == http.StatusMultipleChoices {
		t.rollback()
		urls := []string{}
		for _, m := range matches {
			urls = append(urls, recordURL(version, m.typ, m.id))
		}
		writeJSON(w, status, urls)
		return
	}
	if !res.Success {
		t.rollback()
		writeAPIError(w, fromRec(status, res.Errors[0]))
		return
	}
	t.commit()
	writeJSON(w, status, res)
}

// handleGetByExternalID serves GET /sobjects/{sobject}/{field}/{value}: the
// record, 404 when none matches, 300 with the URLs when several do.
func (s *Server) handleGetByExternalID(w http.ResponseWriter, r *http.Request) {
	sch, aerr := s.schemaOf(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	key, ok := sch.isUpsertKey(chi.URLParam(r, "field"))
	if !ok || key.name == "Id" {
		writeAPIError(w, errNotFound())
		return
	}
	version := chi.URLParam(r, "version")
	t := s.store.begin()
	found := t.match(sch.name, key, chi.URLParam(r, "value"))
	var out any
	switch len(found) {
	case 0:
	case 1:
		out = s.render(found[0], nil, version)
	default:
		urls := []string{}
		for _, m := range found {
			urls = append(urls, recordURL(version, m.typ, m.id))
		}
		out = urls
	}
	t.rollback()
	switch len(found) {
	case 0:
		writeAPIError(w, errNotFound())
	case 1:
		writeJSON(w, http.StatusOK, out)
	default:
		writeJSON(w, http.StatusMultipleChoices, out)
	}
}

// recordBody is the prologue of a single-record write: the sObject type of
// the URL and the body's fields, coerced to its schema. A request-level
// error and a field error both answer 400, as Salesforce does for one record.
func (s *Server) recordBody(w http.ResponseWriter, r *http.Request) (*schema, map[string]any, bool) {
	sch, aerr := s.schemaOf(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return nil, nil, false
	}
	var body map[string]any
	if aerr := decodeJSON(r, &body); aerr != nil {
		writeAPIError(w, aerr)
		return nil, nil, false
	}
	vals, aerr, rerr := coerce(sch, body)
	if aerr != nil {
		writeAPIError(w, aerr)
		return nil, nil, false
	}
	if rerr != nil {
		writeAPIError(w, fromRec(http.StatusBadRequest, rerr))
		return nil, nil, false
	}
	return sch, vals, true
}
