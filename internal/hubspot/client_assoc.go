package hubspot

import (
	"context"
	"net/url"
	"strconv"
)

// Contact→company association type ids defined by HubSpot (associations
// guide, developers.hubspot.com/docs/api-reference/latest/crm/associations/guide,
// "Association type id values"): 1 is the primary company, 279 unlabeled.
const (
	assocPrimaryContactToCompany = 1
	assocCategoryHubSpot         = "HUBSPOT_DEFINED"
)

const (
	routeAssocPut       = "PUT /crm/objects/{version}/{type}/{id}/associations/{toType}/{toId}"
	routeAssocBatchRead = "POST /crm/associations/{version}/{fromType}/{toType}/batch/read"
)

type assocSpec struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

// SetPrimaryCompany makes companyID the contact's primary company with the
// labelled-association PUT and type 1 (CRM Associations 2026-03 spec, PUT
// /crm/objects/{version}/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId});
// HubSpot moves the previous primary to an unlabeled association and keeps
// associatedcompanyid in step.
func (c *Client) SetPrimaryCompany(ctx context.Context, contactID, companyID string) error {
	path := "/crm/objects/" + c.version + "/contacts/" + url.PathEscape(contactID) + "/associations/companies/" + url.PathEscape(companyID)
	body := []assocSpec{{AssociationCategory: assocCategoryHubSpot, AssociationTypeID: assocPrimaryContactToCompany}}
	_, err := c.do(ctx, "PUT", routeAssocPut, path, body, nil)
	return err
}

// assocReadInput is PublicFetchAssociationsBatchRequest: an id, and the
// after cursor of that id's previous page.
type assocReadInput struct {
	ID    string `json:"id"`
	After string `json:"after,omitempty"`
}

// assocBatchResponse is BatchResponsePublicAssociationMultiWithLabel (v4
// shape): per input, from.id, to[{toObjectId, associationTypes[{category,
// typeId, label}]}] and, when more remain, paging.next.after.
type assocBatchResponse struct {
	Results []struct {
		From struct {
			ID json64 `json:"id"`
		} `json:"from"`
		To []struct {
			ToObjectID       json64 `json:"toObjectId"`
			AssociationTypes []struct {
				Category string `json:"category"`
				TypeID   int    `json:"typeId"`
			} `json:"associationTypes"`
		} `json:"to"`
		Paging *struct {
			Next struct {
				After string `json:"after"`
			} `json:"next"`
		} `json:"paging"`
	} `json:"results"`
	Errors []errorBody `json:"errors"`
}

// noAssociations is the 207 entry for an input with no association (or no
// record): category OBJECT_NOT_FOUND, subCategory
// crm.associations.NO_ASSOCIATIONS_FOUND (observed; not documented).
func noAssociations(e errorBody) bool {
	return e.Category == "OBJECT_NOT_FOUND" || e.SubCategory == "crm.associations.NO_ASSOCIATIONS_FOUND"
}

// PrimaryCompanies returns each contact's primary company id; contacts with
// none, or that do not exist, are absent. It reads with the batch
// association read, 100 contacts a call (POST
// /crm/associations/{version}/contacts/companies/batch/read, associations
// guide), and follows a contact's own paging only while its primary
// company has not shown up.
func (c *Client) PrimaryCompanies(ctx context.Context, contactIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(contactIDs))
	var pending []assocReadInput
	seen := map[string]bool{}
	for _, id := range contactIDs {
		if id != "" && !seen[id] {
			seen[id] = true
			pending = append(pending, assocReadInput{ID: id})
		}
	}
	path := "/crm/associations/" + c.version + "/contacts/companies/batch/read"
	for len(pending) > 0 {
		var next []assocReadInput
		for _, idx := range chunks(len(pending), func(int) string { return "" }) {
			req := struct {
				Inputs []assocReadInput `json:"inputs"`
			}{}
			for _, i := range idx {
				req.Inputs = append(req.Inputs, pending[i])
			}
			var resp assocBatchResponse
			if _, err := c.do(ctx, "POST", routeAssocBatchRead, path, req, &resp); err != nil {
				return nil, err
			}
			for _, e := range resp.Errors {
				if !noAssociations(e) {
					ae := errorFrom(e)
					ae.Class = batchErrorClass(e.Category)
					return nil, ae
				}
			}
			for _, r := range resp.Results {
				from := string(r.From.ID)
				for _, to := range r.To {
					for _, t := range to.AssociationTypes {
						if t.TypeID == assocPrimaryContactToCompany && t.Category == assocCategoryHubSpot {
							out[from] = string(to.ToObjectID)
						}
					}
				}
				if _, found := out[from]; !found && r.Paging != nil && r.Paging.Next.After != "" {
					next = append(next, assocReadInput{ID: from, After: r.Paging.Next.After})
				}
			}
		}
		pending = next
	}
	return out, nil
}

// json64 is an id HubSpot sends as a JSON number (v4 toObjectId) or string.
type json64 string

func (j *json64) UnmarshalJSON(b []byte) error {
	s := string(b)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	*j = json64(s)
	return nil
}
