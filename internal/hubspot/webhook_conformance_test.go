package hubspot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type payloadSample struct {
	ID      string            `json:"id"`
	Kind    string            `json:"kind"` // set on samples that are not webhook bodies
	Body    json.RawMessage   `json:"body"`
	RawBody string            `json:"rawBody"`
	Events  []json.RawMessage `json:"events"` // published as single objects
}

func (s payloadSample) bytes() []byte {
	switch {
	case s.RawBody != "":
		return []byte(s.RawBody)
	case len(s.Events) > 0:
		parts := make([]string, len(s.Events))
		for i, e := range s.Events {
			parts[i] = string(e)
		}
		return []byte("[" + strings.Join(parts, ",") + "]")
	}
	return s.Body
}

// summary renders a change compactly: "kind object record [extra]".
func summary(e Event) string {
	c, ok := e.Change()
	if !ok {
		return "ignored"
	}
	s := fmt.Sprintf("%s %s %s", c.Kind, c.Object, c.RecordID)
	switch {
	case c.Fields != nil:
		s += fmt.Sprintf(" %v", c.Fields)
	case c.MergedIDs != nil:
		s += fmt.Sprintf(" merged %v", c.MergedIDs)
	case c.AssociatedID != "":
		s += fmt.Sprintf(" with %s primary=%t removed=%t", c.AssociatedID, c.AssociationPrimary, c.AssociationRemoved)
	}
	return s
}

// What each published sample must become; a new sample without an entry
// fails, so the table is kept complete.
var sampleWant = map[string][]string{
	"official-v1-signature-example":   {"create contact 123"},
	"official-webhooks-guide-example": {"update contact 1246965 map[lifecyclestage:subscriber]", "create contact 1246978"},
	"official-sensitive-data-example": {"update contact 847297356 map[]"},
	"constructed-contact-merge":       {"merge contact 1001 merged [1002]"},
	"constructed-company-merge":       {"merge company 2001 merged [2002 2003]"},
	"constructed-contact-associationchange": {
		"association contact 1001 with 2001 primary=true removed=false"},
	"constructed-generic-associationchange": {
		"association contact 1001 with 2001 primary=true removed=false"},
	"constructed-contact-restore":                     {"restore contact 1003"},
	"constructed-contact-privacydeletion-pair":        {"privacy_delete contact 1004", "delete contact 1004"},
	"obs-contact-creation-by-integration":             {"create contact 106314056576"},
	"obs-contact-propertychange-by-integration-retry": {"update contact 541935488729 map[email:emailmaria+webhook-test-2@hubspot.com]"},
	"obs-integration-suite": {
		"create contact 508369434347", "update contact 508369434347 map[firstname:Maton]", "delete contact 508369434347",
		"create company 330222354146", "update company 330222354146 map[city:San Francisco]", "delete company 330222354146"},
	"obs-company-events-ui-and-enrichment": {
		"create company 6682673371", "update company 6682673371 map[twitterhandle:avisaGD]", "delete company 6674551525"},
	"obs-generic-object-propertychange": {"update contact 546500061938 map[email:bhalli@hubspot.com]"},
	"obs-generic-object-deletion":       {"ignored"},
	"obs-2017-api-key-write":            {"update contact 8501 map[hs_lead_status:DEAL]"},
}

func TestConformanceWebhookPayloads(t *testing.T) {
	seen := 0
	for _, name := range []string{"webhook_payloads_official.json", "webhook_payloads_observed.json", "webhook_payloads_constructed.json"} {
		var doc struct{ Samples []payloadSample }
		if err := json.Unmarshal(conformanceFile(t, "hubspot", name), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, s := range doc.Samples {
			if s.Kind != "" {
				continue // subscription lists, settings, API errors: not webhook bodies
			}
			seen++
			t.Run(s.ID, func(t *testing.T) {
				events, err := ParseEvents(s.bytes())
				if err != nil {
					t.Fatalf("ParseEvents: %v", err)
				}
				want, ok := sampleWant[s.ID]
				if !ok {
					t.Fatalf("no expectation for sample %q", s.ID)
				}
				var got []string
				for _, e := range events {
					got = append(got, summary(e))
					assertSane(t, e)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
			})
		}
	}
	if seen != len(sampleWant) {
		t.Fatalf("saw %d webhook samples, expectations for %d", seen, len(sampleWant))
	}
}

// assertSane checks what every mapped change must satisfy; the fuzz target
// uses it too.
func assertSane(t *testing.T, e Event) {
	t.Helper()
	c, ok := e.Change()
	if !ok {
		return
	}
	if c.RecordID == "" || c.RecordID == "0" {
		t.Fatalf("change without record id: %+v", c)
	}
	if c.Object != "contact" && c.Object != "company" {
		t.Fatalf("unknown object %q", c.Object)
	}
	if c.Side != "hubspot" || c.DeliveryID == "" || c.Version.IsZero() || c.Kind == "" {
		t.Fatalf("incomplete change %+v", c)
	}
	if c.Kind == "association" && (c.AssociatedID == "" || c.AssociatedID == "0" || c.Object != "contact") {
		t.Fatalf("association without company: %+v", c)
	}
	if c.Kind == "merge" && c.NewID != c.RecordID {
		t.Fatalf("merge survivor mismatch: %+v", c)
	}
	for _, v := range c.Fields {
		if v == RedactedValue {
			t.Fatalf("redacted placeholder would be written: %+v", c)
		}
	}
}
