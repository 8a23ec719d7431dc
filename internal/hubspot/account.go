package hubspot

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hubforce/hubforce"
)

// Account information API, "Retrieve account details":
// GET /account-info/2026-03/details answers the account's portalId (its
// "Hub ID") with its type, time zone and currencies
// (developers.hubspot.com/docs/api-reference/latest/account/account-information/get-account-details;
// guide: developers.hubspot.com/docs/api-reference/latest/account/account-information/guide).
const (
	routeAccountDetails = "GET /account-info/{version}/details"
)

// PortalID asks HubSpot which account ("portal", "hub") the credentials
// belong to. The bridge's store remembers it, so that a database is never
// used with another portal's data.
func (c *Client) PortalID(ctx context.Context) (int64, error) {
	var out struct {
		PortalID int64 `json:"portalId"`
	}
	if _, err := c.do(ctx, http.MethodGet, routeAccountDetails, "/account-info/"+c.version+"/details", nil, &out); err != nil {
		return 0, err
	}
	if out.PortalID <= 0 {
		return 0, &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Permanent,
			Message: fmt.Sprintf("%s answered no portalId", routeAccountDetails)}
	}
	return out.PortalID, nil
}
