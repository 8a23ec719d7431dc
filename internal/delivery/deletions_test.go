package delivery

import (
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
)

const deletionsMapping = `objects:
  contact:
    deletions: {hubspot: %s, mark_salesforce: Deleted_in_HubSpot__c, salesforce: %s, mark_hubspot: deleted_in_salesforce}
`

func withDeletions(t *testing.T, fromHubSpot, fromSalesforce mapping.DeletionAction) func(*Engine) {
	src := strings.Replace(strings.Replace(deletionsMapping, "%s", string(fromHubSpot), 1), "%s", string(fromSalesforce), 1)
	if fromHubSpot != mapping.DeleteMark {
		src = strings.Replace(src, ", mark_salesforce: Deleted_in_HubSpot__c", "", 1)
	}
	if fromSalesforce != mapping.DeleteMark {
		src = strings.Replace(src, ", mark_hubspot: deleted_in_salesforce", "", 1)
	}
	m, err := mapping.Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return func(e *Engine) { e.Mapping = m }
}

func deletion(side hubforce.Side, id, delivery string) hubforce.Change {
	return hubforce.Change{Side: side, Object: hubforce.Contact, RecordID: id, Kind: hubforce.KindDelete, DeliveryID: delivery, Version: ts(1)}
}

func TestDeletionFollowsTheMappingsChoice(t *testing.T) {
	tests := []struct {
		name         string
		from         hubforce.Side
		action       mapping.DeletionAction
		wantDecision string
		check        func(t *testing.T, v *env)
	}{
		{"HubSpot deletion ignored by default", hubforce.HubSpot, mapping.DeleteIgnore,
			"skipped: deleted in HubSpot; ignored by mapping (deletions: ignore)", func(t *testing.T, v *env) {
				if r, w := v.sf.calls(); r+w != 0 {
					t.Errorf("an ignored deletion called Salesforce (%d reads, %d writes)", r, w)
				}
				if _, ok := v.sf.get(hubforce.Contact, "003A"); !ok {
					t.Error("the Salesforce contact is gone")
				}
			}},
		{"HubSpot deletion mirrored", hubforce.HubSpot, mapping.DeleteMirror,
			"applied: deleted in HubSpot → Salesforce Contact 003A deleted (DELETE)", func(t *testing.T, v *env) {
				if _, ok := v.sf.get(hubforce.Contact, "003A"); ok {
					t.Error("the Salesforce contact was not deleted")
				}
				if linked(t, v, hubforce.HubSpot, "501") {
					t.Error("the link to the deleted contact was kept")
				}
			}},
		{"HubSpot deletion marked", hubforce.HubSpot, mapping.DeleteMark,
			"applied: deleted in HubSpot → Salesforce Contact 003A marked (Deleted_in_HubSpot__c = true, WRITE)", func(t *testing.T, v *env) {
				if got, _ := v.sf.get(hubforce.Contact, "003A"); got["Deleted_in_HubSpot__c"] != "true" || got["LastName"] != "L" {
					t.Errorf("Salesforce holds %v, want the record marked and kept", got)
				}
				if !linked(t, v, hubforce.HubSpot, "501") {
					t.Error("a mark dropped the link (a restore would not sync)")
				}
			}},
		{"Salesforce deletion mirrored", hubforce.Salesforce, mapping.DeleteMirror,
			"applied: deleted in Salesforce → HubSpot contact 501 deleted (DELETE)", func(t *testing.T, v *env) {
				if _, ok := v.hs.get(hubforce.Contact, "501"); ok {
					t.Error("the HubSpot contact was not archived")
				}
			}},
		{"Salesforce deletion marked", hubforce.Salesforce, mapping.DeleteMark,
			"applied: deleted in Salesforce → HubSpot contact 501 marked (deleted_in_salesforce = true, WRITE)", func(t *testing.T, v *env) {
				if got, _ := v.hs.get(hubforce.Contact, "501"); got["deleted_in_salesforce"] != "true" {
					t.Errorf("HubSpot holds %v, want the record marked", got)
				}
			}},
		{"Salesforce deletion ignored", hubforce.Salesforce, mapping.DeleteIgnore,
			"skipped: deleted in Salesforce; ignored by mapping (deletions: ignore)", func(t *testing.T, v *env) {
				if _, ok := v.hs.get(hubforce.Contact, "501"); !ok {
					t.Error("the HubSpot contact is gone")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newEnv(t, ReadBack, withDeletions(t, tt.action, tt.action))
			v.link(hubforce.Contact, "501", "003A")
			// The deleted record is gone from its side; its counterpart lives.
			if tt.from == hubforce.HubSpot {
				v.sf.put(hubforce.Contact, "003A", ts(0), map[string]string{"Email": "a@example.com", "LastName": "L"})
			} else {
				v.hs.put(hubforce.Contact, "501", ts(0), map[string]string{"email": "a@example.com"})
			}
			id := map[hubforce.Side]string{hubforce.HubSpot: "501", hubforce.Salesforce: "003A"}[tt.from]
			v.ingest(deletion(tt.from, id, "del-1"))
			v.deliver(tt.from.Other())
			d := v.decisions(tt.from, hubforce.Contact, id)
			if len(d) != 1 || !strings.HasPrefix(d[0], tt.wantDecision) {
				t.Fatalf("timeline %q, want %q", d, tt.wantDecision)
			}
			tt.check(t, v)
			if q := v.pending(tt.from.Other()); q.Pending != 0 {
				t.Fatalf("%d changes left pending", q.Pending)
			}
		})
	}
}

func linked(t *testing.T, v *env, side hubforce.Side, id string) bool {
	t.Helper()
	_, err := v.st.GetLink(t.Context(), hubforce.Contact, side, id)
	return err == nil
}

func TestDeletionOfARecordStillThereDeletesNothing(t *testing.T) {
	// Restored since, or merged away (HubSpot resolves the id to the
	// survivor; the merge re-points the link): the counterpart stays.
	v := newEnv(t, ReadBack, withDeletions(t, mapping.DeleteMirror, mapping.DeleteMirror))
	v.link(hubforce.Contact, "501", "003A")
	v.hs.put(hubforce.Contact, "501", ts(2), map[string]string{"email": "a@example.com"})
	v.sf.put(hubforce.Contact, "003A", ts(0), map[string]string{"Email": "a@example.com", "LastName": "L"})
	v.ingest(deletion(hubforce.HubSpot, "501", "del-1"))
	v.deliver(hubforce.Salesforce)
	if _, ok := v.sf.get(hubforce.Contact, "003A"); !ok {
		t.Fatal("the counterpart of a record still in HubSpot was deleted")
	}
	if d := v.decisions(hubforce.HubSpot, hubforce.Contact, "501"); len(d) != 1 || !strings.Contains(d[0], "but restored since") {
		t.Fatalf("timeline %q", d)
	}
}

func TestDeletionWithoutALinkAndRepeatedMarks(t *testing.T) {
	v := newEnv(t, ReadBack, withDeletions(t, mapping.DeleteMark, mapping.DeleteIgnore))
	v.ingest(deletion(hubforce.HubSpot, "777", "del-0"))
	v.deliver(hubforce.Salesforce)
	if d := v.decisions(hubforce.HubSpot, hubforce.Contact, "777"); len(d) != 1 || d[0] != "skipped: deleted in HubSpot; no linked Salesforce Contact" {
		t.Fatalf("timeline %q", d)
	}
	// contact.privacyDeletion comes with a contact.deletion: one mark.
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(0), map[string]string{"Email": "a@example.com", "LastName": "L"})
	v.ingest(deletion(hubforce.HubSpot, "501", "del-1"))
	v.deliver(hubforce.Salesforce)
	privacy := deletion(hubforce.HubSpot, "501", "del-2")
	privacy.Kind = hubforce.KindPrivacyDelete
	v.ingest(privacy)
	v.deliver(hubforce.Salesforce)
	if _, w := v.sf.calls(); w != 1 {
		t.Fatalf("%d writes to Salesforce, want one mark", w)
	}
	if d := v.decisions(hubforce.HubSpot, hubforce.Contact, "501"); len(d) != 2 || !strings.Contains(d[1], "already marked") {
		t.Fatalf("timeline %q", d)
	}
}

func TestRestoreClearsTheMark(t *testing.T) {
	v := newEnv(t, ReadBack, withDeletions(t, mapping.DeleteMark, mapping.DeleteIgnore))
	v.link(hubforce.Contact, "501", "003A")
	v.sf.put(hubforce.Contact, "003A", ts(0), map[string]string{"Email": "a@example.com", "LastName": "L"})
	v.ingest(deletion(hubforce.HubSpot, "501", "del-1"))
	v.deliver(hubforce.Salesforce)
	v.hs.put(hubforce.Contact, "501", ts(3), map[string]string{"email": "a@example.com", "lastname": "L"})
	v.ingest(hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "501", Kind: hubforce.KindRestore, DeliveryID: "res-1", Version: ts(3)})
	v.deliver(hubforce.Salesforce)
	if got, _ := v.sf.get(hubforce.Contact, "003A"); got["Deleted_in_HubSpot__c"] != "false" {
		t.Fatalf("Salesforce holds %v, want the mark cleared on restore", got)
	}
}
