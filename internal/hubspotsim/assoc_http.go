// Contact↔company associations: the v4 endpoints
// (developers.hubspot.com/docs/api-reference/crm-associations-v4/guide),
// `associations` on v3 create, and `associations=` on v3 reads.

package hubspotsim

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// flexID accepts an id sent as a JSON string or number.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*f = flexID(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*f = flexID(s)
	return nil
}

type assocSpec struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

type associationInput struct {
	To struct {
		ID flexID `json:"id"`
	} `json:"to"`
	Types []assocSpec `json:"types"`
}

// specPrimary classifies a HubSpot-defined contact↔company type id.
func specPrimary(from string, typeID int) (primary, ok bool) {
	switch {
	case from == "contacts" && typeID == assocPrimaryContactToCompany,
		from == "companies" && typeID == assocPrimaryCompanyToContact:
		return true, true
	case from == "contacts" && typeID == assocUnlabeledContactToCompany,
		from == "companies" && typeID == assocUnlabeledCompanyToContact:
		return false, true
	}
	return false, false
}

// ends orders a pair of records as (contact, company). Callers hold mu.
func (s *store) ends(from string, fromID, toID string) (*record, *record, *APIError) {
	if from == "contacts" {
		return s.pair(fromID, toID)
	}
	return s.pair(toID, fromID)
}

func (s *store) checkAssociationInputs(o *objectStore, ins []associationInput) *APIError {
	other := map[string]string{"contacts": "companies", "companies": "contacts"}[o.t.name]
	for _, in := range ins {
		if _, err := s.objs[other].find(string(in.To.ID), "", false); err != nil {
			return validationErr("Association target " + string(in.To.ID) + " does not exist")
		}
		for _, t := range in.Types {
			if _, ok := specPrimary(o.t.name, t.AssociationTypeID); !ok {
				return validationErr("Unsupported association type " + strconv.Itoa(t.AssociationTypeID))
			}
		}
	}
	return nil
}

func (s *store) applyAssociationInputs(o *objectStore, rec *record, ins []associationInput, src Source) []Event {
	var evs []Event
	for _, in := range ins {
		primary := false
		for _, t := range in.Types {
			p, _ := specPrimary(o.t.name, t.AssociationTypeID)
			primary = primary || p
		}
		c, co, err := s.ends(o.t.name, strconv.FormatInt(rec.id, 10), string(in.To.ID))
		if err == nil {
			evs = append(evs, s.associate(c, co, primary, src).events...)
		}
	}
	return evs
}

// associationsJSON renders v3 `associations` for the requested types; types
// with no associations are left out, as HubSpot does.
func (s *store) associationsJSON(o *objectStore, rec *record, names []string) map[string]assocCollection {
	out := map[string]assocCollection{}
	for _, n := range names {
		var links []assocLink
		prefix := ""
		switch {
		case o.t.name == "contacts" && (n == "companies" || n == "company" || n == "0-2"):
			links, prefix = s.companiesOf(rec.id), "contact_to_company"
		case o.t.name == "companies" && (n == "contacts" || n == "contact" || n == "0-1"):
			links, prefix = s.contactsOf(rec.id), "company_to_contact"
		default:
			continue
		}
		var c assocCollection
		for _, l := range links {
			id := strconv.FormatInt(l.id, 10)
			if l.primary {
				c.Results = append(c.Results, assocRef{ID: id, Type: prefix})
			}
			c.Results = append(c.Results, assocRef{ID: id, Type: prefix + "_unlabeled"})
		}
		if len(c.Results) > 0 {
			out[n] = c
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// v4Ends validates the path's object types and returns the canonical
// from-type name.
func (s *Server) v4Ends(w http.ResponseWriter, r *http.Request) (string, bool) {
	from, ok1 := s.store.types[chi.URLParam(r, "objectType")]
	to, ok2 := s.store.types[chi.URLParam(r, "toObjectType")]
	if !ok1 || !ok2 || from == to {
		writeErr(w, validationErr("Only contact↔company associations are simulated"))
		return "", false
	}
	return from.name, true
}

func (s *Server) assocWrite(w http.ResponseWriter, r *http.Request, primary bool) (from string, became bool, ok bool) {
	from, ok = s.v4Ends(w, r)
	if !ok {
		return "", false, false
	}
	_, err := s.mutate("contacts", func(*objectStore) (writeResult, *APIError) {
		c, co, err := s.store.ends(from, chi.URLParam(r, "objectId"), chi.URLParam(r, "toObjectId"))
		if err != nil {
			return writeResult{}, err
		}
		res := s.store.associate(c, co, primary, s.source())
		became = s.store.assoc[c.id][co.id]
		return res, nil
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return "", false, false
	}
	return from, became, true
}

// handleAssocDefault serves PUT …/associations/default/{toObjectType}/{toObjectId}.
func (s *Server) handleAssocDefault(w http.ResponseWriter, r *http.Request) {
	started := s.cfg.Now()
	from, primary, ok := s.assocWrite(w, r, false)
	if !ok {
		return
	}
	type result struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		AssociationSpec assocSpec `json:"associationSpec"`
	}
	unlabeled, primaryType := assocUnlabeledContactToCompany, assocPrimaryContactToCompany
	if from == "companies" {
		unlabeled, primaryType = assocUnlabeledCompanyToContact, assocPrimaryCompanyToContact
	}
	mk := func(typeID int) result {
		var res result
		res.From.ID, res.To.ID = chi.URLParam(r, "objectId"), chi.URLParam(r, "toObjectId")
		res.AssociationSpec = assocSpec{AssociationCategory: "HUBSPOT_DEFINED", AssociationTypeID: typeID}
		return res
	}
	results := []result{mk(unlabeled)}
	if primary {
		results = append(results, mk(primaryType))
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results,
		"startedAt": isoMillis(started), "completedAt": isoMillis(s.cfg.Now())})
}

// handleAssocLabeled serves PUT …/associations/{toObjectType}/{toObjectId}
// with a body of association specs; type 1 (contact→company) makes the
// company primary.
func (s *Server) handleAssocLabeled(w http.ResponseWriter, r *http.Request) {
	var specs []assocSpec
	if !decodeBody(w, r, &specs) {
		return
	}
	fromName := ""
	if t, ok := s.store.types[chi.URLParam(r, "objectType")]; ok {
		fromName = t.name
	}
	primary := false
	for _, sp := range specs {
		p, ok := specPrimary(fromName, sp.AssociationTypeID)
		if !ok {
			writeErr(w, validationErr("Unsupported association type "+strconv.Itoa(sp.AssociationTypeID)))
			return
		}
		primary = primary || p
	}
	from, isPrimary, ok := s.assocWrite(w, r, primary)
	if !ok {
		return
	}
	// Ids are strings in the current v4 spec (LabelsBetweenObjectPair,
	// HubSpot's spec-generated SDKs); older generated SDKs typed them int.
	fromID, toID := chi.URLParam(r, "objectId"), chi.URLParam(r, "toObjectId")
	fromType, toType := "0-1", "0-2"
	if from == "companies" {
		fromType, toType = toType, fromType
	}
	labels := []string{}
	if isPrimary && from == "contacts" {
		labels = append(labels, "Primary")
	}
	writeJSON(w, http.StatusCreated, map[string]any{"fromObjectTypeId": fromType, "fromObjectId": fromID,
		"toObjectTypeId": toType, "toObjectId": toID, "labels": labels})
}

// handleAssocDelete serves DELETE …/associations/{toObjectType}/{toObjectId} → 204.
func (s *Server) handleAssocDelete(w http.ResponseWriter, r *http.Request) {
	from, ok := s.v4Ends(w, r)
	if !ok {
		return
	}
	_, err := s.mutate("contacts", func(*objectStore) (writeResult, *APIError) {
		c, co, err := s.store.ends(from, chi.URLParam(r, "objectId"), chi.URLParam(r, "toObjectId"))
		if err != nil {
			return writeResult{}, err
		}
		return s.store.dissociate(c, co, s.source()), nil
	})
	if err != nil {
		writeErr(w, asAPIError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// assocTypeJSON and assocItemJSON are AssociationSpecWithLabel and
// MultiAssociatedObjectWithLabel; toObjectId is a string as in the current
// spec and a 2025 capture.
type assocTypeJSON struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

type assocItemJSON struct {
	ToObjectID       string          `json:"toObjectId"`
	AssociationTypes []assocTypeJSON `json:"associationTypes"`
}

// assocItems renders a record's associations to the other type, in id
// order. Callers hold mu.
func (s *store) assocItems(from string, id int64) []assocItemJSON {
	links := s.companiesOf(id)
	unlabeled, primaryType, label := assocUnlabeledContactToCompany, assocPrimaryContactToCompany, strPtr("Primary")
	if from == "companies" {
		links = s.contactsOf(id)
		unlabeled, primaryType, label = assocUnlabeledCompanyToContact, assocPrimaryCompanyToContact, nil
	}
	items := []assocItemJSON{}
	for _, l := range links {
		it := assocItemJSON{ToObjectID: strconv.FormatInt(l.id, 10)}
		if l.primary {
			it.AssociationTypes = append(it.AssociationTypes, assocTypeJSON{"HUBSPOT_DEFINED", primaryType, label})
		}
		it.AssociationTypes = append(it.AssociationTypes, assocTypeJSON{"HUBSPOT_DEFINED", unlabeled, nil})
		items = append(items, it)
	}
	return items
}

// handleAssocList serves GET …/associations/{toObjectType}
// (CollectionResponseMultiAssociatedObjectWithLabel).
func (s *Server) handleAssocList(w http.ResponseWriter, r *http.Request) {
	from, ok := s.v4Ends(w, r)
	if !ok {
		return
	}
	w, flush := deferWrites(w)
	defer flush() // runs after the unlock below
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	rec, err := s.store.objs[from].find(chi.URLParam(r, "objectId"), "", false)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": s.store.assocItems(from, rec.id)})
}
