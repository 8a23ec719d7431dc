package salesforce

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hubforce/hubforce/internal/salesforcesim"
)

// TestDescribeScopesAndOutboundMessages reads the org's setup the way
// doctor does: field properties, granted scopes, and each Outbound
// Message's endpoint and fields through the Tooling API.
func TestDescribeScopesAndOutboundMessages(t *testing.T) {
	f := newFixture(t, func(cfg *salesforcesim.Config) {
		cfg.OutboundURL = "https://sync.example.com/webhooks/salesforce"
		cfg.OutboundFields = map[string][]string{"Contact": {"Id", "Email", "SystemModstamp"}, "Account": {"Id", "Name"}}
	})
	c := f.client(nil)
	ctx := context.Background()
	fields, err := c.Describe(ctx, "Contact")
	if err != nil {
		t.Fatal(err)
	}
	if !fields["LastName"].Required() || fields["Email"].Required() || fields["OwnerId"].Required() ||
		fields["Id"].Updateable || !fields["Email"].Updateable || fields["SystemModstamp"].Createable {
		t.Errorf("describe: LastName %+v Email %+v Id %+v", fields["LastName"], fields["Email"], fields["Id"])
	}
	if _, err := c.Describe(ctx, "Nothing__c"); err == nil {
		t.Error("describe of an unknown sObject succeeded")
	}
	scopes, err := c.GrantedScopes(ctx)
	if err != nil || !slices.Contains(scopes, "api") {
		t.Errorf("scopes %v %v", scopes, err)
	}
	msgs, err := c.OutboundMessages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Object != "Account" || msgs[1].EndpointURL != "https://sync.example.com/webhooks/salesforce" ||
		fmt.Sprint(msgs[1].Fields) != "[Id Email SystemModstamp]" || msgs[1].IncludeSessionID {
		t.Errorf("outbound messages: %+v", msgs)
	}
}
