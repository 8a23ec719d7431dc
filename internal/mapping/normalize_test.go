package mapping

import (
	"testing"

	"github.com/hubforce/hubforce"
)

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{
		"acme.com":                        "acme.com",
		"https://www.acme.com/":           "acme.com",
		"http://acme.com":                 "acme.com",
		"HTTPS://WWW.ACME.COM":            "acme.com",
		"www.acme.com":                    "acme.com",
		"acme.com/":                       "acme.com",
		"https://acme.com/about/team?x=1": "acme.com",
		"http://www.test.com":             "test.com",
		"https://acme.com#top":            "acme.com",
		"  Acme.COM  ":                    "acme.com",
		"https://acme.com:8443/x":         "acme.com",
		"https://user:pw@acme.com/":       "acme.com",
		"//acme.com/x":                    "acme.com",
		"acme.com.":                       "acme.com",
		"shop.acme.co.uk":                 "shop.acme.co.uk",
		"www2.acme.com":                   "www2.acme.com",
		"bücher.de":                       "bücher.de",
		"":                                "",
		"https://":                        "",
		"n/a":                             "",
		"acme":                            "",
		"not a url.com":                   "",
		"-acme.com":                       "",
		"acme..com":                       "",
	} {
		if got := NormalizeDomain(in); got != want {
			t.Errorf("NormalizeDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebsiteFromDomain(t *testing.T) {
	for in, want := range map[string]string{"acme.com": "https://acme.com", "www.Acme.com": "https://acme.com", "n/a": "n/a", "": ""} {
		if got := WebsiteFromDomain(in); got != want {
			t.Errorf("WebsiteFromDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchKey(t *testing.T) {
	m := Default()
	cases := []struct {
		obj    hubforce.Object
		side   hubforce.Side
		fields map[string]string
		want   string
		ok     bool
	}{
		{hubforce.Contact, hubforce.HubSpot, map[string]string{"email": " Ada@Example.COM "}, "ada@example.com", true},
		{hubforce.Contact, hubforce.Salesforce, map[string]string{"Email": "ada@example.com"}, "ada@example.com", true},
		{hubforce.Contact, hubforce.Salesforce, map[string]string{"LastName": "Lovelace"}, "", false},
		{hubforce.Company, hubforce.Salesforce, map[string]string{"Website": "https://www.acme.com/", "Name": "Acme"}, "acme.com", true},
		{hubforce.Company, hubforce.HubSpot, map[string]string{"domain": "acme.com"}, "acme.com", true},
		{hubforce.Company, hubforce.HubSpot, map[string]string{"domain": "", "name": "  Acme   Inc "}, "acme inc", true},
		{hubforce.Company, hubforce.Salesforce, map[string]string{"Website": "n/a", "Name": "Acme"}, "acme", true},
		{"deal", hubforce.HubSpot, map[string]string{"dealname": "x"}, "", false},
	}
	for _, tc := range cases {
		got, ok := m.MatchKey(tc.obj, tc.side, tc.fields)
		if got != tc.want || ok != tc.ok {
			t.Errorf("MatchKey(%s, %s, %v) = %q %v, want %q %v", tc.obj, tc.side, tc.fields, got, ok, tc.want, tc.ok)
		}
	}
	ms := m.Matches(hubforce.Company, hubforce.HubSpot, map[string]string{"domain": "acme.com", "name": "Acme"})
	if len(ms) != 2 || ms[0].Key.Kind != MatchDomain || ms[1].Value != "acme" {
		t.Errorf("Matches = %+v, want domain then name", ms)
	}
}

func TestParseNumber(t *testing.T) {
	for in, want := range map[string]bool{
		"250": true, "-3.5": true, "1.0E7": true, "10000.0": true, " 42 ": true, ".5": true,
		"": false, "abc": false, "0x10": false, "Inf": false, "NaN": false, "1_000": false, "1,000": false, ".": false, "1e": false, "--1": false,
	} {
		if _, err := parseNumber(in); (err == nil) != want {
			t.Errorf("parseNumber(%q) err = %v, want ok=%v", in, err, want)
		}
	}
}
