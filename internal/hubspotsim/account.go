package hubspotsim

import "net/http"

// accountDetails is the answer of GET /account-info/2026-03/details
// ("Retrieve account details", Account information API 2026-03:
// developers.hubspot.com/docs/api-reference/latest/account/account-information/get-account-details).
// Every field is required in the documented schema; portalId is the one the
// bridge reads.
type accountDetails struct {
	PortalID              int64    `json:"portalId"`
	AccountType           string   `json:"accountType"`
	TimeZone              string   `json:"timeZone"`
	CompanyCurrency       string   `json:"companyCurrency"`
	AdditionalCurrencies  []string `json:"additionalCurrencies"`
	DataHostingLocation   string   `json:"dataHostingLocation"`
	UIDomain              string   `json:"uiDomain"`
	UTCOffset             string   `json:"utcOffset"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds"`
}

// handleAccountDetails serves GET /account-info/2026-03/details for the
// simulated standard account.
func (s *Server) handleAccountDetails(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, accountDetails{
		PortalID: s.cfg.PortalID, AccountType: "STANDARD", TimeZone: "US/Eastern", CompanyCurrency: "USD",
		AdditionalCurrencies: []string{}, DataHostingLocation: "na1", UIDomain: "app.hubspot.com",
		UTCOffset: "-05:00", UTCOffsetMilliseconds: -5 * 3600 * 1000,
	})
}
