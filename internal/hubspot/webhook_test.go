package hubspot

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

// envelope is the part every event carries; tests append the type-specific
// fields.
const envelope = `"eventId":11,"subscriptionId":22,"portalId":33,"appId":44,"occurredAt":1767225600123,"attemptNumber":2,"changeSource":"CRM_UI","sourceId":"userId:5"`

func body(events ...string) []byte {
	for i, e := range events {
		events[i] = "{" + envelope + "," + e + "}"
	}
	return []byte("[" + strings.Join(events, ",") + "]")
}

func TestChangeMapping(t *testing.T) {
	base := hubforce.Change{
		Side:         hubforce.HubSpot,
		DeliveryID:   "33/22/11",
		Version:      time.UnixMilli(1767225600123).UTC(),
		ChangeSource: "CRM_UI",
		SourceID:     "userId:5",
		Attempt:      2,
	}
	with := func(f func(*hubforce.Change)) hubforce.Change { c := base; f(&c); return c }
	tests := []struct {
		name  string
		event string
		want  hubforce.Change
	}{
		{"contact creation", `"subscriptionType":"contact.creation","objectId":123,"changeFlag":"CREATED"`,
			with(func(c *hubforce.Change) { c.Object, c.RecordID, c.Kind = hubforce.Contact, "123", hubforce.KindCreate })},
		{"company deletion", `"subscriptionType":"company.deletion","objectId":9007199254740993,"changeFlag":"DELETED"`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Company, "9007199254740993", hubforce.KindDelete
			})},
		{"contact property change", `"subscriptionType":"contact.propertyChange","objectId":5,"propertyName":"email","propertyValue":"a@b.c"`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Contact, "5", hubforce.KindUpdate
				c.Fields = map[string]string{"email": "a@b.c"}
			})},
		{"property cleared", `"subscriptionType":"company.propertyChange","objectId":5,"propertyName":"city","propertyValue":""`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Company, "5", hubforce.KindUpdate
				c.Fields = map[string]string{"city": ""}
			})},
		{"numeric property value", `"subscriptionType":"company.propertyChange","objectId":5,"propertyName":"numberofemployees","propertyValue":250`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Company, "5", hubforce.KindUpdate
				c.Fields = map[string]string{"numberofemployees": "250"}
			})},
		{"redacted value is dropped", `"subscriptionType":"contact.propertyChange","objectId":5,"propertyName":"passport","propertyValue":"REDACTED"`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Contact, "5", hubforce.KindUpdate
				c.Fields = map[string]string{}
			})},
		{"restore", `"subscriptionType":"company.restore","objectId":8`,
			with(func(c *hubforce.Change) { c.Object, c.RecordID, c.Kind = hubforce.Company, "8", hubforce.KindRestore })},
		{"privacy deletion", `"subscriptionType":"contact.privacyDeletion","objectId":8`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Contact, "8", hubforce.KindPrivacyDelete
			})},
		{"merge into primary", `"subscriptionType":"contact.merge","objectId":1,"primaryObjectId":1,"mergedObjectIds":[2,3],"newObjectId":1,"numberOfPropertiesMoved":4`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Contact, "1", hubforce.KindMerge
				c.NewID, c.MergedIDs = "1", []string{"2", "3"}
			})},
		{"merge into a new record", `"subscriptionType":"company.merge","objectId":1,"primaryObjectId":1,"mergedObjectIds":[2],"newObjectId":7`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Company, "7", hubforce.KindMerge
				c.NewID, c.MergedIDs = "7", []string{"1", "2"}
			})},
		{"legacy association from the contact", `"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_COMPANY","fromObjectId":1,"toObjectId":2,"associationRemoved":false,"isPrimaryAssociation":true`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind, c.AssociatedID, c.AssociationPrimary = hubforce.Contact, "1", hubforce.KindAssociation, "2", true
			})},
		{"legacy association from the company, removed", `"subscriptionType":"company.associationChange","associationType":"COMPANY_TO_CONTACT","fromObjectId":2,"toObjectId":1,"associationRemoved":true`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind, c.AssociatedID, c.AssociationRemoved = hubforce.Contact, "1", hubforce.KindAssociation, "2", true
			})},
		{"generic association", `"subscriptionType":"object.associationChange","fromObjectId":2,"fromObjectTypeId":"0-2","toObjectId":1,"toObjectTypeId":"0-1","associationTypeId":280,"associationCategory":"HUBSPOT_DEFINED"`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind, c.AssociatedID = hubforce.Contact, "1", hubforce.KindAssociation, "2"
			})},
		{"generic property change on a company", `"subscriptionType":"object.propertyChange","objectId":6,"objectTypeId":"0-2","propertyName":"name","propertyValue":"Acme","isSensitive":false`,
			with(func(c *hubforce.Change) {
				c.Object, c.RecordID, c.Kind = hubforce.Company, "6", hubforce.KindUpdate
				c.Fields = map[string]string{"name": "Acme"}
			})},
		{"generic creation of a contact", `"subscriptionType":"object.creation","objectId":6,"objectTypeId":"0-1"`,
			with(func(c *hubforce.Change) { c.Object, c.RecordID, c.Kind = hubforce.Contact, "6", hubforce.KindCreate })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, err := ParseEvents(body(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := events[0].Change()
			if !ok {
				t.Fatal("ignored")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestIgnoredEvents(t *testing.T) {
	ignored := []string{
		`"subscriptionType":"deal.creation","objectId":1`,
		`"subscriptionType":"ticket.propertyChange","objectId":1,"propertyName":"x","propertyValue":"y"`,
		`"subscriptionType":"contact.somethingNew","objectId":1`,
		`"subscriptionType":"conversation.newMessage","objectId":1`,
		`"subscriptionType":"company.privacyDeletion","objectId":1`,
		`"subscriptionType":"object.deletion","objectId":1,"objectTypeId":"2-143967026"`,
		`"subscriptionType":"object.creation","objectId":1,"objectTypeId":"0-3"`,
		`"subscriptionType":"object.creation","objectId":1,"objectTypeId":"contacts"`,
		`"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_DEAL","fromObjectId":1,"toObjectId":2`,
		`"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_CONTACT","fromObjectId":1,"toObjectId":2`,
		`"subscriptionType":"object.associationChange","fromObjectTypeId":"0-1","fromObjectId":1,"toObjectTypeId":"0-3","toObjectId":2`,
		`"subscriptionType":"nodot","objectId":1`,
		`"subscriptionType":"object.someFutureAction","objectId":1`,
		// Not about a synced object, so a missing objectId is not an error.
		`"subscriptionType":"deal.propertyChange"`,
	}
	events, err := ParseEvents(body(ignored...))
	if err != nil {
		t.Fatal(err)
	}
	changes, n := Changes(events)
	if len(changes) != 0 || n != len(ignored) {
		t.Fatalf("got %d changes, %d ignored; want 0, %d: %+v", len(changes), n, len(ignored), changes)
	}
}

func TestParseEventsFields(t *testing.T) {
	events, err := ParseEvents([]byte(`[{"eventId":9223372036854775807,"subscriptionId":2,"portalId":3,"appId":4,
		"occurredAt":5,"eventType":"contact.propertyChange","attemptNumber":1,"objectId":"6",
		"propertyName":"p","propertyValue":null,"changeSource":"API","sourceId":12,"changeFlag":"X",
		"isSensitive":true,"unknownField":{"nested":[1,2]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := Event{EventID: 1<<63 - 1, SubscriptionID: 2, PortalID: 3, AppID: 4, OccurredAt: 5,
		SubscriptionType: "contact.propertyChange", AttemptNumber: 1, ObjectID: 6, PropertyName: "p",
		ChangeSource: "API", SourceID: "12", ChangeFlag: "X", IsSensitive: true}
	if !reflect.DeepEqual(events[0], want) {
		t.Fatalf("got  %+v\nwant %+v", events[0], want)
	}
	if events[0].Redacted() {
		t.Fatal("not redacted")
	}
}

func TestParseEventsErrors(t *testing.T) {
	many := make([]string, MaxEvents+1)
	for i := range many {
		many[i] = `"subscriptionType":"contact.creation","objectId":1`
	}
	tests := []struct {
		name, body, want string
	}{
		{"empty body", ``, "JSON array"},
		{"object, not array", `{"eventId":1}`, "JSON array"},
		{"null", `null`, "JSON array"},
		{"truncated", `[{"eventId":1`, "unexpected end"},
		{"trailing garbage", `[]x`, "invalid character"},
		{"array of numbers", `[1]`, "cannot unmarshal"},
		{"too many", string(body(many...)), "101 events"},
		{"missing eventId", `[{"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"deal.creation"}]`, "missing eventId"},
		{"missing portalId", `[{"eventId":1,"subscriptionId":1,"occurredAt":1,"subscriptionType":"deal.creation"}]`, "missing portalId"},
		{"missing occurredAt", `[{"eventId":1,"subscriptionId":1,"portalId":1,"subscriptionType":"deal.creation"}]`, "missing occurredAt"},
		{"missing type", `[{"eventId":1,"subscriptionId":1,"portalId":1,"occurredAt":1}]`, "missing subscriptionType"},
		{"float id", `[{"eventId":1.5,"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"x.y"}]`, "eventId"},
		{"negative id", `[{"eventId":-1,"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"x.y"}]`, "eventId"},
		{"id beyond int64", `[{"eventId":9223372036854775808,"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"x.y"}]`, "eventId"},
		{"id as words", `[{"eventId":"one","subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"x.y"}]`, "invalid number"},
		{"creation without objectId", string(body(`"subscriptionType":"contact.creation"`)), "without objectId"},
		{"property change without name", string(body(`"subscriptionType":"contact.propertyChange","objectId":1`)), "without propertyName"},
		{"generic without objectTypeId", string(body(`"subscriptionType":"object.creation","objectId":1`)), "without objectTypeId"},
		{"merge without ids", string(body(`"subscriptionType":"company.merge","mergedObjectIds":[2]`)), "without objectId"},
		{"legacy association without type", string(body(`"subscriptionType":"contact.associationChange","fromObjectId":1,"toObjectId":2`)), "without associationType"},
		{"association without toObjectId", string(body(`"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_COMPANY","fromObjectId":1`)), "without fromObjectId/toObjectId"},
		{"generic association without types", string(body(`"subscriptionType":"object.associationChange","fromObjectId":1,"toObjectId":2`)), "without fromObjectTypeId"},
		{"propertyValue object", string(body(`"subscriptionType":"contact.propertyChange","objectId":1,"propertyName":"a","propertyValue":{}`)), "object or array"},
		{"bad merged id", string(body(`"subscriptionType":"contact.merge","objectId":1,"mergedObjectIds":["x"]`)), "invalid number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEvents([]byte(tt.body))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrMalformed mentioning %q", err, tt.want)
			}
		})
	}
}

func TestParseEventsLimits(t *testing.T) {
	if events, err := ParseEvents([]byte(" []\n")); err != nil || len(events) != 0 {
		t.Fatalf("empty array: %v, %d events", err, len(events))
	}
	full := make([]string, MaxEvents)
	for i := range full {
		full[i] = fmt.Sprintf(`"subscriptionType":"contact.creation","objectId":%d`, i+1)
	}
	events, err := ParseEvents(body(full...))
	if err != nil || len(events) != MaxEvents {
		t.Fatalf("%d events: %v", len(events), err)
	}
}
