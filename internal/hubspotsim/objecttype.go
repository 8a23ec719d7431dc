package hubspotsim

import (
	"fmt"
	"strconv"
	"strings"
)

// objectType describes one CRM object as the simulator models it. Property
// lists follow HubSpot's default properties (contacts and companies guides);
// the bridge's default mapping only uses these.
type objectType struct {
	name         string // URL name: contacts, companies
	typeID       string // 0-1, 0-2
	singular     string // contact, company (webhook subscription prefix)
	upper        string // CONTACT, COMPANY (batch error messages)
	uniqueProp   string // email, domain
	modifiedProp string // lastmodifieddate, hs_lastmodifieddate
	// defaultProps are returned when a read names no properties. HubSpot's
	// documented examples show these for GET, list and search alike.
	defaultProps []string
	writable     map[string]bool
	readOnly     map[string]bool
	custom       map[string]bool // the account's own properties (Config.CustomProperties)
	rules        map[string]ValidationRule
}

// ValidationRule is a property validation rule an admin set in the
// account's property settings (knowledge base "Set validation rules for
// properties"). HubSpot enforces them on API and integration writes too
// (changelog "Property Validations Rules will be enforced for APIs and
// Integrations", July 2023; the 2026-09 API version keeps enforcing them),
// answering 400 VALIDATION_ERROR with the rule's message in the
// "Property values were not valid" list, e.g. error INVALID_ALPHA, message
// "Enter only letters".
type ValidationRule struct {
	// Error is the rule's code in the answer, e.g. INVALID_ALPHA.
	Error string
	// Message is the admin's message, e.g. "Enter only letters".
	Message string
	// Valid reports whether a non-empty value passes.
	Valid func(value string) bool
}

var contactWritable = []string{
	"email", "firstname", "lastname", "phone", "mobilephone", "fax", "jobtitle",
	"address", "city", "state", "zip", "country", "company", "website",
	"lifecyclestage", "hs_lead_status", "hs_timezone", "hs_additional_emails",
	"annualrevenue", "industry", "numemployees", "salutation", "hubspot_owner_id",
}

var companyWritable = []string{
	"name", "domain", "phone", "industry", "address", "address2", "city", "state",
	"zip", "country", "numberofemployees", "annualrevenue", "description",
	"website", "lifecyclestage", "type", "hs_additional_domains", "hubspot_owner_id",
	"twitterhandle", "linkedin_company_page",
}

func newObjectTypes(custom map[string][]string) map[string]*objectType {
	contacts := &objectType{
		name: "contacts", typeID: "0-1", singular: "contact", upper: "CONTACT",
		uniqueProp: "email", modifiedProp: "lastmodifieddate",
		defaultProps: []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
	}
	companies := &objectType{
		name: "companies", typeID: "0-2", singular: "company", upper: "COMPANY",
		uniqueProp: "domain", modifiedProp: "hs_lastmodifieddate",
		defaultProps: []string{"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
	}
	for _, t := range []struct {
		ot       *objectType
		writable []string
	}{{contacts, contactWritable}, {companies, companyWritable}} {
		t.ot.writable, t.ot.custom, t.ot.rules = map[string]bool{}, map[string]bool{}, map[string]ValidationRule{}
		for _, p := range t.writable {
			t.ot.writable[p] = true
		}
		for _, p := range custom[t.ot.name] {
			t.ot.writable[strings.ToLower(p)] = true
			t.ot.custom[strings.ToLower(p)] = true
		}
		t.ot.readOnly = map[string]bool{
			"createdate": true, "hs_object_id": true, t.ot.modifiedProp: true,
			"hs_merged_object_ids": true,
		}
	}
	// The primary company's id, kept by HubSpot from the association.
	contacts.readOnly["associatedcompanyid"] = true
	return map[string]*objectType{
		"contacts": contacts, "0-1": contacts,
		"companies": companies, "0-2": companies,
	}
}

// known reports whether a property exists on the object (readable).
func (t *objectType) known(p string) bool { return t.writable[p] || t.readOnly[p] }

// propertyError is one entry of HubSpot's "Property values were not valid"
// list, as in the PROPERTY_DOESNT_EXIST sample (using-object-apis page).
type propertyError struct {
	IsValid               bool   `json:"isValid"`
	Message               string `json:"message"`
	Error                 string `json:"error"`
	Name                  string `json:"name"`
	LocalizedErrorMessage string `json:"localizedErrorMessage"`
	PortalID              int64  `json:"portalId"`
}

// validate checks a write's properties and returns HubSpot's per-property
// errors (empty when valid).
func (t *objectType) validate(props map[string]string, portalID int64) []propertyError {
	var errs []propertyError
	add := func(name, code, msg string) {
		errs = append(errs, propertyError{Message: msg, Error: code, Name: name,
			LocalizedErrorMessage: msg, PortalID: portalID})
	}
	for _, name := range sortedKeys(props) {
		v := props[name]
		rule, ruled := t.rules[name]
		switch {
		case t.readOnly[name]:
			add(name, "READ_ONLY_VALUE", fmt.Sprintf("%q is a read only property; its value cannot be set.", name))
		case !t.writable[name]:
			add(name, "PROPERTY_DOESNT_EXIST", fmt.Sprintf("Property %q does not exist", name))
		case name == "email" && t.name == "contacts" && v != "" && !plausibleEmail(v):
			add(name, "INVALID_EMAIL", fmt.Sprintf("Email address %s is invalid", v))
		case numericProps[name] && v != "" && !isNumber(v):
			add(name, "INVALID_INTEGER", fmt.Sprintf("%s was not a valid number.", v))
		case name == "lifecyclestage" && t.name == "contacts" && v != "" && lifecycleOrder[v] == 0:
			add(name, "INVALID_OPTION", fmt.Sprintf("%q was not one of the allowed options: [subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other]", v))
		case ruled && v != "" && !rule.Valid(v):
			add(name, rule.Error, rule.Message)
		}
	}
	return errs
}

// numericProps are number-typed default properties; HubSpot refuses values
// that do not parse ("discount was not a valid number", error-handling page).
var numericProps = map[string]bool{"numberofemployees": true, "annualrevenue": true}

func isNumber(v string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return err == nil
}

func plausibleEmail(v string) bool {
	at := strings.LastIndexByte(v, '@')
	return at > 0 && at < len(v)-1 && !strings.ContainsAny(v, " \t\r\n")
}

// lifecycleOrder is the default contact lifecycle; HubSpot only lets the
// stage move forward (contacts guide): a backward write is ignored.
var lifecycleOrder = map[string]int{
	"subscriber": 1, "lead": 2, "marketingqualifiedlead": 3, "salesqualifiedlead": 4,
	"opportunity": 5, "customer": 6, "evangelist": 7, "other": 8,
}

// normaliseValue applies HubSpot's storage rules to one written value.
func (t *objectType) normaliseValue(name, v string) string {
	if name == t.uniqueProp {
		return strings.ToLower(strings.TrimSpace(v))
	}
	return v
}
