package salesforce

import (
	"errors"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
)

// FuzzParseNotifications seeds the documented message forms and checks that
// the parser never panics, wraps every refusal in ErrMalformed, and only
// returns messages whose changes are usable.
func FuzzParseNotifications(f *testing.F) {
	seeds := []string{
		envelope("", notification("04l1", "Contact", `<sf:Id>003x</sf:Id><sf:Email>a@b.c</sf:Email><sf:SystemModstamp>2026-01-02T03:04:05.000Z</sf:SystemModstamp>`)),
		envelope("", notification("04l2", "Account", `<sf:Id>001x</sf:Id><sf:Name xsi:nil="true"/><sf:LastModifiedDate>2026-01-02T03:04:05.000+0000</sf:LastModifiedDate><sf:LastModifiedById>005x</sf:LastModifiedById>`)),
		envelope("", notification("04l3", "Lead", `<sf:Id>00Qx</sf:Id>`), notification("04l4", "Opportunity", `<sf:Id>006x</sf:Id>`)),
		envelope("<OrganizationId>00Dd0000000dtDq</OrganizationId><SessionId>00D!x</SessionId>"),
		"\ufeff" + envelope("", `<Notification><Id>1</Id><sObject xmlns:e="urn:sobject.enterprise.soap.sforce.com" xsi:type="e:Contact"><e:Id>2</e:Id></sObject></Notification>`),
		`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`,
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseNotifications(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not wrapped in ErrMalformed: %v", err)
			}
			return
		}
		if m.OrganizationID == "" || len(m.Notifications) > MaxNotifications {
			t.Fatalf("accepted %+v", m)
		}
		changes, ignored := m.Changes()
		if len(changes)+ignored != len(m.Notifications) {
			t.Fatalf("%d changes + %d ignored != %d notifications", len(changes), ignored, len(m.Notifications))
		}
		for _, c := range changes {
			if strings.TrimSpace(c.RecordID) == "" || c.DeliveryID == "" || c.Kind != hubforce.KindUpdate || c.Side != hubforce.Salesforce {
				t.Fatalf("incomplete change %+v", c)
			}
			if c.Object != hubforce.Contact && c.Object != hubforce.Company {
				t.Fatalf("unknown object %q", c.Object)
			}
			if c.Fields["Id"] == "" {
				t.Fatalf("fields without Id: %+v", c)
			}
		}
	})
}
