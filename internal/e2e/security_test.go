package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// forgedMessage is an Outbound Message as anyone can write one: the org id
// is not a secret, and Outbound Messages carry no signature (WIRE.md).
const forgedMessage = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>%s</OrganizationId>
   <ActionId>04k5g000000ForgeAAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://forger.example/services/Soap/c/68.0</EnterpriseUrl>
   <PartnerUrl>https://forger.example/services/Soap/u/68.0</PartnerUrl>
   <Notification>
    <Id>04l5g00000Forge1AAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>%s</sf:Id>
     <sf:LastName>Forged</sf:LastName>
     <sf:Phone>+1 666 000 0000</sf:Phone>
     <sf:LastModifiedById>0055g00000ForgeAAA</sf:LastModifiedById>
     <sf:SystemModstamp>%s</sf:SystemModstamp>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5g00000Forge2AAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>003000000000FakeAAA</sf:Id>
     <sf:LastName>Invented</sf:LastName>
     <sf:Email>invented@example.com</sf:Email>
     <sf:LastModifiedById>0055g00000ForgeAAA</sf:LastModifiedById>
     <sf:SystemModstamp>%[3]s</sf:SystemModstamp>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`

// testForgedNotification (issue 9): a forged Outbound Message for a linked
// Contact with invented values, and one for an Id the org does not have.
// Both are acknowledged (a refusal tells the forger nothing it could use);
// HubSpot keeps the real Salesforce values, and nothing is created.
func testForgedNotification(t *testing.T, e *Env) {
	hsID, sfID := linkedPair(t, e, "forged@example.com")
	stamp := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	code, body, err := Post(e.BridgeURLs[0]+"/webhooks/salesforce", fmt.Sprintf(forgedMessage, SalesforceOrg, sfID, stamp), "Content-Type", "text/xml; charset=utf-8")
	if err != nil || code != 200 || !strings.Contains(body, "<Ack>true</Ack>") {
		t.Fatalf("forged message answered %d %q %v", code, body, err)
	}
	settled(t, e)
	var contact map[string]string
	for _, r := range e.HubSpot.List("contacts") {
		if r.ID == hsID {
			contact = r.Properties
		}
	}
	if contact["lastname"] != "Pair" || contact["phone"] != "" {
		t.Fatalf("HubSpot took the forged values: %v", contact)
	}
	if len(hsContactsByEmail(e, "invented@example.com")) != 0 {
		t.Fatal("a forged notification for an unknown Id created a HubSpot contact")
	}
	_, m, err := Get(e.BridgeURLs[0] + "/metrics")
	if err != nil || MetricValue(m, "hubforce_deliveries_total", `to="hubspot"`, `outcome="refused"`) != 1 {
		t.Fatalf("the unknown Id is not counted as refused (%v)", err)
	}
}
