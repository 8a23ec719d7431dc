package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hubforce/hubforce"
)

var matchKinds = []MatchKind{MatchEmail, MatchDomain, MatchName, MatchExact}

// object decodes one entry of "objects" and merges it with the built-in
// mapping of contact and company.
func (l *loader) object(m *Mapping, key, n *node) *ObjectMapping {
	name := key.value
	where := "objects." + name
	if !hubspotName.MatchString(name) {
		l.errorf(key, where, "object names use lowercase letters, digits and underscores, starting with a letter")
		return nil
	}
	e := l.entries(n, where, "hubspot", "salesforce", "builtin", "fields", "match", "required", "deletions")
	obj := hubforce.Object(name)
	base, builtin := m.objects[obj]
	om := &ObjectMapping{Object: obj}
	if builtin {
		om.HubSpotType, om.SalesforceType = base.HubSpotType, base.SalesforceType
		om.Match, om.Required = slices.Clone(base.Match), slices.Clone(base.Required)
	}
	l.objectTypes(om, e, key, where, builtin)
	useBuiltin := builtin
	if b, ok := e["builtin"]; ok {
		switch s := l.str(b, where+".builtin"); {
		case !builtin:
			l.errorf(b, where+".builtin", "only contact and company have built-in fields")
		case s == "true":
		case s == "false":
			useBuiltin = false
		default:
			l.errorf(b, where+".builtin", "want true or false, found %q", s)
		}
	}
	fields := l.fields(om, e["fields"], where)
	if useBuiltin {
		om.Fields = merge(base.Fields, fields)
	} else {
		om.Fields = fields
	}
	if r, ok := e["required"]; ok {
		om.Required = l.required(om, r, where+".required")
	}
	if mt, ok := e["match"]; ok {
		om.Match = l.matches(mt, where+".match")
	}
	if d, ok := e["deletions"]; ok {
		om.Deletions = l.deletions(d, where+".deletions")
	}
	l.checkRequired(om, key, where)
	return om
}

func (l *loader) objectTypes(om *ObjectMapping, e map[string]*node, key *node, where string, builtin bool) {
	hs, sf := e["hubspot"], e["salesforce"]
	if builtin {
		if v := l.str(hs, where+".hubspot"); hs != nil && v != om.HubSpotType {
			l.errorf(hs, where+".hubspot", "the HubSpot object of %s is %q and cannot be changed", om.Object, om.HubSpotType)
		}
		if v := l.str(sf, where+".salesforce"); sf != nil && v != om.SalesforceType {
			l.errorf(sf, where+".salesforce", "the Salesforce object of %s is %q and cannot be changed", om.Object, om.SalesforceType)
		}
		return
	}
	hint := ""
	if strings.TrimSuffix(string(om.Object), "s") == string(hubforce.Contact) || om.Object == "companies" {
		hint = ` (the built-in objects are "contact" and "company")`
	}
	om.HubSpotType = l.str(hs, where+".hubspot")
	switch {
	case hs == nil || om.HubSpotType == "":
		l.errorf(or(hs, key), where, "custom object %q needs \"hubspot\", its HubSpot object type (e.g. p_projects or 2-3508482)%s", om.Object, hint)
	case !hubspotObjectType.MatchString(om.HubSpotType):
		l.errorf(hs, where+".hubspot", "%q is not a HubSpot object type (a lowercase name such as p_projects, or an objectTypeId such as 2-3508482)", om.HubSpotType)
	}
	om.SalesforceType = l.str(sf, where+".salesforce")
	switch {
	case sf == nil || om.SalesforceType == "":
		l.errorf(or(sf, key), where, "custom object %q needs \"salesforce\", its sObject API name (e.g. Project__c)%s", om.Object, hint)
	case !validSalesforceName(om.SalesforceType):
		l.errorf(sf, where+".salesforce", "%q is not a valid sObject name: %s", om.SalesforceType, salesforceNameRule)
	}
}

// or picks the node to position a message on: n, or fallback when the key
// is missing.
func or(n, fallback *node) *node {
	if n != nil {
		return n
	}
	return fallback
}

func (l *loader) required(om *ObjectMapping, n *node, where string) []string {
	if n.kind != seqNode {
		l.errorf(n, where, "want a list of Salesforce field names, found %s", n.kind)
		return om.Required
	}
	out := slices.Clone(om.Required)
	for i, item := range n.items {
		w := fmt.Sprintf("%s[%d]", where, i)
		s := l.str(item, w)
		switch {
		case s == "":
			l.errorf(item, w, "empty Salesforce field name")
		case !validSalesforceName(s):
			l.errorf(item, w, "%q is not a valid Salesforce field name: %s", s, salesforceNameRule)
		case !slices.Contains(out, s):
			out = append(out, s)
		}
	}
	return out
}

func (l *loader) matches(n *node, where string) []MatchKey {
	if n.kind != seqNode {
		l.errorf(n, where, "want a list of {hubspot, salesforce, kind}, found %s", n.kind)
		return nil
	}
	var out []MatchKey
	for i, item := range n.items {
		w := fmt.Sprintf("%s[%d]", where, i)
		e := l.entries(item, w, "hubspot", "salesforce", "kind")
		k := MatchKey{
			HubSpot:    l.hubspotField(e["hubspot"], item, w+".hubspot"),
			Salesforce: l.salesforceField(e["salesforce"], item, w+".salesforce"),
			Kind:       MatchExact,
		}
		if kn, ok := e["kind"]; ok {
			k.Kind = MatchKind(l.str(kn, w+".kind"))
			if !slices.Contains(matchKinds, k.Kind) {
				l.errorf(kn, w+".kind", "unknown match kind %q; want one of email, domain, name, exact", k.Kind)
			}
		}
		out = append(out, k)
	}
	return out
}

// hubspotField reads a required HubSpot property name.
func (l *loader) hubspotField(n, parent *node, where string) string {
	s := l.str(n, where)
	switch {
	case s == "":
		l.errorf(or(n, parent), where, "empty HubSpot property name")
	case !hubspotName.MatchString(s):
		l.errorf(n, where, "%q is not a HubSpot internal name: %s", s, hubspotNameRule)
	}
	return s
}

func (l *loader) salesforceField(n, parent *node, where string) string {
	s := l.str(n, where)
	switch {
	case s == "":
		l.errorf(or(n, parent), where, "empty Salesforce field name")
	case !validSalesforceName(s):
		l.errorf(n, where, "%q is not a valid Salesforce field name: %s", s, salesforceNameRule)
	}
	return s
}

// checkRequired reports required Salesforce fields nothing can fill on a
// create from HubSpot.
func (l *loader) checkRequired(om *ObjectMapping, key *node, where string) {
	for _, req := range om.Required {
		at, filled := key, false
		for _, f := range om.Fields {
			if f.Salesforce != req {
				continue
			}
			if f.Line > 0 {
				at = &node{line: f.Line, col: f.Column}
			}
			if f.Rule.Writes(hubforce.HubSpot) != Never || f.Default != "" {
				filled = true
			}
		}
		if !filled {
			l.errorf(at, where, "required Salesforce field %s.%s has neither a mapping from HubSpot nor a default",
				om.SalesforceType, req)
		}
	}
}
