package salesforce

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

// envelope wraps notifications the way Salesforce sends them; head is
// inserted before the Notification elements.
func envelope(head string, notifications ...string) string {
	if head == "" {
		head = `<OrganizationId>00Dd0000000dtDqEAI</OrganizationId>
   <ActionId>04kd0000000PCgvAAG</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/66.0/00Dd0000000dtDq</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/66.0/00Dd0000000dtDq</PartnerUrl>`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   ` + head + strings.Join(notifications, "") + `
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`
}

func notification(id, typ, fields string) string {
	return fmt.Sprintf(`
   <Notification>
    <Id>%s</Id>
    <sObject xsi:type="sf:%s" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">%s</sObject>
   </Notification>`, id, typ, fields)
}

func TestParseNotifications(t *testing.T) {
	body := envelope("",
		notification("04l000000000001AAA", "Contact", `
     <sf:Id>003000000000001AAA</sf:Id>
     <sf:Email>ana@example.org</sf:Email>
     <sf:Phone xsi:nil="true"/>
     <sf:Title></sf:Title>
     <sf:Description>a &lt;b&gt; &amp; c</sf:Description>
     <sf:MailingAddress><sf:city>Lyon</sf:city></sf:MailingAddress>
     <sf:LastModifiedById>005000000000001AAA</sf:LastModifiedById>
     <sf:LastModifiedDate>2026-01-02T03:04:05.000Z</sf:LastModifiedDate>
     <sf:SystemModstamp>2026-01-02T03:04:06.000Z</sf:SystemModstamp>`),
		// Any prefix bound to the enterprise namespace is the same type.
		`<Notification><Id>04l000000000002AAA</Id><sObject xmlns:ent="urn:sobject.enterprise.soap.sforce.com" xsi:type="ent:Account"><ent:Id>001000000000002AAA</ent:Id><ent:Name>Acme</ent:Name><ent:LastModifiedDate>2026-01-02T03:04:05.000+0000</ent:LastModifiedDate></sObject></Notification>`,
		notification("04l000000000003AAA", "Lead", `<sf:Id>00Q000000000003AAA</sf:Id>`),
	)
	m, err := ParseNotifications([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := &Message{
		OrganizationID: "00Dd0000000dtDqEAI",
		ActionID:       "04kd0000000PCgvAAG",
		EnterpriseURL:  "https://example.my.salesforce.com/services/Soap/c/66.0/00Dd0000000dtDq",
		PartnerURL:     "https://example.my.salesforce.com/services/Soap/u/66.0/00Dd0000000dtDq",
		Notifications: []Notification{
			{ID: "04l000000000001AAA", SObjectType: "Contact", Fields: map[string]string{
				"Id": "003000000000001AAA", "Email": "ana@example.org", "Phone": "", "Title": "",
				"Description": "a <b> & c", "LastModifiedById": "005000000000001AAA",
				"LastModifiedDate": "2026-01-02T03:04:05.000Z", "SystemModstamp": "2026-01-02T03:04:06.000Z",
			}},
			{ID: "04l000000000002AAA", SObjectType: "Account", Fields: map[string]string{
				"Id": "001000000000002AAA", "Name": "Acme", "LastModifiedDate": "2026-01-02T03:04:05.000+0000",
			}},
			{ID: "04l000000000003AAA", SObjectType: "Lead", Fields: map[string]string{"Id": "00Q000000000003AAA"}},
		},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got  %+v\nwant %+v", m, want)
	}

	changes, ignored := m.Changes()
	if ignored != 1 || len(changes) != 2 {
		t.Fatalf("%d changes, %d ignored", len(changes), ignored)
	}
	contact := changes[0]
	if contact.Side != hubforce.Salesforce || contact.Object != hubforce.Contact || contact.RecordID != "003000000000001AAA" ||
		contact.Kind != hubforce.KindUpdate || contact.DeliveryID != "04l000000000001AAA" ||
		contact.SourceID != "005000000000001AAA" || contact.Fields["Email"] != "ana@example.org" {
		t.Fatalf("contact change %+v", contact)
	}
	if want := time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC); !contact.Version.Equal(want) {
		t.Fatalf("SystemModstamp is preferred: version %v, want %v", contact.Version, want)
	}
	account := changes[1]
	if account.Object != hubforce.Company || account.SourceID != "" ||
		!account.Version.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("account change %+v (LastModifiedDate fallback in REST form)", account)
	}
	// The change owns its fields.
	account.Fields["Name"] = "changed"
	if m.Notifications[1].Fields["Name"] != "Acme" {
		t.Fatal("Change aliases the notification's fields")
	}
}

func TestParseNotificationsOptional(t *testing.T) {
	head := `<OrganizationId>00Dd0000000dtDq</OrganizationId><SessionId>00D!secret</SessionId><FutureField>x</FutureField>`
	m, err := ParseNotifications([]byte("\ufeff" + envelope(head, notification("04l1", "Contact", `<sf:Id>003x</sf:Id>`))))
	if err != nil {
		t.Fatal(err)
	}
	if m.SessionID != "00D!secret" || m.ActionID != "" || m.EnterpriseURL != "" {
		t.Fatalf("%+v", m)
	}
	c, ok := m.Notifications[0].Change()
	if !ok || !c.Version.IsZero() || c.SourceID != "" {
		t.Fatalf("without timestamps the version is zero: %+v", c)
	}
	// A message with no notifications is not an error: nothing to commit.
	m, err = ParseNotifications([]byte(envelope(head)))
	if err != nil || len(m.Notifications) != 0 {
		t.Fatalf("%v %+v", err, m)
	}
	// Records deleted before delivery arrive without data: the message is
	// still accepted (so it can be acknowledged) and they are ignored.
	deleted := envelope(head,
		`<Notification><Id>04l1</Id></Notification>`,
		`<Notification><Id>04l2</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"/></Notification>`,
		`<Notification><Id>04l3</Id><sObject/></Notification>`,
		notification("04l4", "Contact", `<sf:Id>003x</sf:Id>`))
	m, err = ParseNotifications([]byte(deleted))
	if err != nil {
		t.Fatal(err)
	}
	if changes, ignored := m.Changes(); len(changes) != 1 || ignored != 3 || changes[0].RecordID != "003x" {
		t.Fatalf("%d changes %+v, %d ignored", len(changes), changes, ignored)
	}
	// A SOAP Header is allowed and ignored.
	withHeader := strings.Replace(envelope(head), "<soapenv:Body>", "<soapenv:Header><x:y xmlns:x=\"urn:x\"/></soapenv:Header><soapenv:Body>", 1)
	if _, err := ParseNotifications([]byte(withHeader)); err != nil {
		t.Fatal(err)
	}
}

func TestParseNotificationsRefuses(t *testing.T) {
	one := notification("04l1", "Contact", `<sf:Id>003x</sf:Id>`)
	many := make([]string, MaxNotifications+1)
	for i := range many {
		many[i] = one
	}
	deep := strings.Repeat("<sf:a>", maxDepth) + strings.Repeat("</sf:a>", maxDepth)
	var wide strings.Builder
	for i := range maxElements {
		fmt.Fprintf(&wide, "<sf:a%d/>", i)
	}
	tests := []struct {
		name, body string
		want       error
		mention    string
	}{
		{"doctype", `<?xml version="1.0"?><!DOCTYPE soapenv:Envelope>` + envelope("", one)[38:], ErrDTD, "DTD"},
		{"entity declaration", `<!DOCTYPE x [<!ENTITY lol "lol">]>` + envelope("", one)[38:], ErrDTD, "entity"},
		{"billion laughs", `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>`, ErrDTD, ""},
		{"doctype inside the body", envelope("<!DOCTYPE x>", one), ErrDTD, ""},
		{"processing instruction", envelope("<?php echo 1; ?>", one), ErrDTD, ""},
		{"undefined entity", envelope("<OrganizationId>&xxe;</OrganizationId>", one), ErrMalformed, "entity"},
		{"empty", ``, ErrMalformed, "empty document"},
		{"not xml", `{"json":true}`, ErrMalformed, "text before the root"},
		{"wrong root", `<notifications xmlns="http://soap.sforce.com/2005/09/outbound"/>`, ErrMalformed, "want a SOAP 1.1 Envelope"},
		{"SOAP 1.2 envelope", `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`, ErrMalformed, "SOAP 1.1"},
		{"no body", `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>`, ErrMalformed, "without Body"},
		{"empty body", `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>`, ErrMalformed, "without notifications"},
		{"wrong body element", strings.Replace(envelope("", one), "2005/09/outbound", "2005/09/other", 1), ErrMalformed, "unexpected <notifications>"},
		{"truncated", envelope("", one)[:300], ErrMalformed, "unexpected EOF"},
		{"mismatched tags", strings.Replace(envelope("", one), "</notifications>", "</notification>", 1), ErrMalformed, "syntax error"},
		{"second root", envelope("", one) + "<x/>", ErrMalformed, "after the root"},
		{"text in structure", envelope("stray text", one), ErrMalformed, "unexpected text"},
		{"missing org id", envelope("<ActionId>x</ActionId>", one), ErrMalformed, "missing OrganizationId"},
		{"too many notifications", envelope("", many...), ErrMalformed, "more than 100 notifications"},
		{"too deep", envelope("", notification("04l1", "Contact", `<sf:Id>003x</sf:Id>`+deep)), ErrMalformed, "nested deeper"},
		{"too many elements", envelope("", notification("04l1", "Contact", `<sf:Id>003x</sf:Id>`+wide.String())), ErrMalformed, "more than 100000 elements"},
		{"notification without Id", envelope("", notification("", "Contact", `<sf:Id>003x</sf:Id>`)), ErrMalformed, "missing Id"},
		{"sObject without sf:Id", envelope("", notification("04l1", "Contact", `<sf:Email>a@b</sf:Email>`)), ErrMalformed, "without sf:Id"},
		{"sObject without type", envelope("", `<Notification><Id>1</Id><sObject><Id>2</Id></sObject></Notification>`), ErrMalformed, "without xsi:type"},
		{"undeclared prefix", envelope("", `<Notification><Id>1</Id><sObject xsi:type="zz:Contact"><Id>2</Id></sObject></Notification>`), ErrMalformed, "undeclared namespace prefix"},
		{"type outside sObject namespaces", envelope("", `<Notification><Id>1</Id><sObject xmlns:sf="urn:evil" xsi:type="sf:Contact"><sf:Id>2</sf:Id></sObject></Notification>`), ErrMalformed, "not in an sObject namespace"},
		{"unprefixed type", envelope("", `<Notification><Id>1</Id><sObject xsi:type="Contact"><Id>2</Id></sObject></Notification>`), ErrMalformed, "not in an sObject namespace"},
		{"duplicate field", envelope("", notification("04l1", "Contact", `<sf:Id>003x</sf:Id><sf:Id>003y</sf:Id>`)), ErrMalformed, "appears twice"},
		{"bad SystemModstamp", envelope("", notification("04l1", "Contact", `<sf:Id>003x</sf:Id><sf:SystemModstamp>yesterday</sf:SystemModstamp>`)), ErrMalformed, "SystemModstamp"},
		{"unsupported charset", strings.Replace(envelope("", one), "UTF-8", "ISO-8859-1", 1), ErrMalformed, "ISO-8859-1"},
		{"org id with children", envelope("<OrganizationId><b>x</b></OrganizationId>", one), ErrMalformed, "child elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseNotifications([]byte(tt.body))
			if !errors.Is(err, ErrMalformed) || !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("got %v (%+v), want %v mentioning %q", err, m, tt.want, tt.mention)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2017, 11, 3, 17, 24, 20, 0, time.UTC)
	for _, s := range []string{
		"2017-11-03T17:24:20.000Z",
		"2017-11-03T17:24:20.000+0000",
		"2017-11-03T17:24:20Z",
		"2017-11-03T17:24:20+00:00",
		"2017-11-03T19:24:20.000+0200",
		"2017-11-03T12:24:20.000-05:00",
		" 2017-11-03T17:24:20.000Z\n",
	} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if got, _ := ParseTime("2013-05-20T20:49:32.123+0000"); got.Nanosecond() != 123e6 {
		t.Errorf("milliseconds lost: %v", got)
	}
	for _, s := range []string{"", "2017-11-03", "2017-11-03 17:24:20", "2017-11-03T17:24:20", "1509729860000", "2017-13-03T17:24:20Z"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) accepted", s)
		}
	}
}
