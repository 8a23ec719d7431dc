package e2e

import (
	"strings"
	"testing"
	"time"
)

// deletionsOptions: contacts deleted in HubSpot are marked in Salesforce,
// contacts deleted in Salesforce are archived in HubSpot, companies
// mirror both ways; the poll reads Salesforce's recycle bin often.
var deletionsOptions = Options{
	Mapping: `objects:
  company: {deletions: mirror}
  contact:
    deletions: {salesforce: mirror, hubspot: mark, mark_salesforce: Deleted_in_HubSpot__c}
`,
	SalesforceCheckboxes: map[string][]string{"Contact": {"Deleted_in_HubSpot__c"}},
	Env:                  map[string]string{"HUBFORCE_RECONCILE_INTERVAL": "300ms", "HUBFORCE_RECONCILE_SETTLE": "1ms", "HUBFORCE_RECONCILE_OVERLAP": "2s"},
}

// told says whether a record's timeline has a line containing text.
func told(t *testing.T, e *Env, side, object, id, text string) bool {
	for _, en := range timeline(t, e, side, object, id) {
		if strings.Contains(en.Detail, text) {
			return true
		}
	}
	return false
}

// testHubSpotDeletionsFollowTheMapping: a HubSpot user deletes a linked
// contact (marked in Salesforce, kept) and a linked company (its Account
// deleted); the deletions the bridge makes do not come back.
func testHubSpotDeletionsFollowTheMapping(t *testing.T, e *Env) {
	hsID, sfID := linkedPair(t, e, "deleted-in-hubspot@example.com")
	co, err := e.HubSpot.Create("companies", map[string]string{"name": "Gone Ltd", "domain": "gone.example"}, ui)
	if err != nil {
		t.Fatal(err)
	}
	var acct string
	waitFor(t, "the company to reach Salesforce", 20*time.Second, func() (bool, error) {
		for _, a := range e.Salesforce.List("Account") {
			if a["Name"] == "Gone Ltd" {
				acct = a["Id"].(string)
			}
		}
		return acct != "", nil
	})
	settled(t, e)
	e.HubSpot.ResetCalls()
	if err := e.HubSpot.Archive("contacts", hsID, ui); err != nil {
		t.Fatal(err)
	}
	if err := e.HubSpot.Archive("companies", co.ID, ui); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Salesforce contact to be marked", 20*time.Second, func() (bool, error) {
		r, ok := e.Salesforce.Get("Contact", sfID)
		return ok && r["Deleted_in_HubSpot__c"] == true, nil
	})
	waitFor(t, "the Salesforce Account to be deleted", 20*time.Second, func() (bool, error) {
		_, ok := e.Salesforce.Get("Account", acct)
		return !ok, nil
	})
	settled(t, e)
	if r, ok := e.Salesforce.Get("Contact", sfID); !ok || r["LastName"] != "Pair" {
		t.Fatalf("the marked contact was not kept: %v %v", ok, r)
	}
	if !told(t, e, "hubspot", "contact", hsID, "deleted in HubSpot → Salesforce Contact "+sfID+" marked (Deleted_in_HubSpot__c = true") {
		t.Errorf("the contact's timeline does not tell the mark: %+v", timeline(t, e, "hubspot", "contact", hsID))
	}
	if !told(t, e, "hubspot", "company", co.ID, "deleted in HubSpot → Salesforce Account "+acct+" deleted (DELETE /composite/sobjects") {
		t.Errorf("the company's timeline does not tell the deletion: %+v", timeline(t, e, "hubspot", "company", co.ID))
	}
	if n := hubspotWrites(e) + calls(e.HubSpot.Calls(), "POST", "/batch/archive"); n != 0 {
		t.Fatalf("the deletions came back to HubSpot as %d writes: %v", n, e.HubSpot.Calls())
	}

	// A merge is not a deletion: the merged-away contact's Salesforce
	// counterpart is neither marked nor deleted; its link is dropped, the
	// primary keeping its own.
	keptHS, _ := linkedPair(t, e, "kept-in-hubspot@example.com")
	goneHS, goneSF := linkedPair(t, e, "merged-in-hubspot@example.com")
	if err := e.HubSpot.Merge("contacts", keptHS, goneHS, ui); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the merge to be told", 20*time.Second, func() (bool, error) {
		return told(t, e, "hubspot", "contact", goneHS, "merged into "+keptHS), nil
	})
	settled(t, e)
	if r, ok := e.Salesforce.Get("Contact", goneSF); !ok || r["Deleted_in_HubSpot__c"] == true {
		t.Fatalf("the counterpart of a contact merged in HubSpot was deleted or marked: %v %v", ok, r)
	}
}

// testSalesforceDeletionsFollowTheMapping: a Salesforce user deletes a
// linked contact; no Outbound Message fires, the poll of the recycle bin
// finds it and the HubSpot contact is archived. A contact deleted by a
// merge is not archived: its link moves to the record kept.
func testSalesforceDeletionsFollowTheMapping(t *testing.T, e *Env) {
	hsID, sfID := linkedPair(t, e, "deleted-in-salesforce@example.com")
	e.Salesforce.ResetCalls()
	if err := e.Salesforce.Delete("Contact", sfID, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the HubSpot contact to be archived", 30*time.Second, func() (bool, error) {
		_, ok := e.HubSpot.Get("contacts", hsID)
		return !ok, nil
	})
	settled(t, e)
	if !told(t, e, "salesforce", "contact", sfID, "deleted in Salesforce → HubSpot contact "+hsID+" deleted (POST /crm/objects/") {
		t.Errorf("the timeline does not tell the deletion: %+v", timeline(t, e, "salesforce", "contact", sfID))
	}
	if n := salesforceWrites(e); n != 0 {
		t.Fatalf("the archive came back to Salesforce as %d writes: %v", n, e.Salesforce.Calls())
	}

	// A merge: the merged-away contact's HubSpot counterpart stays, linked
	// to the Salesforce contact kept.
	_, keptSF := linkedPair(t, e, "kept@example.com")
	goneHS, goneSF := linkedPair(t, e, "merged-away@example.com")
	if err := e.Salesforce.Merge("Contact", keptSF, goneSF, SalesforceUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the merge to be read from the recycle bin", 30*time.Second, func() (bool, error) {
		return told(t, e, "salesforce", "contact", keptSF, "") && len(timeline(t, e, "salesforce", "contact", goneSF)) > 0 &&
			mergeSeen(t, e, keptSF), nil
	})
	settled(t, e)
	if _, ok := e.HubSpot.Get("contacts", goneHS); !ok {
		t.Fatal("a contact merged away in Salesforce was archived in HubSpot")
	}
	if code, body, err := Get(e.BridgeURLs[0]+"/api/v1/records/salesforce/contact/"+goneSF, "Authorization", "Bearer e2e-admin-token"); err != nil || code != 200 || !strings.Contains(body, `"link": null`) {
		t.Fatalf("the merged-away contact keeps its link: %d %v %s", code, err, body)
	}
	if !told(t, e, "salesforce", "contact", goneSF, "merged into "+keptSF) {
		t.Errorf("the timeline does not tell the merge: %+v", timeline(t, e, "salesforce", "contact", goneSF))
	}
}

func mergeSeen(t *testing.T, e *Env, id string) bool {
	for _, en := range timeline(t, e, "salesforce", "contact", id) {
		if en.Kind == "merge" && en.Decision != "accepted" {
			return true
		}
	}
	return false
}
