package mapping

import (
	"testing"

	"github.com/hubforce/hubforce"
)

func TestExampleFileLoads(t *testing.T) {
	m, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatalf("Load(example.yaml): %v", err)
	}
	if got := m.Objects(); len(got) != 3 || got[2] != "project" {
		t.Fatalf("Objects() = %v, want contact, company, project", got)
	}
	if m.Mapped(hubforce.Contact, hubforce.HubSpot, "mobilephone") {
		t.Error("mobilephone is switched off by rule none but Mapped says true")
	}
	f, ok := m.Field(hubforce.Contact, hubforce.HubSpot, "lastname")
	if !ok || f.Default != "(unknown)" {
		t.Errorf("lastname field = %+v, want default (unknown)", f)
	}
	if m.Mapped(hubforce.Contact, hubforce.Salesforce, "Lifecycle_Stage__c") {
		t.Error("Lifecycle_Stage__c is hubspot-to-salesforce: a Salesforce change must not be delivered")
	}
	om, _ := m.Object("project")
	if om.HubSpotType != "p_projects" || om.SalesforceType != "Project__c" {
		t.Errorf("project object = %q/%q", om.HubSpotType, om.SalesforceType)
	}
}
