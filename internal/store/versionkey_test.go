package store

import (
	"context"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
)

func TestVersionKeys(t *testing.T) {
	one := map[string]string{"email": "a@x.com"}
	two := map[string]string{"Email": "a@x.com", "Phone": "1"}
	for _, tc := range []struct {
		name string
		c    hubforce.Change
		want string
	}{
		{"hubspot propertyChange", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindUpdate, Fields: one}, "email"},
		{"hubspot snapshot", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindUpdate, Fields: two}, "Email Phone"},
		{"salesforce snapshot", hubforce.Change{Side: hubforce.Salesforce, Kind: hubforce.KindUpdate, Fields: two}, "Email Phone"},
		{"update without fields", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindUpdate}, "*"},
		{"creation", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindCreate}, "#create"},
		{"deletion", hubforce.Change{Side: hubforce.Salesforce, Kind: hubforce.KindDelete}, "#delete"},
		{"privacy deletion", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindPrivacyDelete}, "#privacy_delete"},
		{"merge", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindMerge}, "#merge"},
		{"restore", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindRestore}, "#restore"},
		{"association", hubforce.Change{Side: hubforce.HubSpot, Kind: hubforce.KindAssociation, AssociatedID: "9001"},
			"#association:9001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, k := range VersionKeys(tc.c) {
				got = append(got, k.Key)
				if (k.Hash != "") != (tc.c.Kind == hubforce.KindUpdate && len(tc.c.Fields) > 0) {
					t.Errorf("slot %q has hash %q", k.Key, k.Hash)
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("VersionKeys = %v, want %s", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1", Kind: hubforce.KindUpdate}
	if err := validate(ok); err != nil {
		t.Fatalf("valid change rejected: %v", err)
	}
	for _, bad := range []func(*hubforce.Change){
		func(c *hubforce.Change) { c.Side = "zoho" },
		func(c *hubforce.Change) { c.Object = "" },
		func(c *hubforce.Change) { c.RecordID = "" },
		func(c *hubforce.Change) { c.Kind = "" },
	} {
		c := ok
		bad(&c)
		if err := validate(c); err == nil {
			t.Errorf("invalid change %+v accepted", c)
		}
	}
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	for _, u := range []string{"", "mysql://root:hunter2@db/x", "hubforce.db"} {
		_, err := Open(context.Background(), u)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", u)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error leaks the password: %v", err)
		}
	}
}
