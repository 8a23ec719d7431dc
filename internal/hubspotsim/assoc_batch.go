// POST /crm/associations/{version}/{fromObjectType}/{toObjectType}/batch/read
// (and the legacy /crm/v4/associations/…/batch/read): the associations of
// many records in one call, in the v4 shape
// (HubSpot's CRM Associations 2026-03 and 2026-09 specs,
// BatchInputPublicFetchAssociationsBatchRequest →
// BatchResponsePublicAssociationMultiWithLabel; associations guide
// developers.hubspot.com/docs/api-reference/latest/crm/associations/guide).

package hubspotsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// assocPageSize is how many associated records one input's result carries
// before it pages (the per-record list's documented maximum limit, 500).
const assocPageSize = 500

type assocResultJSON struct {
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To     []assocItemJSON `json:"to"`
	Paging *paging         `json:"paging,omitempty"`
}

// handleAssocBatchRead answers each input {id, after} with its
// associations, 500 at a time with a per-input paging.next.after. An input
// with none, or naming no record, is a 207 error OBJECT_NOT_FOUND with
// subCategory crm.associations.NO_ASSOCIATIONS_FOUND ("No company is
// associated with contact 1."): not documented, but what real portals
// answer (public captures in several integrations' notes).
func (s *Server) handleAssocBatchRead(w http.ResponseWriter, r *http.Request) {
	from, ok := s.v4Ends(w, r)
	if !ok {
		return
	}
	var in struct {
		Inputs []struct {
			ID    flexID `json:"id"`
			After string `json:"after"`
		} `json:"inputs"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Inputs == nil {
		writeErr(w, validationErr("Invalid input JSON: inputs is required"))
		return
	}
	if err := checkBatchSize(len(in.Inputs)); err != nil {
		writeErr(w, err)
		return
	}
	fromT, toT := s.store.objs[from].t, s.store.objs[otherType(from)].t
	resp := struct {
		batchResponse
		Results []assocResultJSON `json:"results"`
	}{batchResponse: newBatchResponse(s.cfg.Now(), s.cfg.Now), Results: []assocResultJSON{}}
	s.store.mu.Lock()
	for _, input := range in.Inputs {
		id := string(input.ID)
		var items []assocItemJSON
		if rec, err := s.store.objs[from].find(id, "", false); err == nil {
			items = s.store.assocItems(from, rec.id)
		}
		start, ok := assocCursor(input.After)
		if !ok {
			s.store.mu.Unlock()
			writeErr(w, validationErr("Invalid after cursor: "+input.After))
			return
		}
		if start >= len(items) {
			resp.addError(batchError{Category: "OBJECT_NOT_FOUND", SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
				Message: fmt.Sprintf("No %s is associated with %s %s.", toT.singular, fromT.singular, id),
				Context: map[string][]string{"fromObjectId": {id}, "fromObjectType": {fromT.singular}, "toObjectType": {toT.singular}}})
			continue
		}
		var res assocResultJSON
		res.From.ID = id
		end := min(start+assocPageSize, len(items))
		res.To = items[start:end]
		if end < len(items) {
			res.Paging = &paging{}
			res.Paging.Next.After = base64.URLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		}
		resp.Results = append(resp.Results, res)
	}
	s.store.mu.Unlock()
	resp.CompletedAt = isoMillis(s.cfg.Now())
	status := http.StatusOK
	if resp.NumErrors > 0 {
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, resp)
}

// assocCursor decodes a per-input after (opaque to clients, as HubSpot's).
func assocCursor(after string) (int, bool) {
	if after == "" {
		return 0, true
	}
	raw, err := base64.URLEncoding.DecodeString(after)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	return n, err == nil && n >= 0
}

func otherType(name string) string {
	if name == "contacts" {
		return "companies"
	}
	return "contacts"
}
