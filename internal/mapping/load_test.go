package mapping

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadValidationMessages(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // each must appear in one message
	}{
		{
			name: "unknown rule",
			yaml: `objects:
  contact:
    fields:
      - hubspot: phone
        salesforce: Phone
        rule: twoway
`,
			want: []string{`m.yaml:6:15: objects.contact.fields[0] (phone ↔ Phone).rule: unknown rule "twoway"; want one of two-way, hubspot-to-salesforce`},
		},
		{
			name: "required field without mapping nor default",
			yaml: `objects:
  contact:
    builtin: false
    fields:
      - hubspot: email
        salesforce: Email
`,
			want: []string{`m.yaml:2:3: objects.contact: required Salesforce field Contact.LastName has neither a mapping from HubSpot nor a default`},
		},
		{
			name: "required field mapped one way the wrong way",
			yaml: `objects:
  company:
    fields:
      - hubspot: name
        salesforce: Name
        rule: salesforce-to-hubspot
`,
			want: []string{`m.yaml:4:9: objects.company: required Salesforce field Account.Name has neither a mapping from HubSpot nor a default`},
		},
		{
			name: "required field switched off",
			yaml: `objects:
  contact:
    fields:
      - hubspot: lastname
        rule: none
`,
			want: []string{`m.yaml:4:9: objects.contact: required Salesforce field Contact.LastName`},
		},
		{
			name: "custom required field",
			yaml: `objects:
  contact:
    required: [Department]
`,
			want: []string{`m.yaml:2:3: objects.contact: required Salesforce field Contact.Department has neither`},
		},
		{
			name: "same HubSpot property twice",
			yaml: `objects:
  contact:
    fields:
      - hubspot: phone
        salesforce: Phone
      - hubspot: phone
        salesforce: OtherPhone
`,
			want: []string{`m.yaml:6:9: objects.contact.fields[1] (phone ↔ OtherPhone): HubSpot property "phone" is mapped twice in contact (also at line 4)`},
		},
		{
			name: "same Salesforce field twice",
			yaml: `objects:
  company:
    fields:
      - hubspot: phone
        salesforce: Phone
      - hubspot: phone_alt
        salesforce: Phone
`,
			want: []string{`m.yaml:6:9: objects.company.fields[1] (phone_alt ↔ Phone): Salesforce field Account.Phone is mapped twice (also at line 4)`},
		},
		{
			name: "unknown keys at every level",
			yaml: `versoin: 1
objects:
  contact:
    feilds: []
    fields:
      - hubspot: phone
        salesforce: Phone
        rules: two-way
`,
			want: []string{
				`m.yaml:1:1: unknown key "versoin"; want one of version, objects`,
				`m.yaml:4:5: objects.contact: unknown key "feilds"; want one of hubspot, salesforce, builtin, fields, match, required`,
				`m.yaml:8:9: objects.contact.fields[0]: unknown key "rules"; want one of hubspot, salesforce, rule, type, values, default`,
			},
		},
		{
			name: "empty names",
			yaml: `objects:
  contact:
    fields:
      - hubspot: ""
        salesforce: Phone
      - hubspot: fax
      - rule: two-way
`,
			want: []string{
				`m.yaml:4:18: objects.contact.fields[0] (? ↔ Phone).hubspot: empty HubSpot property name`,
				`m.yaml:6:9: objects.contact.fields[1] (fax ↔ ?).salesforce: empty Salesforce field name`,
				`m.yaml:7:9: objects.contact.fields[2] (? ↔ ?): empty names`,
			},
		},
		{
			name: "value map on rule none",
			yaml: `objects:
  company:
    fields:
      - hubspot: industry
        salesforce: Industry
        rule: none
        values:
          RETAIL: Retail
`,
			want: []string{`m.yaml:8:11: objects.company.fields[0] (industry ↔ Industry).values: a value map on a field with rule none is never used`},
		},
		{
			name: "invalid Salesforce API names",
			yaml: `objects:
  contact:
    fields:
      - hubspot: region
        salesforce: Region__x
      - hubspot: region2
        salesforce: Region__c__c__c
      - hubspot: region3
        salesforce: 2Region
      - hubspot: region4
        salesforce: Sales Region
`,
			want: []string{
				`m.yaml:5:21: objects.contact.fields[0] (region ↔ Region__x).salesforce: "Region__x" is not a valid Salesforce API name: Salesforce API names use letters, digits and single underscores, starting with a letter; custom ones end in __c`,
				`m.yaml:7:21: objects.contact.fields[1] (region2 ↔ Region__c__c__c).salesforce: "Region__c__c__c" is not a valid`,
				`m.yaml:9:21: objects.contact.fields[2] (region3 ↔ 2Region).salesforce: "2Region" is not`,
				`m.yaml:11:21: objects.contact.fields[3] (region4 ↔ Sales Region).salesforce`,
			},
		},
		{
			name: "invalid HubSpot internal names",
			yaml: `objects:
  contact:
    fields:
      - hubspot: Region
        salesforce: Region__c
      - hubspot: sales-region
        salesforce: Sales_Region__c
`,
			want: []string{
				`m.yaml:4:18: objects.contact.fields[0] (Region ↔ Region__c).hubspot: "Region" is not a HubSpot internal name: HubSpot internal names use lowercase letters, digits and underscores, starting with a letter`,
				`m.yaml:6:18: objects.contact.fields[1] (sales-region ↔ Sales_Region__c).hubspot: "sales-region" is not a HubSpot internal name`,
			},
		},
		{
			name: "unknown type and bad default",
			yaml: `objects:
  company:
    fields:
      - hubspot: seats
        salesforce: Seats__c
        type: int
      - hubspot: revenue2
        salesforce: Revenue2__c
        type: number
        default: lots
`,
			want: []string{
				`m.yaml:6:15: objects.company.fields[0] (seats ↔ Seats__c).type: unknown type "int"`,
				`m.yaml:10:18: objects.company.fields[1] (revenue2 ↔ Revenue2__c).default: default for a number field: "lots" is not a number`,
			},
		},
		{
			name: "custom object without types",
			yaml: `objects:
  contacts:
    fields:
      - hubspot: phone
        salesforce: Phone
`,
			want: []string{
				`m.yaml:2:3: objects.contacts: custom object "contacts" needs "hubspot", its HubSpot object type (e.g. p_projects or 2-3508482) (the built-in objects are "contact" and "company")`,
				`objects.contacts: custom object "contacts" needs "salesforce"`,
			},
		},
		{
			name: "built-in object types cannot change",
			yaml: `objects:
  company:
    salesforce: Organization__c
`,
			want: []string{`m.yaml:3:17: objects.company.salesforce: the Salesforce object of company is "Account" and cannot be changed`},
		},
		{
			name: "wrong shapes",
			yaml: `objects:
  contact:
    fields:
      hubspot: phone
`,
			want: []string{`m.yaml:4:7: objects.contact.fields: want a list of fields, found a mapping`},
		},
		{
			name: "YAML syntax error",
			yaml: "objects:\n  contact: [\n",
			want: []string{`m.yaml:2:`, `invalid YAML`},
		},
		{
			name: "duplicate YAML key",
			yaml: "objects:\n  contact: {}\n  contact: {}\n",
			want: []string{`m.yaml:3:3: invalid YAML`},
		},
		{
			name: "version",
			yaml: "version: 2\n",
			want: []string{`m.yaml:1:10: version: unsupported version "2"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse("m.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded (%d objects), want errors %q", len(m.Objects()), tc.want)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain\n  %s\ngot:\n%s", w, msg)
				}
			}
		})
	}
}

func TestLoadCollectsEveryProblem(t *testing.T) {
	_, err := Parse("m.yaml", []byte(`objects:
  contact:
    fields:
      - {hubspot: phone, salesforce: Phone, rule: sideways}
      - {hubspot: Fax, salesforce: Fax}
`))
	var all []*Error
	for _, e := range unwrapAll(err) {
		var me *Error
		if errors.As(e, &me) {
			all = append(all, me)
		}
	}
	if len(all) != 2 {
		t.Fatalf("got %d *Error, want 2: %v", len(all), err)
	}
	if all[0].Line != 4 || all[1].Line != 5 {
		t.Errorf("lines = %d, %d; want 4, 5", all[0].Line, all[1].Line)
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoadEmptyFileIsDefault(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "version: 1\n", "objects:\n"} {
		m, err := Parse("m.yaml", []byte(src))
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		if len(m.Fields("contact")) != 11 || len(m.Fields("company")) != 12 {
			t.Errorf("Parse(%q) changed the built-in mapping", src)
		}
	}
}

func TestCheck(t *testing.T) {
	if err := Check(""); err != nil {
		t.Errorf("Check(\"\") = %v, want nil (built-in mapping)", err)
	}
	if err := Check("testdata/example.yaml"); err != nil {
		t.Errorf("Check(example) = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("objects:\n  contact:\n    fields:\n      - {hubspot: phone, salesforce: Phone, rule: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Check(bad)
	if err == nil || !strings.Contains(err.Error(), bad+":4:") || !strings.Contains(err.Error(), `unknown rule "x"`) {
		t.Errorf("Check(bad) = %v, want file:4 and the rule", err)
	}
	if err := Check(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "reading mapping file") {
		t.Errorf("Check(missing) = %v", err)
	}
}
