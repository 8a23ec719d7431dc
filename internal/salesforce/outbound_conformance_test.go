package salesforce

import (
	"bytes"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func conformanceDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HUBFORCE_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("HUBFORCE_CONFORMANCE_DIR is unset: skipping the test against captured Salesforce samples")
	}
	return filepath.Join(dir, "salesforce")
}

// What each captured request must become: "org session-nil? changes ignored"
// then one "object record version source" line per change, or the error.
var omWant = map[string]string{
	"om-request-account-full-fields.xml": `00Dd0000000dtDqEAI nil 1 0
company 001d000001XD5XKAA1 2014-05-19T11:02:14Z 005d0000000yYC7AAM`,
	"om-request-contact-2-notifications.xml": `012345678901234 session 2 0
contact 0031I0000081tbPQAQ 0001-01-01T00:00:00Z -
contact 0031I0000081tb0QAA 0001-01-01T00:00:00Z -`,
	"om-request-contact-npsp-full-fields.xml": `00Dn00000008y2tEAA session 1 0
contact 003n000000NOtUbAAL 2017-11-03T17:24:20Z 005n0000002w77JAAQ`,
	"om-request-lead-3-notifications.xml":    `0123456789ABCDENNN session 0 3`,
	"om-request-opportunity-single-line.xml": `00D7F00000107XsUAI nil 0 1`,
	"om-request-empty-notifications.xml":     `error: missing OrganizationId`,
}

func describe(body []byte) string {
	m, err := ParseNotifications(body)
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			return "unwrapped error: " + err.Error()
		}
		return "error: " + strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": ")
	}
	session := "session"
	if m.SessionID == "" {
		session = "nil"
	}
	changes, ignored := m.Changes()
	lines := []string{fmt.Sprintf("%s %s %d %d", m.OrganizationID, session, len(changes), ignored)}
	for _, c := range changes {
		src := c.SourceID
		if src == "" {
			src = "-"
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %s", c.Object, c.RecordID, c.Version.Format("2006-01-02T15:04:05Z07:00"), src))
	}
	return strings.Join(lines, "\n")
}

func TestConformanceOutboundRequests(t *testing.T) {
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "om-request-*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in %s: %v", dir, err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := omWant[name]
			if !ok {
				t.Fatalf("no expectation for %s:\n%s", name, describe(body))
			}
			if got := describe(body); got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	if len(files) != len(omWant) {
		t.Fatalf("%d samples, %d expectations", len(files), len(omWant))
	}
}

func TestConformanceNPSPFields(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(conformanceDir(t), "om-request-contact-npsp-full-fields.xml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseNotifications(body)
	if err != nil {
		t.Fatal(err)
	}
	f := m.Notifications[0].Fields
	if f["npo02__Formula_HouseholdMailingAddress__c"] != "<br>" || f["Email"] != "kxxxxxxxxxic@gmail.com" ||
		f["Birthdate"] != "1978-01-01" || f["Active__c"] != "1.0" || len(f) < 90 {
		t.Fatalf("%d fields: %v", len(f), f)
	}
	if !OrgMatches("00Dn00000008y2t", m.OrganizationID) {
		t.Fatal("15-character org id must match the message's 18")
	}
}

func TestConformanceResponses(t *testing.T) {
	dir := conformanceDir(t)
	bom := []byte("\xef\xbb\xbf")
	ack, err := os.ReadFile(filepath.Join(dir, "om-response-ack-true.xml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	WriteAck(rec)
	if got := rec.Body.Bytes(); !bytes.Equal(got, bytes.TrimPrefix(ack, bom)) {
		t.Fatalf("ack differs from the captured one:\n%q\n%q", got, ack)
	}
	tmpl, err := os.ReadFile(filepath.Join(dir, "om-response-soap-fault-template.xml"))
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	WriteFault(rec, 0, FaultClient, "OrganizationId is not the configured org")
	want := bytes.Replace(bytes.TrimPrefix(tmpl, bom), []byte("{0}"), []byte("OrganizationId is not the configured org"), 1)
	if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("fault differs from the template:\n%q\n%q", got, want)
	}
}
