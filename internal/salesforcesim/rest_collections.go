package salesforcesim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// maxCollection is the sObject Collections record limit per call.
const maxCollection = 200

type collectionBody struct {
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

// collectionItem is one decoded record of a collection request.
type collectionItem struct {
	sch  *schema
	raw  map[string]any
	vals map[string]any
	err  *recError // a record-level problem found while decoding
}

// decodeCollection reads and checks a collection body. Request-level
// problems (too many records, unknown type or field, bad JSON) answer 400
// for the whole call, as Salesforce's deserializer does.
func (s *Server) decodeCollection(r *http.Request) (bool, []collectionItem, *apiError) {
	var body collectionBody
	if aerr := decodeJSON(r, &body); aerr != nil {
		return false, nil, aerr
	}
	if len(body.Records) > maxCollection {
		// Salesforce's answer, as seen in sorenkrabbe/Chrome-Salesforce-inspector#134.
		return false, nil, apiErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
			"record limit reached. cannot submit more than 200 records into this call")
	}
	items := make([]collectionItem, len(body.Records))
	for i, raw := range body.Records {
		attrs, _ := raw["attributes"].(map[string]any)
		typ, _ := attrs["type"].(string)
		if typ == "" {
			return false, nil, apiErr(http.StatusBadRequest, "INVALID_TYPE", "No SObject Type defined in attributes")
		}
		sch, ok := s.schemas[typ]
		if !ok {
			return false, nil, apiErr(http.StatusBadRequest, "INVALID_TYPE",
				fmt.Sprintf("sObject type '%s' is not supported.", typ))
		}
		vals, aerr, rerr := coerce(sch, raw)
		if aerr != nil {
			return false, nil, aerr
		}
		items[i] = collectionItem{sch: sch, raw: raw, vals: vals, err: rerr}
	}
	return body.AllOrNone, items, nil
}

// finish commits or, for allOrNone with a failure, rolls back and marks the
// other records ALL_OR_NONE_OPERATION_ROLLED_BACK (sObject Collections docs).
func finish(t *txn, allOrNone bool, results []saveResult) {
	failed := false
	for _, r := range results {
		failed = failed || !r.Success
	}
	if !allOrNone || !failed {
		t.commit()
		return
	}
	t.rollback()
	for i := range results {
		if results[i].Success {
			results[i] = saveResult{ID: results[i].ID, Success: false, Errors: []*recError{recErr(
				"ALL_OR_NONE_OPERATION_ROLLED_BACK",
				"Record rolled back because not all records were valid and the request was using AllOrNone header")}}
			if results[i].Created != nil {
				results[i].ID = ""
			}
		}
	}
}

func (s *Server) handleCollectionCreate(w http.ResponseWriter, r *http.Request) {
	allOrNone, items, aerr := s.decodeCollection(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	results := make([]saveResult, len(items))
	t := s.store.begin()
	for i, it := range items {
		e := it.err
		var id string
		if e == nil {
			id, e = t.insert(it.sch.name, it.vals, userOf(r))
		}
		if e != nil {
			results[i] = saveResult{Errors: []*recError{e}}
			continue
		}
		results[i] = okResult(id, nil)
	}
	finish(t, allOrNone, results)
	for i := range results {
		if !results[i].Success {
			results[i].ID = "" // a create that did not happen has no id
		}
	}
	writeJSON(w, http.StatusOK, results)
}

func (s *Server) handleCollectionUpdate(w http.ResponseWriter, r *http.Request) {
	allOrNone, items, aerr := s.decodeCollection(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	results := make([]saveResult, len(items))
	t := s.store.begin()
	for i, it := range items {
		rawID, _ := it.vals["Id"].(string)
		e := it.err
		var rec *record
		switch {
		case e != nil:
		case rawID == "":
			e = recErr("MISSING_ARGUMENT", "Id not specified in an update call")
		default:
			rec, e = t.lookup(it.sch.name, rawID)
		}
		if e == nil {
			e = t.update(rec, it.vals, userOf(r))
		}
		if e != nil {
			results[i] = saveResult{Errors: []*recError{e}}
			if rec != nil {
				results[i].ID = rec.id
			}
			continue
		}
		results[i] = okResult(rec.id, nil)
	}
	finish(t, allOrNone, results)
	writeJSON(w, http.StatusOK, results)
}

func (s *Server) handleCollectionUpsert(w http.ResponseWriter, r *http.Request) {
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
	allOrNone, items, aerr := s.decodeCollection(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	seen := map[string]int{}
	for _, it := range items {
		if v, ok := it.vals[key.name].(string); ok {
			seen[strings.ToLower(v)]++
		}
	}
	results := make([]saveResult, len(items))
	t := s.store.begin()
	for i, it := range items {
		if it.sch != sch {
			results[i] = saveResult{Errors: []*recError{recErr("INVALID_TYPE",
				"sObject type in attributes does not match the URL: "+it.sch.name)}}
			continue
		}
		if it.err != nil {
			results[i] = saveResult{Errors: []*recError{it.err}}
			continue
		}
		value, _ := it.vals[key.name].(string)
		if value != "" && seen[strings.ToLower(value)] > 1 {
			results[i] = saveResult{Errors: []*recError{recErr("DUPLICATE_EXTERNAL_ID",
				"Duplicate external id specified: "+value, key.name)}}
			continue
		}
		delete(it.vals, key.name)
		results[i], _, _ = t.upsertOne(sch, key, value, it.vals, userOf(r))
	}
	finish(t, allOrNone, results)
	writeJSON(w, http.StatusOK, results)
}

// handleCollectionRetrieve serves GET /composite/sobjects/{sobject}?ids=&fields=:
// the records in the order asked, null for ids that match no live record.
func (s *Server) handleCollectionRetrieve(w http.ResponseWriter, r *http.Request) {
	sch, aerr := s.schemaOf(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	q := r.URL.Query()
	fields, aerr := fieldList(sch, q.Get("fields"))
	if aerr == nil && len(fields) == 0 {
		aerr = apiErr(http.StatusBadRequest, "MISSING_ARGUMENT", "fields not specified")
	}
	ids := strings.Split(q.Get("ids"), ",")
	if aerr == nil && len(ids) > 2000 {
		aerr = apiErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 2000 records into this call")
	}
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	version := chi.URLParam(r, "version")
	out := make([]any, len(ids))
	t := s.store.begin()
	for i, raw := range ids {
		if id, ok := normaliseID(strings.TrimSpace(raw)); ok {
			if rec, ok := t.st.rows[sch.name][id]; ok && !rec.deleted {
				out[i] = s.render(rec, fields, version)
			}
		}
	}
	t.rollback()
	writeJSON(w, http.StatusOK, out)
}

// handleCollectionDelete serves DELETE /composite/sobjects?ids=…&allOrNone=:
// the sObject type of each id comes from its key prefix.
func (s *Server) handleCollectionDelete(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := strings.Split(q.Get("ids"), ",")
	if len(ids) > maxCollection {
		writeAPIError(w, apiErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
			"record limit reached. cannot submit more than 200 records into this call"))
		return
	}
	results := make([]saveResult, len(ids))
	t := s.store.begin()
	for i, raw := range ids {
		raw = strings.TrimSpace(raw)
		var rec *record
		var e *recError
		full, ok := normaliseID(raw)
		typ := ""
		for name := range s.schemas {
			if ok && prefixOf(name) == full[:3] {
				typ = name
			}
		}
		if typ == "" {
			e = recErr("MALFORMED_ID", "malformed id "+raw)
		} else if rec, e = t.lookup(typ, full); e == nil {
			e = t.remove(rec, userOf(r))
		}
		if e != nil {
			results[i] = saveResult{ID: full, Errors: []*recError{e}}
			continue
		}
		results[i] = okResult(rec.id, nil)
	}
	finish(t, q.Get("allOrNone") == "true", results)
	writeJSON(w, http.StatusOK, results)
}
