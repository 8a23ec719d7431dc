package mapping

import (
	"slices"

	"github.com/hubforce/hubforce"
)

// Mapping is the whole field mapping: per object, the fields synced, the
// keys records are matched on, and the Salesforce fields a create must fill.
// It is read-only once built and safe for concurrent use.
type Mapping struct {
	objects map[hubforce.Object]*ObjectMapping
	order   []hubforce.Object
}

// ObjectMapping maps one object type.
type ObjectMapping struct {
	Object hubforce.Object
	// HubSpotType is the CRM v3 object type in URLs ("contacts",
	// "p_projects" or an objectTypeId such as "2-3508482").
	HubSpotType string
	// SalesforceType is the sObject ("Contact", "Project__c").
	SalesforceType string
	Fields         []Field
	// Match lists the keys tried, in order, to find an existing record on
	// the other side before creating one.
	Match []MatchKey
	// Required lists Salesforce fields a create must fill (Contact.LastName).
	Required []string
	// Deletions says, by the side a record was deleted on, what happens
	// to its counterpart (see Mapping.Deletion); absent means ignore.
	Deletions map[hubforce.Side]Deletion
}

// MatchKey is one pair of fields records are matched on.
type MatchKey struct {
	HubSpot    string
	Salesforce string
	Kind       MatchKind
}

// MatchKind says how a key's values are normalised before comparison.
type MatchKind string

const (
	MatchEmail  MatchKind = "email"  // trimmed, lower-cased
	MatchDomain MatchKind = "domain" // a bare domain, from a URL on either side
	MatchName   MatchKind = "name"   // trimmed, spaces collapsed, lower-cased
	MatchExact  MatchKind = "exact"  // trimmed
)

// Objects lists the mapped objects, built-in ones first.
func (m *Mapping) Objects() []hubforce.Object { return slices.Clone(m.order) }

// Object returns an object's mapping (ok false when it is not mapped). The
// result is shared: do not modify it.
func (m *Mapping) Object(obj hubforce.Object) (*ObjectMapping, bool) {
	om, ok := m.objects[obj]
	return om, ok
}

// Fields returns a copy of an object's fields, rule none included.
func (m *Mapping) Fields(obj hubforce.Object) []Field {
	if om, ok := m.objects[obj]; ok {
		return slices.Clone(om.Fields)
	}
	return nil
}

// Field finds the field named name on side s (rule none included).
func (m *Mapping) Field(obj hubforce.Object, s hubforce.Side, name string) (Field, bool) {
	if om, ok := m.objects[obj]; ok {
		for _, f := range om.Fields {
			if f.Name(s) == name && name != "" {
				return f, true
			}
		}
	}
	return Field{}, false
}

// Mapped reports whether a change to field on side s can be written to the
// other side. A change to an unmapped field is acknowledged, counted and
// not delivered.
func (m *Mapping) Mapped(obj hubforce.Object, s hubforce.Side, field string) bool {
	f, ok := m.Field(obj, s, field)
	return ok && f.Rule.Writes(s) != Never
}

// HubSpotProperties lists the properties to ask for when reading an
// object's records from HubSpot (batch read, search).
func (m *Mapping) HubSpotProperties(obj hubforce.Object) []string {
	return m.names(obj, hubforce.HubSpot)
}

// SalesforceFields lists the fields to select when reading an object's
// records from Salesforce (SOQL).
func (m *Mapping) SalesforceFields(obj hubforce.Object) []string {
	return m.names(obj, hubforce.Salesforce)
}

// Names lists the fields to read on side s: the synced fields and the
// match keys.
func (m *Mapping) Names(obj hubforce.Object, s hubforce.Side) []string {
	return m.names(obj, s)
}

// names lists synced fields and match keys on side s, each once, in
// mapping order.
func (m *Mapping) names(obj hubforce.Object, s hubforce.Side) []string {
	om, ok := m.objects[obj]
	if !ok {
		return nil
	}
	var out []string
	add := func(n string) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, f := range om.Fields {
		if f.Rule != None {
			add(f.Name(s))
		}
	}
	for _, k := range om.Match {
		if s == hubforce.HubSpot {
			add(k.HubSpot)
		} else {
			add(k.Salesforce)
		}
	}
	return out
}

// ConditionalFields lists the target-side fields whose write, for a change
// made on side from, depends on the target's current value (the
// prefer-X-unless-blank rules). When a change touches one of them the engine
// reads the target record and passes it with the Current option.
func (m *Mapping) ConditionalFields(obj hubforce.Object, from hubforce.Side) []string {
	om, ok := m.objects[obj]
	if !ok {
		return nil
	}
	var out []string
	for _, f := range om.Fields {
		if f.Rule.Writes(from) == IfTargetBlank {
			out = append(out, f.Name(from.Other()))
		}
	}
	return out
}
