package salesforcesim

import (
	"strings"
)

// kind is a field's data type as the enterprise WSDL and REST describe it.
type kind int

const (
	kString kind = iota
	kID
	kBool
	kInt
	kDouble
	kDate
	kDateTime
)

// xsdType is the field's type in the Outbound Message WSDL.
func (k kind) xsdType() string {
	switch k {
	case kID:
		return "ent:ID"
	case kBool:
		return "xsd:boolean"
	case kInt:
		return "xsd:int"
	case kDouble:
		return "xsd:double"
	case kDate:
		return "xsd:date"
	case kDateTime:
		return "xsd:dateTime"
	}
	return "xsd:string"
}

type field struct {
	name     string
	kind     kind
	readOnly bool // system or formula field: not createable, not updateable
	required bool // not nillable, no default: REQUIRED_FIELD_MISSING
	email    bool
	idLookup bool   // may be the key of an upsert (standard objects)
	ref      string // for references: the sObject type referred to
}

// schema is the described shape of one sObject type.
type schema struct {
	name   string
	fields []field
	byName map[string]int // lower-case name → index; field names are case-insensitive
	extIDs map[string]bool
}

func (s *schema) field(name string) (field, bool) {
	i, ok := s.byName[strings.ToLower(name)]
	if !ok {
		return field{}, false
	}
	return s.fields[i], true
}

// isUpsertKey reports whether name may key an upsert: Id, a custom External
// ID field, or a standard idLookup field (SOAP API upsert(): "On standard
// objects, this call can use the name of any field with the idLookup
// property", developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_upsert.htm).
func (s *schema) isUpsertKey(name string) (field, bool) {
	f, ok := s.field(name)
	if !ok {
		return field{}, false
	}
	return f, f.name == "Id" || f.idLookup || s.extIDs[f.name]
}

var systemFields = []field{
	{name: "Id", kind: kID, readOnly: true},
	{name: "IsDeleted", kind: kBool, readOnly: true},
	{name: "CreatedDate", kind: kDateTime, readOnly: true},
	{name: "CreatedById", kind: kID, readOnly: true, ref: "User"},
	{name: "LastModifiedDate", kind: kDateTime, readOnly: true},
	{name: "LastModifiedById", kind: kID, readOnly: true, ref: "User"},
	{name: "SystemModstamp", kind: kDateTime, readOnly: true},
	{name: "OwnerId", kind: kID, ref: "User"},
	// Set on a record deleted by a merge: the record that was kept (Object
	// Reference, Contact and Account, "MasterRecordId").
	{name: "MasterRecordId", kind: kID, readOnly: true},
}

func text(names ...string) []field {
	out := make([]field, len(names))
	for i, n := range names {
		out[i] = field{name: n}
	}
	return out
}

// Standard fields follow the Object Reference for Contact and Account; only
// the ones a sync bridge plausibly maps are modelled.
func contactFields() []field {
	f := []field{
		{name: "LastName", required: true},
		{name: "Name", readOnly: true}, // compound, computed from First/Last
		{name: "Email", email: true, idLookup: true},
		{name: "AccountId", kind: kID, ref: "Account"},
		{name: "Birthdate", kind: kDate},
		{name: "HasOptedOutOfEmail", kind: kBool},
		{name: "DoNotCall", kind: kBool},
	}
	return append(f, text("FirstName", "Salutation", "Phone", "MobilePhone", "Fax", "Title",
		"Department", "LeadSource", "Description", "MailingStreet", "MailingCity",
		"MailingState", "MailingPostalCode", "MailingCountry")...)
}

func accountFields() []field {
	f := []field{
		{name: "Name", required: true, idLookup: true},
		{name: "NumberOfEmployees", kind: kInt},
		{name: "AnnualRevenue", kind: kDouble},
		{name: "ParentId", kind: kID, ref: "Account"},
	}
	return append(f, text("Type", "Industry", "Website", "Phone", "Fax", "AccountNumber",
		"Description", "Site", "BillingStreet", "BillingCity", "BillingState",
		"BillingPostalCode", "BillingCountry", "ShippingStreet", "ShippingCity",
		"ShippingState", "ShippingPostalCode", "ShippingCountry")...)
}

func buildSchemas(custom, checkboxes, extIDs map[string][]string) map[string]*schema {
	out := map[string]*schema{}
	for name, std := range map[string][]field{"Contact": contactFields(), "Account": accountFields()} {
		s := &schema{name: name, byName: map[string]int{}, extIDs: map[string]bool{}}
		s.fields = append(append([]field{}, systemFields...), std...)
		for _, c := range custom[name] {
			s.fields = append(s.fields, field{name: c})
		}
		for _, c := range checkboxes[name] {
			s.fields = append(s.fields, field{name: c, kind: kBool})
		}
		for i, f := range s.fields {
			s.byName[strings.ToLower(f.name)] = i
		}
		for _, e := range extIDs[name] {
			if f, ok := s.field(e); ok && strings.HasSuffix(f.name, "__c") {
				s.extIDs[f.name] = true
			}
		}
		out[name] = s
	}
	return out
}
