package mapping

import (
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
)

func TestDeletionsChoice(t *testing.T) {
	m, err := Parse("m.yaml", []byte(`objects:
  contact:
    deletions:
      hubspot: mark
      mark_salesforce: Deleted_in_HubSpot__c
      salesforce: mirror
  company:
    deletions: mirror
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		obj  hubforce.Object
		from hubforce.Side
		want Deletion
	}{
		{hubforce.Contact, hubforce.HubSpot, Deletion{Action: DeleteMark, Field: "Deleted_in_HubSpot__c"}},
		{hubforce.Contact, hubforce.Salesforce, Deletion{Action: DeleteMirror}},
		{hubforce.Company, hubforce.HubSpot, Deletion{Action: DeleteMirror}},
		{hubforce.Company, hubforce.Salesforce, Deletion{Action: DeleteMirror}},
	}
	for _, tt := range tests {
		if got := m.Deletion(tt.obj, tt.from); got != tt.want {
			t.Errorf("Deletion(%s, %s) = %+v, want %+v", tt.obj, tt.from, got, tt.want)
		}
	}
	if got := Default().Deletion(hubforce.Contact, hubforce.HubSpot); got.Action != DeleteIgnore {
		t.Errorf("the built-in mapping %s deletions, want ignore", got)
	}
}

func TestDeletionsValidation(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"objects:\n  contact:\n    deletions: purge\n", `m.yaml:3:16: objects.contact.deletions: unknown deletion action "purge"; want one of ignore, mirror, mark`},
		{"objects:\n  contact:\n    deletions: mark\n", `objects.contact.deletions: mark needs the field to set on each side`},
		{"objects:\n  contact:\n    deletions: {hubspot: mark}\n", `objects.contact.deletions.hubspot: mark needs mark_salesforce, the Salesforce field to set when HubSpot deletes the record`},
		{"objects:\n  contact:\n    deletions: {salesforce: mark, mark_hubspot: Deleted}\n", `objects.contact.deletions.mark_hubspot: "Deleted" is not a HubSpot internal name`},
		{"objects:\n  contact:\n    deletions: {hubspot: mirror, mark_salesforce: Gone__c}\n", `mark_salesforce is only used when hubspot: mark`},
		{"objects:\n  contact:\n    deletions: {both: mirror}\n", `unknown key "both"; want one of hubspot, salesforce, mark_salesforce, mark_hubspot`},
	}
	for _, tc := range cases {
		_, err := Parse("m.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
