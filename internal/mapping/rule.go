package mapping

import "github.com/hubforce/hubforce"

// Rule says which way one field flows. The names are those of the mapping
// file (SPEC §1); the prefer-X-unless-blank pair follows HubSpot's own
// Salesforce connector, which documents "Prefer Salesforce unless blank" as:
// HubSpot writes to Salesforce only when Salesforce has no value, a value in
// Salesforce always overwrites HubSpot, and deleting the value in Salesforce
// deletes it in HubSpot too
// (https://knowledge.hubspot.com/salesforce/map-hubspot-properties-to-salesforce-fields).
type Rule string

const (
	TwoWay                      Rule = "two-way"
	HubSpotToSalesforce         Rule = "hubspot-to-salesforce"
	SalesforceToHubSpot         Rule = "salesforce-to-hubspot"
	PreferSalesforceUnlessBlank Rule = "prefer-salesforce-unless-blank"
	PreferHubSpotUnlessBlank    Rule = "prefer-hubspot-unless-blank"
	None                        Rule = "none"
)

// Rules lists every rule in the order the documentation gives them.
func Rules() []Rule {
	return []Rule{TwoWay, HubSpotToSalesforce, SalesforceToHubSpot,
		PreferSalesforceUnlessBlank, PreferHubSpotUnlessBlank, None}
}

// Valid reports whether r is one of the six rules.
func (r Rule) Valid() bool {
	for _, k := range Rules() {
		if r == k {
			return true
		}
	}
	return false
}

// WriteMode says whether a change on one side is written to the other.
type WriteMode int

const (
	// Never: the change is not written (an "unmapped" decision).
	Never WriteMode = iota
	// Always: the change is written, a blank value clearing the target.
	Always
	// IfTargetBlank: written only when the target's current value is blank;
	// the engine must know the target's value (see the Current option).
	IfTargetBlank
)

// Writes returns how a change made on side from flows to the other side.
func (r Rule) Writes(from hubforce.Side) WriteMode {
	switch r {
	case TwoWay:
		return Always
	case HubSpotToSalesforce:
		return modeIf(from == hubforce.HubSpot, Always, Never)
	case SalesforceToHubSpot:
		return modeIf(from == hubforce.Salesforce, Always, Never)
	case PreferSalesforceUnlessBlank:
		return modeIf(from == hubforce.Salesforce, Always, IfTargetBlank)
	case PreferHubSpotUnlessBlank:
		return modeIf(from == hubforce.HubSpot, Always, IfTargetBlank)
	}
	return Never
}

func modeIf(cond bool, yes, no WriteMode) WriteMode {
	if cond {
		return yes
	}
	return no
}
