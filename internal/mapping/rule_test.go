package mapping

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

// ruleMapping maps contact title with the given rule.
func ruleMapping(t *testing.T, r Rule) *Mapping {
	t.Helper()
	m, err := Parse("m.yaml", fmt.Appendf(nil, "objects:\n  contact:\n    fields:\n      - {hubspot: jobtitle, salesforce: Title, rule: %s}\n", r))
	if err != nil {
		t.Fatalf("rule %s: %v", r, err)
	}
	return m
}

func TestRuleDirections(t *testing.T) {
	cases := []struct {
		rule           Rule
		fromHS, fromSF WriteMode
	}{
		{TwoWay, Always, Always},
		{HubSpotToSalesforce, Always, Never},
		{SalesforceToHubSpot, Never, Always},
		{PreferSalesforceUnlessBlank, IfTargetBlank, Always},
		{PreferHubSpotUnlessBlank, Always, IfTargetBlank},
		{None, Never, Never},
	}
	for _, tc := range cases {
		t.Run(string(tc.rule), func(t *testing.T) {
			if got := tc.rule.Writes(hubforce.HubSpot); got != tc.fromHS {
				t.Errorf("Writes(hubspot) = %v, want %v", got, tc.fromHS)
			}
			if got := tc.rule.Writes(hubforce.Salesforce); got != tc.fromSF {
				t.Errorf("Writes(salesforce) = %v, want %v", got, tc.fromSF)
			}
			m := ruleMapping(t, tc.rule)
			if got := m.Mapped(hubforce.Contact, hubforce.HubSpot, "jobtitle"); got != (tc.fromHS != Never) {
				t.Errorf("Mapped(hubspot jobtitle) = %v", got)
			}
			if got := m.Mapped(hubforce.Contact, hubforce.Salesforce, "Title"); got != (tc.fromSF != Never) {
				t.Errorf("Mapped(salesforce Title) = %v", got)
			}
			checkWrite(t, m, hubforce.HubSpot, tc.fromHS)
			checkWrite(t, m, hubforce.Salesforce, tc.fromSF)
		})
	}
}

// checkWrite translates a title change from side from against a target
// that is unknown, blank and filled, and checks what is written.
func checkWrite(t *testing.T, m *Mapping, from hubforce.Side, mode WriteMode) {
	t.Helper()
	src, target := "jobtitle", "Title"
	if from == hubforce.Salesforce {
		src, target = "Title", "jobtitle"
	}
	written := func(opts ...Option) (string, bool) {
		if from == hubforce.HubSpot {
			out, _ := m.ToSalesforce(hubforce.Contact, map[string]string{src: "CTO"}, opts...)
			v, ok := out[target]
			s, _ := v.(string)
			return s, ok
		}
		out, _ := m.ToHubSpot(hubforce.Contact, map[string]string{src: "CTO"}, opts...)
		v, ok := out[target]
		return v, ok
	}
	_, unknown := written()
	_, toBlank := written(Current(map[string]string{target: ""}))
	_, toFilled := written(Current(map[string]string{target: "CEO"}))
	_, onCreate := written(Creating())
	want := map[WriteMode][4]bool{
		Never:         {false, false, false, false},
		Always:        {true, true, true, true},
		IfTargetBlank: {false, true, false, true},
	}[mode]
	if got := [4]bool{unknown, toBlank, toFilled, onCreate}; got != want {
		t.Errorf("from %s: written [unknown, blank target, filled target, create] = %v, want %v", from, got, want)
	}
}

func TestPreferredSideClearsTheOther(t *testing.T) {
	// HubSpot's connector: deleting the value in the preferred side deletes it
	// on the other side too.
	m := ruleMapping(t, PreferSalesforceUnlessBlank)
	got, _ := m.ToHubSpot(hubforce.Contact, map[string]string{"Title": ""}, Current(map[string]string{"jobtitle": "CTO"}))
	if !maps.Equal(got, map[string]string{"jobtitle": ""}) {
		t.Errorf("Salesforce clear → %v, want jobtitle cleared", got)
	}
	// A blank from the other side never clears the preferred one.
	out, _ := m.ToSalesforce(hubforce.Contact, map[string]string{"jobtitle": ""}, Current(map[string]string{"Title": ""}))
	if len(out) != 0 {
		t.Errorf("HubSpot blank → %v, want nothing", out)
	}
}

func TestConditionalFields(t *testing.T) {
	m := ruleMapping(t, PreferSalesforceUnlessBlank)
	if got := m.ConditionalFields(hubforce.Contact, hubforce.HubSpot); len(got) != 1 || got[0] != "Title" {
		t.Errorf("ConditionalFields(hubspot) = %v, want [Title]", got)
	}
	if got := m.ConditionalFields(hubforce.Contact, hubforce.Salesforce); len(got) != 0 {
		t.Errorf("ConditionalFields(salesforce) = %v, want none", got)
	}
}

func TestResolve(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	older, newer := t0, t0.Add(time.Second)
	cases := []struct {
		rule       Rule
		hs, sf     string
		hsAt, sfAt time.Time
		winner     hubforce.Side
		value      string
	}{
		{TwoWay, "a", "b", newer, older, hubforce.HubSpot, "a"},
		{TwoWay, "a", "b", older, newer, hubforce.Salesforce, "b"},
		{TwoWay, "a", "b", t0, t0, hubforce.HubSpot, "a"},
		{TwoWay, "", "b", newer, older, hubforce.HubSpot, ""}, // a newer clear wins
		{HubSpotToSalesforce, "a", "b", older, newer, hubforce.HubSpot, "a"},
		{SalesforceToHubSpot, "a", "b", newer, older, hubforce.Salesforce, "b"},
		{PreferSalesforceUnlessBlank, "a", "b", newer, older, hubforce.Salesforce, "b"},
		{PreferSalesforceUnlessBlank, "a", " ", older, newer, hubforce.HubSpot, "a"},
		{PreferHubSpotUnlessBlank, "a", "b", older, newer, hubforce.HubSpot, "a"},
		{PreferHubSpotUnlessBlank, "", "b", newer, older, hubforce.Salesforce, "b"},
		{None, "a", "b", newer, older, "", ""},
	}
	for _, tc := range cases {
		m := ruleMapping(t, tc.rule)
		w, v := m.Resolve(hubforce.Contact, "jobtitle", tc.hs, tc.sf, tc.hsAt, tc.sfAt)
		if w != tc.winner || v != tc.value {
			t.Errorf("%s(hs %q @%s, sf %q @%s) = %q %q, want %q %q", tc.rule, tc.hs, tc.hsAt.Format(time.TimeOnly),
				tc.sf, tc.sfAt.Format(time.TimeOnly), w, v, tc.winner, tc.value)
		}
	}
	if w, _ := Default().Resolve(hubforce.Contact, "hs_lead_status", "a", "b", t0, t0); w != "" {
		t.Errorf("unmapped field resolved to %q", w)
	}
}
