package mapping

import (
	"os"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
)

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/example.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "objects:\n", "objects: []\n", "objects:\n  contact:\n    fields:\n      - {hubspot: a, salesforce: B}\n",
		"a: &x 1\nb: *x\n", "<<: {a: 1}\n", "objects:\n  contact:\n    fields: [null, 1, [2]]\n",
		"--- 1\n--- 2\n", "objects: {contact: {fields: [{values: {a: b}}]}}\n", "? [a]\n: b\n", "!!binary x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("message does not name the file: %v", err)
			}
			return
		}
		// A mapping that loads must translate without panicking.
		for _, obj := range m.Objects() {
			props := map[string]string{}
			for _, p := range m.HubSpotProperties(obj) {
				props[p] = "x"
			}
			m.ToSalesforce(obj, props, Creating())
			m.ToHubSpot(obj, map[string]string{"Name": ""})
		}
	})
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"https://www.acme.com/", "acme.com", "", "://", "@:", "www.", "http://[::1]:80/", "ü.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := NormalizeDomain(s)
		if d == "" {
			return
		}
		if NormalizeDomain(d) != d {
			t.Errorf("not idempotent: %q → %q → %q", s, d, NormalizeDomain(d))
		}
		if NormalizeDomain(WebsiteFromDomain(d)) != d {
			t.Errorf("website round trip: %q → %q", d, WebsiteFromDomain(d))
		}
		if strings.ContainsAny(d, "/:@?# ") || strings.HasPrefix(d, "www.") || d != strings.ToLower(d) {
			t.Errorf("NormalizeDomain(%q) = %q", s, d)
		}
		// Whatever the domain, the company match key is it.
		if k, ok := Default().MatchKey(hubforce.Company, hubforce.Salesforce, map[string]string{"Website": s}); !ok || k != d {
			t.Errorf("MatchKey(Website %q) = %q %v, want %q", s, k, ok, d)
		}
	})
}
