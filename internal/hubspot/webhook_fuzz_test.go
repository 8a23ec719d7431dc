package hubspot

import (
	"errors"
	"testing"
)

// Seeds are the documented forms: one of each subscription type, and the
// edge cases the parser must refuse.
var fuzzEventSeeds = []string{
	testBody,
	`[]`,
	`[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`,
	`[{"objectId":1246965,"propertyName":"lifecyclestage","propertyValue":"subscriber","changeSource":"ACADEMY","eventId":3816279340,"subscriptionId":25,"portalId":33,"appId":1160452,"occurredAt":1462216307945,"eventType":"contact.propertyChange","attemptNumber":0}]`,
	string(body(`"subscriptionType":"company.merge","objectId":1,"primaryObjectId":1,"mergedObjectIds":[2,3],"newObjectId":4`)),
	string(body(`"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_COMPANY","fromObjectId":1,"toObjectId":2,"isPrimaryAssociation":true`)),
	string(body(`"subscriptionType":"object.associationChange","fromObjectId":2,"fromObjectTypeId":"0-2","toObjectId":1,"toObjectTypeId":"0-1"`)),
	string(body(`"subscriptionType":"object.propertyChange","objectId":6,"objectTypeId":"0-1","propertyName":"email","propertyValue":"REDACTED","isSensitive":true`)),
	string(body(`"subscriptionType":"contact.privacyDeletion","objectId":8`, `"subscriptionType":"contact.deletion","objectId":8`)),
	string(body(`"subscriptionType":"deal.creation","objectId":8`)),
	`[{"eventId":1e3}]`,
	`{"eventId":1}`,
	`[null]`,
}

func FuzzParseEvents(f *testing.F) {
	for _, s := range fuzzEventSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := ParseEvents(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not wrapped in ErrMalformed: %v", err)
			}
			return
		}
		if len(events) > MaxEvents {
			t.Fatalf("%d events accepted", len(events))
		}
		changes, ignored := Changes(events)
		if len(changes)+ignored != len(events) {
			t.Fatalf("%d changes + %d ignored != %d events", len(changes), ignored, len(events))
		}
		for _, e := range events {
			assertSane(t, e)
		}
	})
}
