package mapping

import (
	"regexp"
	"strings"
)

// HubSpot internal property names: lowercase letters, digits and
// underscores, starting with a letter
// (https://developers.hubspot.com/docs/api/crm/properties, "name").
var hubspotName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// HubSpot object types in URLs: a name ("contacts", "p_projects") or an
// objectTypeId ("2-3508482").
var hubspotObjectType = regexp.MustCompile(`^([a-z][a-z0-9_]*|[0-9]+-[0-9]+)$`)

// A Salesforce API name part: starts with a letter, letters, digits and
// single underscores, not ending in one.
var salesforcePart = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$`)

// validSalesforceName accepts standard API names ("LastName") and custom
// ones, optionally namespaced ("Region__c", "acme__Region__c").
func validSalesforceName(s string) bool {
	parts := strings.Split(s, "__")
	switch len(parts) {
	case 1:
		return salesforcePart.MatchString(s)
	case 2, 3:
		if parts[len(parts)-1] != "c" {
			return false
		}
		for _, p := range parts[:len(parts)-1] {
			if !salesforcePart.MatchString(p) {
				return false
			}
		}
		return true
	}
	return false
}

const (
	hubspotNameRule    = "HubSpot internal names use lowercase letters, digits and underscores, starting with a letter"
	salesforceNameRule = "Salesforce API names use letters, digits and single underscores, starting with a letter; custom ones end in __c"
)
