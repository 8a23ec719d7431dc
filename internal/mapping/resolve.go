package mapping

import (
	"time"

	"github.com/hubforce/hubforce"
)

// Resolve decides, for one field whose values differ between the two sides
// (a conflict, or a reconciliation pass that sees both records), which side
// wins and the value that wins, in the winner's representation. The field
// is named by its HubSpot property. winner is "" when the field is not
// synced (rule none, or not mapped): leave both sides alone.
//
//   - two-way: the newer change wins; on equal times HubSpot wins, so that
//     every replica decides alike.
//   - hubspot-to-salesforce / salesforce-to-hubspot: the source side wins.
//   - prefer-X-unless-blank: X wins unless its value is blank, then the
//     other side fills it.
func (m *Mapping) Resolve(obj hubforce.Object, field, hubspotValue, salesforceValue string, hubspotAt, salesforceAt time.Time) (winner hubforce.Side, value string) {
	f, ok := m.Field(obj, hubforce.HubSpot, field)
	if !ok {
		return "", ""
	}
	pick := func(s hubforce.Side) (hubforce.Side, string) {
		if s == hubforce.HubSpot {
			return s, hubspotValue
		}
		return s, salesforceValue
	}
	switch f.Rule {
	case TwoWay:
		if salesforceAt.After(hubspotAt) {
			return pick(hubforce.Salesforce)
		}
		return pick(hubforce.HubSpot)
	case HubSpotToSalesforce:
		return pick(hubforce.HubSpot)
	case SalesforceToHubSpot:
		return pick(hubforce.Salesforce)
	case PreferSalesforceUnlessBlank:
		if blank(salesforceValue) {
			return pick(hubforce.HubSpot)
		}
		return pick(hubforce.Salesforce)
	case PreferHubSpotUnlessBlank:
		if blank(hubspotValue) {
			return pick(hubforce.Salesforce)
		}
		return pick(hubforce.HubSpot)
	}
	return "", ""
}
