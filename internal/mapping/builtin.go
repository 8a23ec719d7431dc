package mapping

import "github.com/hubforce/hubforce"

// Default returns the built-in mapping of SPEC §1: contacts ↔ Contact and
// companies ↔ Account, every field two-way.
func Default() *Mapping {
	m := &Mapping{objects: map[hubforce.Object]*ObjectMapping{}}
	for _, om := range []*ObjectMapping{builtinContact(), builtinCompany()} {
		m.objects[om.Object] = om
		m.order = append(m.order, om.Object)
	}
	return m
}

func builtinContact() *ObjectMapping {
	return &ObjectMapping{
		Object:         hubforce.Contact,
		HubSpotType:    hubforce.Contact.HubSpotName(),
		SalesforceType: hubforce.Contact.SalesforceName(),
		Fields: []Field{
			text("email", "Email"),
			text("firstname", "FirstName"),
			text("lastname", "LastName"),
			text("phone", "Phone"),
			text("mobilephone", "MobilePhone"),
			text("jobtitle", "Title"),
			text("address", "MailingStreet"),
			text("city", "MailingCity"),
			text("state", "MailingState"),
			text("zip", "MailingPostalCode"),
			text("country", "MailingCountry"),
		},
		Match:    []MatchKey{{HubSpot: "email", Salesforce: "Email", Kind: MatchEmail}},
		Required: []string{"LastName"},
	}
}

func builtinCompany() *ObjectMapping {
	industry := text("industry", "Industry")
	industry.Values = industryValues()
	domain := text("domain", "Website")
	domain.Type = Domain
	employees := text("numberofemployees", "NumberOfEmployees")
	employees.Type = Integer // Account.NumberOfEmployees is an int field
	revenue := text("annualrevenue", "AnnualRevenue")
	revenue.Type = Number // Account.AnnualRevenue is a currency field
	return &ObjectMapping{
		Object:         hubforce.Company,
		HubSpotType:    hubforce.Company.HubSpotName(),
		SalesforceType: hubforce.Company.SalesforceName(),
		Fields: []Field{
			text("name", "Name"),
			domain,
			text("phone", "Phone"),
			industry,
			text("address", "BillingStreet"),
			text("city", "BillingCity"),
			text("state", "BillingState"),
			text("zip", "BillingPostalCode"),
			text("country", "BillingCountry"),
			employees,
			revenue,
			text("description", "Description"),
		},
		Match: []MatchKey{
			{HubSpot: "domain", Salesforce: "Website", Kind: MatchDomain},
			{HubSpot: "name", Salesforce: "Name", Kind: MatchName},
		},
		Required: []string{"Name"},
	}
}

func text(hs, sf string) Field {
	return Field{HubSpot: hs, Salesforce: sf, Rule: TwoWay, Type: Text}
}
