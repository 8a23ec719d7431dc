// Single-object endpoints of the CRM objects API (2026-03, 2026-09 and v3
// alike).

package hubspotsim

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"
)

const (
	listDefaultLimit = 10
	listMaxLimit     = 100
)

// handleGet serves GET /crm/v3/objects/{objectType}/{objectId} with
// properties, idProperty, archived and associations.
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	w, flush := deferWrites(w)
	defer flush() // runs after the unlock below
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	rec, err := o.find(chi.URLParam(r, "objectId"), r.URL.Query().Get("idProperty"), boolParam(r, "archived"))
	if err != nil {
		writeErr(w, err)
		return
	}
	j := o.toJSON(rec, o.view(rec, listParam(r, "properties")))
	j.PropertiesWithHistory = o.historyView(rec, listParam(r, "propertiesWithHistory"))
	j.Associations = s.store.associationsJSON(o, rec, listParam(r, "associations"))
	writeJSON(w, http.StatusOK, j)
}

// handleList serves GET /crm/v3/objects/{objectType}: records in id order,
// limit ≤ 100, after = the id of the next record (contacts guide).
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	limit := listDefaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > listMaxLimit {
			writeErr(w, validationErr("limit must be between 1 and 100, got "+v))
			return
		}
		limit = n
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeErr(w, validationErr("Invalid after cursor: "+v))
			return
		}
		after = n
	}
	archived := boolParam(r, "archived")
	props, assocs := listParam(r, "properties"), listParam(r, "associations")
	history := listParam(r, "propertiesWithHistory")
	if len(history) > 0 && limit > maxBatchHistoryInputs {
		// HubSpot lowers the page size when histories are requested.
		limit = maxBatchHistoryInputs
	}
	w, flush := deferWrites(w)
	defer flush() // runs after the unlock below
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	type page struct {
		Results []objectJSON `json:"results"`
		Paging  *paging      `json:"paging,omitempty"`
	}
	out := page{Results: []objectJSON{}}
	for _, rec := range o.sorted() {
		if rec.archived != archived || rec.id < after {
			continue
		}
		if len(out.Results) == limit {
			out.Paging = nextPage(r, strconv.FormatInt(rec.id, 10))
			break
		}
		j := o.toJSON(rec, o.view(rec, props))
		j.PropertiesWithHistory = o.historyView(rec, history)
		j.Associations = s.store.associationsJSON(o, rec, assocs)
		out.Results = append(out.Results, j)
	}
	writeJSON(w, http.StatusOK, out)
}

type paging struct {
	Next struct {
		After string `json:"after"`
		Link  string `json:"link,omitempty"`
	} `json:"next"`
}

// nextPage builds paging.next with the link to the next page on this host.
func nextPage(r *http.Request, after string) *paging {
	q := r.URL.Query()
	q.Set("after", after)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	p := &paging{}
	p.Next.After, p.Next.Link = after, u.String()
	return p
}

type createInput struct {
	Properties   propertyInput      `json:"properties"`
	Associations []associationInput `json:"associations"`
}

// handleCreate serves POST /crm/v3/objects/{objectType} → 201.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	var in createInput
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Properties == nil {
		writeErr(w, missingAttributes("SimplePublicObjectInputForCreate", "properties"))
		return
	}
	s.writeOne(w, o, http.StatusCreated, func(o *objectStore) (writeResult, *APIError) {
		if err := s.store.checkAssociationInputs(o, in.Associations); err != nil {
			return writeResult{}, err
		}
		res, err := s.store.create(o, in.Properties, s.sourceOf(r))
		if err != nil {
			return res, err
		}
		res.events = append(res.events, s.store.applyAssociationInputs(o, res.rec, in.Associations, s.sourceOf(r))...)
		return res, nil
	})
}

// writeOne runs a single-record write and answers with the record as it
// now stands, or with HubSpot's error.
func (s *Server) writeOne(w http.ResponseWriter, o *objectStore, status int, f func(o *objectStore) (writeResult, *APIError)) {
	var out objectJSON
	_, err := s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		res, err := f(o)
		if err == nil {
			out = o.toJSON(res.rec, allProps(res.rec))
		}
		return res, err
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return
	}
	writeJSON(w, status, out)
}

// handleUpdate serves PATCH /crm/v3/objects/{objectType}/{objectId}.
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	var in createInput
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Properties == nil {
		writeErr(w, missingAttributes("SimplePublicObjectInput", "properties"))
		return
	}
	s.writeOne(w, o, http.StatusOK, func(o *objectStore) (writeResult, *APIError) {
		rec, err := o.find(chi.URLParam(r, "objectId"), r.URL.Query().Get("idProperty"), false)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.update(o, rec, in.Properties, s.sourceOf(r))
	})
}

// handleArchive serves DELETE …/{objectId} → 204, also for ids that do not
// exist or are already archived (HubSpot answers 204 there too).
func (s *Server) handleArchive(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	_, _ = s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		rec, err := o.find(chi.URLParam(r, "objectId"), "", false)
		if err != nil {
			return writeResult{}, nil
		}
		return s.store.archive(o, rec, s.sourceOf(r)), nil
	})
	w.WriteHeader(http.StatusNoContent)
}

// handleMerge serves POST …/merge {primaryObjectId, objectIdToMerge}.
func (s *Server) handleMerge(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	var in struct {
		PrimaryObjectID string `json:"primaryObjectId"`
		ObjectIDToMerge string `json:"objectIdToMerge"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.writeOne(w, o, http.StatusOK, func(o *objectStore) (writeResult, *APIError) {
		return s.store.mergeByID(o, in.PrimaryObjectID, in.ObjectIDToMerge, s.source())
	})
}

// handleGDPRDelete serves POST /crm/v3/objects/contacts/gdpr-delete → 204.
func (s *Server) handleGDPRDelete(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	if o.t.name != "contacts" {
		writeErr(w, notFound())
		return
	}
	var in struct {
		ObjectID   string `json:"objectId"`
		IDProperty string `json:"idProperty"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	_, err := s.mutate(o.t.name, func(o *objectStore) (writeResult, *APIError) {
		rec, err := o.find(in.ObjectID, in.IDProperty, false)
		if err != nil {
			return writeResult{}, err
		}
		return s.store.privacyDelete(o, rec, s.source()), nil
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
