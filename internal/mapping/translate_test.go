package mapping

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/hubforce/hubforce"
)

func TestToSalesforce(t *testing.T) {
	m := Default()
	cases := []struct {
		name     string
		obj      hubforce.Object
		props    map[string]string
		opts     []Option
		want     string // JSON of the fields
		problems []string
	}{
		{
			name:  "contact update, one property",
			obj:   hubforce.Contact,
			props: map[string]string{"jobtitle": "CTO"},
			want:  `{"Title":"CTO"}`,
		},
		{
			name:  "unmapped properties are ignored",
			obj:   hubforce.Contact,
			props: map[string]string{"hs_lead_status": "NEW", "email": "A@Example.com"},
			want:  `{"Email":"A@Example.com"}`,
		},
		{
			name:  "blank clears with null",
			obj:   hubforce.Contact,
			props: map[string]string{"phone": "", "city": "  "},
			want:  `{"MailingCity":null,"Phone":null}`,
		},
		{
			name:  "company: picklist, numbers, website",
			obj:   hubforce.Company,
			props: map[string]string{"industry": "COMPUTER_SOFTWARE", "numberofemployees": "250", "annualrevenue": "1250000.50", "domain": "acme.com"},
			want:  `{"AnnualRevenue":1250000.5,"Industry":"Technology","NumberOfEmployees":250,"Website":"https://acme.com"}`,
		},
		{
			name:     "not a number",
			obj:      hubforce.Company,
			props:    map[string]string{"numberofemployees": "lots", "name": "Acme"},
			want:     `{"Name":"Acme"}`,
			problems: []string{`INVALID_FIELD_VALUE: company.NumberOfEmployees: "lots" is not a number (from hubspot numberofemployees)`},
		},
		{
			name:     "not a whole number",
			obj:      hubforce.Company,
			props:    map[string]string{"numberofemployees": "12.5"},
			want:     `{}`,
			problems: []string{`INVALID_FIELD_VALUE: company.NumberOfEmployees: "12.5" is not a whole number`},
		},
		{
			name:     "clearing a required field",
			obj:      hubforce.Contact,
			props:    map[string]string{"lastname": ""},
			want:     `{}`,
			problems: []string{"REQUIRED_FIELD_MISSING: contact.LastName: required Salesforce field Contact.LastName would be blank: hubspot lastname has no value and the mapping gives no default"},
		},
		{
			name:     "create without the required field",
			obj:      hubforce.Contact,
			props:    map[string]string{"email": "a@example.com", "firstname": "Ada"},
			opts:     []Option{Creating()},
			want:     `{"Email":"a@example.com","FirstName":"Ada"}`,
			problems: []string{"REQUIRED_FIELD_MISSING: contact.LastName: required Salesforce field Contact.LastName would be blank"},
		},
		{
			name:  "create with everything",
			obj:   hubforce.Company,
			props: map[string]string{"name": "Acme", "domain": "www.acme.com"},
			opts:  []Option{Creating()},
			want:  `{"Name":"Acme","Website":"https://acme.com"}`,
		},
		{
			name:  "equivalent current values are not rewritten",
			obj:   hubforce.Company,
			props: map[string]string{"domain": "acme.com", "industry": "COMPUTER_SOFTWARE", "annualrevenue": "10000", "phone": "1"},
			opts:  []Option{Current(map[string]string{"Website": "https://www.acme.com/", "Industry": "Technology", "AnnualRevenue": "10000.0", "Phone": "2"})},
			want:  `{"Phone":"1"}`,
		},
		{
			name:  "unknown object",
			obj:   "deal",
			props: map[string]string{"amount": "1"},
			want:  `{}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := m.ToSalesforce(tc.obj, tc.props, tc.opts...)
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("fields = %s, want %s", b, tc.want)
			}
			assertProblems(t, problems, tc.problems)
		})
	}
}

func assertProblems(t *testing.T, got []Problem, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("problems = %v, want %d: %q", got, len(want), want)
	}
	for i, w := range want {
		if msg := got[i].Error(); len(msg) < len(w) || msg[:len(w)] != w {
			t.Errorf("problem %d = %q, want prefix %q", i, msg, w)
		}
	}
}

func TestToHubSpot(t *testing.T) {
	m := Default()
	cases := []struct {
		name   string
		obj    hubforce.Object
		fields map[string]string
		opts   []Option
		want   map[string]string
		probs  []string
	}{
		{
			name:   "outbound message account snapshot",
			obj:    hubforce.Company,
			fields: map[string]string{"Name": "Acme", "Website": "http://www.Acme.com/about", "Industry": "Technology", "NumberOfEmployees": "5000", "AnnualRevenue": "1.0E7", "SystemModstamp": "2026-01-01T00:00:00Z"},
			want:   map[string]string{"name": "Acme", "domain": "acme.com", "industry": "INFORMATION_TECHNOLOGY_AND_SERVICES", "numberofemployees": "5000", "annualrevenue": "10000000"},
		},
		{
			name:   "blank clears with empty string",
			obj:    hubforce.Contact,
			fields: map[string]string{"Title": "", "LastName": "Lovelace"},
			want:   map[string]string{"jobtitle": "", "lastname": "Lovelace"},
		},
		{
			name:   "unknown picklist value passes through",
			obj:    hubforce.Company,
			fields: map[string]string{"Industry": "Other"},
			want:   map[string]string{"industry": "Other"},
		},
		{
			name:   "website with no domain in it",
			obj:    hubforce.Company,
			fields: map[string]string{"Website": "n/a please"},
			want:   map[string]string{},
			probs:  []string{`INVALID_FIELD_VALUE: company.domain: "n/a please" is not a website a domain can be taken from`},
		},
		{
			name:   "many-to-one picklist keeps HubSpot's finer value",
			obj:    hubforce.Company,
			fields: map[string]string{"Industry": "Technology"},
			opts:   []Option{Current(map[string]string{"industry": "COMPUTER_SOFTWARE"})},
			want:   map[string]string{},
		},
		{
			name:   "creating a HubSpot record needs nothing",
			obj:    hubforce.Contact,
			fields: map[string]string{"Email": "a@example.com"},
			opts:   []Option{Creating()},
			want:   map[string]string{"email": "a@example.com"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := m.ToHubSpot(tc.obj, tc.fields, tc.opts...)
			if !maps.Equal(got, tc.want) {
				t.Errorf("props = %v, want %v", got, tc.want)
			}
			assertProblems(t, problems, tc.probs)
		})
	}
}

func TestDefaultsAndTypesFromFile(t *testing.T) {
	m, err := Parse("m.yaml", []byte(`objects:
  contact:
    fields:
      - {hubspot: lastname, salesforce: LastName, default: "(unknown)"}
      - {hubspot: hs_email_optout, salesforce: HasOptedOutOfEmail, type: boolean}
      - {hubspot: seats, salesforce: Seats__c, type: integer, default: "1"}
      - hubspot: lifecyclestage
        salesforce: Stage__c
        values: {lead: Lead, customer: Customer, evangelist: Customer}
`))
	if err != nil {
		t.Fatal(err)
	}
	got, problems := m.ToSalesforce(hubforce.Contact, map[string]string{
		"email": "a@example.com", "hs_email_optout": "true", "lifecyclestage": "evangelist",
	}, Creating())
	b, _ := json.Marshal(got)
	want := `{"Email":"a@example.com","HasOptedOutOfEmail":true,"LastName":"(unknown)","Seats__c":1,"Stage__c":"Customer"}`
	if string(b) != want || len(problems) != 0 {
		t.Errorf("create = %s %v\nwant %s", b, problems, want)
	}
	hs, _ := m.ToHubSpot(hubforce.Contact, map[string]string{"HasOptedOutOfEmail": "false", "Stage__c": "Customer"})
	if !maps.Equal(hs, map[string]string{"hs_email_optout": "false", "lifecyclestage": "customer"}) {
		t.Errorf("to HubSpot = %v (the first pair of a Salesforce value wins)", hs)
	}
	got, problems = m.ToSalesforce(hubforce.Contact, map[string]string{"lastname": ""})
	if b, _ := json.Marshal(got); string(b) != `{"LastName":"(unknown)"}` || len(problems) != 0 {
		t.Errorf("clearing lastname = %s %v, want the default", b, problems)
	}
}
