package mapping

import (
	"slices"
	"testing"

	"github.com/hubforce/hubforce"
)

// The lists of SPEC §1, verbatim.
var specContact = [][2]string{
	{"email", "Email"}, {"firstname", "FirstName"}, {"lastname", "LastName"}, {"phone", "Phone"},
	{"mobilephone", "MobilePhone"}, {"jobtitle", "Title"}, {"address", "MailingStreet"},
	{"city", "MailingCity"}, {"state", "MailingState"}, {"zip", "MailingPostalCode"},
	{"country", "MailingCountry"},
}

var specCompany = [][2]string{
	{"name", "Name"}, {"domain", "Website"}, {"phone", "Phone"}, {"industry", "Industry"},
	{"address", "BillingStreet"}, {"city", "BillingCity"}, {"state", "BillingState"},
	{"zip", "BillingPostalCode"}, {"country", "BillingCountry"},
	{"numberofemployees", "NumberOfEmployees"}, {"annualrevenue", "AnnualRevenue"},
	{"description", "Description"},
}

func TestDefaultIsSpec(t *testing.T) {
	m := Default()
	if got := m.Objects(); !slices.Equal(got, []hubforce.Object{hubforce.Contact, hubforce.Company}) {
		t.Fatalf("Objects() = %v", got)
	}
	for _, tc := range []struct {
		obj      hubforce.Object
		hs, sf   string
		want     [][2]string
		required []string
		match    []MatchKey
	}{
		{hubforce.Contact, "contacts", "Contact", specContact, []string{"LastName"},
			[]MatchKey{{"email", "Email", MatchEmail}}},
		{hubforce.Company, "companies", "Account", specCompany, []string{"Name"},
			[]MatchKey{{"domain", "Website", MatchDomain}, {"name", "Name", MatchName}}},
	} {
		om, ok := m.Object(tc.obj)
		if !ok {
			t.Fatalf("%s not mapped", tc.obj)
		}
		if om.HubSpotType != tc.hs || om.SalesforceType != tc.sf {
			t.Errorf("%s types = %s/%s", tc.obj, om.HubSpotType, om.SalesforceType)
		}
		var got [][2]string
		for _, f := range om.Fields {
			got = append(got, [2]string{f.HubSpot, f.Salesforce})
			if f.Rule != TwoWay {
				t.Errorf("%s %s rule = %s, want two-way", tc.obj, f.Label(), f.Rule)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s fields =\n%v\nwant\n%v", tc.obj, got, tc.want)
		}
		if !slices.Equal(om.Required, tc.required) || !slices.Equal(om.Match, tc.match) {
			t.Errorf("%s required %v match %v", tc.obj, om.Required, om.Match)
		}
	}
	types := map[string]Type{"domain": Domain, "numberofemployees": Integer, "annualrevenue": Number}
	for _, f := range m.Fields(hubforce.Company) {
		want, ok := types[f.HubSpot]
		if !ok {
			want = Text
		}
		if f.Type != want {
			t.Errorf("company %s type = %s, want %s", f.HubSpot, f.Type, want)
		}
	}
}

func TestDefaultIsFreshEachCall(t *testing.T) {
	a := Default()
	om, _ := a.Object(hubforce.Contact)
	om.Fields[0].Salesforce = "Changed"
	if f, _ := Default().Field(hubforce.Contact, hubforce.HubSpot, "email"); f.Salesforce != "Email" {
		t.Error("changing one Default() leaked into the next")
	}
}

func TestDefaultListsAndMapped(t *testing.T) {
	m := Default()
	if got := m.HubSpotProperties(hubforce.Contact); len(got) != 11 || got[0] != "email" {
		t.Errorf("HubSpotProperties(contact) = %v", got)
	}
	if got := m.SalesforceFields(hubforce.Company); len(got) != 12 || !slices.Contains(got, "Website") {
		t.Errorf("SalesforceFields(company) = %v", got)
	}
	for _, tc := range []struct {
		obj   hubforce.Object
		side  hubforce.Side
		field string
		want  bool
	}{
		{hubforce.Contact, hubforce.HubSpot, "email", true},
		{hubforce.Contact, hubforce.Salesforce, "MailingCity", true},
		{hubforce.Contact, hubforce.HubSpot, "hs_lead_status", false},
		{hubforce.Contact, hubforce.Salesforce, "Email", true},
		{hubforce.Contact, hubforce.Salesforce, "email", false}, // names are exact
		{hubforce.Company, hubforce.Salesforce, "Website", true},
		{"deal", hubforce.HubSpot, "amount", false},
	} {
		if got := m.Mapped(tc.obj, tc.side, tc.field); got != tc.want {
			t.Errorf("Mapped(%s, %s, %s) = %v", tc.obj, tc.side, tc.field, got)
		}
	}
}

func TestIndustryValueMap(t *testing.T) {
	f, _ := Default().Field(hubforce.Company, hubforce.HubSpot, "industry")
	for hs, sf := range map[string]string{
		"COMPUTER_SOFTWARE": "Technology", "INFORMATION_TECHNOLOGY_AND_SERVICES": "Technology",
		"FINANCIAL_SERVICES": "Finance", "HOSPITAL_HEALTH_CARE": "Healthcare", "RETAIL": "Retail",
		"FOOD_BEVERAGES": "Food & Beverage", "NON_PROFIT_ORGANIZATION_MANAGEMENT": "Not For Profit",
		// Loose matches: upper-cased Salesforce values, as the generator sends.
		"TECHNOLOGY": "Technology", "MANUFACTURING": "Manufacturing", "CONSULTING": "Consulting",
	} {
		if got, ok := f.Values.ToSalesforce(hs); got != sf || !ok {
			t.Errorf("industry %s → %q (%v), want %q", hs, got, ok, sf)
		}
	}
	for sf, hs := range map[string]string{
		"Technology": "INFORMATION_TECHNOLOGY_AND_SERVICES", "Finance": "FINANCIAL_SERVICES",
		"Food & Beverage": "FOOD_BEVERAGES", "Retail": "RETAIL", "technology": "INFORMATION_TECHNOLOGY_AND_SERVICES",
	} {
		if got, ok := f.Values.ToHubSpot(sf); got != hs || !ok {
			t.Errorf("industry %s → %q (%v), want %q", sf, got, ok, hs)
		}
	}
	if got, ok := f.Values.ToHubSpot("Other"); got != "Other" || ok {
		t.Errorf(`"Other" → %q (%v), want passed through`, got, ok)
	}
	if got, ok := f.Values.ToSalesforce("LAW_PRACTICE"); got != "LAW_PRACTICE" || ok {
		t.Errorf("LAW_PRACTICE → %q (%v), want passed through", got, ok)
	}
	// Every Salesforce standard value but Other has a HubSpot counterpart.
	seen := map[string]bool{}
	for _, p := range f.Values.Pairs() {
		seen[p.Salesforce] = true
	}
	if len(seen) != 31 {
		t.Errorf("industry map covers %d Salesforce values, want 31 (all but Other)", len(seen))
	}
}
