package hubspot

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/hubforce/hubforce"
)

// Contact→company association type ids defined by HubSpot (associations v4
// guide, developers.hubspot.com/docs/api-reference/crm-associations-v4/guide,
// "Association type id values"): 1 is the primary company, 279 unlabeled.
const (
	assocPrimaryContactToCompany = 1
	assocCategoryHubSpot         = "HUBSPOT_DEFINED"
)

const (
	routeAssocPut  = "PUT /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}"
	routeAssocList = "GET /crm/v4/objects/{type}/{id}/associations/{toType}"
)

type assocSpec struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

// SetPrimaryCompany makes companyID the contact's primary company with the
// v4 labelled-association PUT and type 1; HubSpot moves the previous primary
// to an unlabeled association and keeps associatedcompanyid in step.
func (c *Client) SetPrimaryCompany(ctx context.Context, contactID, companyID string) error {
	path := "/crm/v4/objects/contacts/" + url.PathEscape(contactID) + "/associations/companies/" + url.PathEscape(companyID)
	body := []assocSpec{{AssociationCategory: assocCategoryHubSpot, AssociationTypeID: assocPrimaryContactToCompany}}
	_, err := c.do(ctx, "PUT", routeAssocPut, path, body, nil)
	return err
}

type assocList struct {
	Results []struct {
		ToObjectID       json64 `json:"toObjectId"`
		AssociationTypes []struct {
			Category string `json:"category"`
			TypeID   int    `json:"typeId"`
		} `json:"associationTypes"`
	} `json:"results"`
	Paging *struct {
		Next struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// PrimaryCompanies returns each contact's primary company id; contacts with
// none, or that do not exist, are absent. One v4 list call per contact: the
// simulator does not serve the v4 batch read.
func (c *Client) PrimaryCompanies(ctx context.Context, contactIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(contactIDs))
	for _, id := range contactIDs {
		if _, seen := out[id]; seen || id == "" {
			continue
		}
		company, err := c.primaryCompany(ctx, id)
		var ae *hubforce.APIError
		if errors.As(err, &ae) && ae.Class == hubforce.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if company != "" {
			out[id] = company
		}
	}
	return out, nil
}

func (c *Client) primaryCompany(ctx context.Context, contactID string) (string, error) {
	after := ""
	for {
		path := "/crm/v4/objects/contacts/" + url.PathEscape(contactID) + "/associations/companies?limit=500"
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		var list assocList
		if _, err := c.do(ctx, "GET", routeAssocList, path, nil, &list); err != nil {
			return "", err
		}
		for _, r := range list.Results {
			for _, t := range r.AssociationTypes {
				if t.TypeID == assocPrimaryContactToCompany && t.Category == assocCategoryHubSpot {
					return string(r.ToObjectID), nil
				}
			}
		}
		if list.Paging == nil || list.Paging.Next.After == "" {
			return "", nil
		}
		after = list.Paging.Next.After
	}
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
