package mapping

import "github.com/hubforce/hubforce"

// Type says how a value is represented on each side. HubSpot property values
// are always strings in its JSON; Salesforce's REST API wants JSON numbers
// and booleans for number, currency, int and checkbox fields.
type Type string

const (
	Text    Type = "text"    // strings on both sides
	Number  Type = "number"  // double/currency on Salesforce (JSON number)
	Integer Type = "integer" // int on Salesforce (JSON integer), e.g. NumberOfEmployees
	Boolean Type = "boolean" // HubSpot "true"/"false", Salesforce checkbox
	// Domain: HubSpot holds a bare domain ("acme.com"), Salesforce a URL
	// (Website "https://www.acme.com/"); values are compared by domain.
	Domain Type = "domain"
)

// Types lists the accepted types.
func Types() []Type { return []Type{Text, Number, Integer, Boolean, Domain} }

func (t Type) valid() bool {
	for _, k := range Types() {
		if t == k {
			return true
		}
	}
	return false
}

// Field maps one HubSpot property to one Salesforce field.
type Field struct {
	HubSpot    string // internal property name, e.g. "lastname"
	Salesforce string // API name, e.g. "LastName", "Region__c"
	Rule       Rule
	Type       Type
	// Values translates picklist values, both ways.
	Values ValueMap
	// Default is the Salesforce value written in place of a blank HubSpot
	// value, so that a required Salesforce field is never left empty.
	Default string

	// Line and Column are where the field was declared in the mapping file
	// (0: built in).
	Line, Column int
}

// Name returns the field's name on side s.
func (f Field) Name(s hubforce.Side) string {
	if s == hubforce.HubSpot {
		return f.HubSpot
	}
	return f.Salesforce
}

// Label names the pair for messages: "lastname ↔ LastName".
func (f Field) Label() string {
	hs, sf := f.HubSpot, f.Salesforce
	if hs == "" {
		hs = "?"
	}
	if sf == "" {
		sf = "?"
	}
	return hs + " ↔ " + sf
}
