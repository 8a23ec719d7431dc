package salesforce

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
)

// The client against real captured Salesforce messages: CI sets
// HUBFORCE_CONFORMANCE_DIR to the shared conformance folder.
func conformanceFile(t *testing.T, name string) []byte {
	t.Helper()
	dir := os.Getenv("HUBFORCE_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("HUBFORCE_CONFORMANCE_DIR is not set; the captured Salesforce messages are not available")
	}
	b, err := os.ReadFile(filepath.Join(dir, "salesforce", name))
	if err != nil {
		t.Fatalf("conformance file: %v", err)
	}
	return b
}

func TestConformanceLimitInfoHeaders(t *testing.T) {
	data := conformanceFile(t, "rest-sforce-limit-info-header.txt")
	lines := 0
	for sc := bufio.NewScanner(bytes.NewReader(data)); sc.Scan(); {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.EqualFold(name, "Sforce-Limit-Info") {
			continue
		}
		lines++
		h := http.Header{}
		h.Set(name, strings.TrimSpace(value))
		l := &limits{}
		l.observe(h)
		if used, limit := l.usage(); used == 0 || limit == 0 {
			t.Errorf("%q: usage %d/%d", value, used, limit)
		}
	}
	if lines == 0 {
		t.Fatal("no header lines in the capture")
	}
}

func TestConformanceCallErrors(t *testing.T) {
	limit := conformanceFile(t, "rest-403-request-limit-exceeded.json")
	if e := callError(&http.Response{StatusCode: 403, Header: http.Header{}}, limit); e.Class != hubforce.Budget || e.Code != "REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("daily limit: %+v", e)
	}
	notFound := conformanceFile(t, "rest-upsert-unknown-external-id-field-404.json")
	if e := callError(&http.Response{StatusCode: 404, Header: http.Header{}}, notFound); e.Class != hubforce.Permanent || e.Code != "NOT_FOUND" {
		t.Errorf("unknown upsert key: %+v", e)
	}
	raw := conformanceFile(t, "rest-401-invalid-session-id.http")
	_, body, ok := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	if !ok {
		t.Fatal("no body in the 401 capture")
	}
	if e := callError(&http.Response{StatusCode: 401, Header: http.Header{}}, []byte(body)); e.Class != hubforce.Auth || e.Code != "INVALID_SESSION_ID" {
		t.Errorf("401: %+v", e)
	}
}

// tokenEndpoint answers every grant with status and body.
func tokenEndpoint(t *testing.T, status int, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConformanceTokenAnswers(t *testing.T) {
	doc := conformanceFile(t, "oauth-token-response-doc-example.json")
	ok := tokenEndpoint(t, http.StatusOK, doc)
	c, err := NewClient(ClientConfig{LoginURL: ok.URL, ClientID: testClientID, RefreshToken: testRefresh})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := c.IntegrationUserID(context.Background()); err != nil || id != "005x00000012Q9P" {
		t.Errorf("IntegrationUserID from the docs' example = %q, %v", id, err)
	}
	for _, name := range []string{"oauth-400-invalid-grant-invalid-assertion.json", "oauth-400-invalid-grant-not-approved.json"} {
		refused := tokenEndpoint(t, http.StatusBadRequest, conformanceFile(t, name))
		c, err := NewClient(ClientConfig{LoginURL: refused.URL, ClientID: testClientID, RefreshToken: testRefresh})
		if err != nil {
			t.Fatal(err)
		}
		if ae := apiErr(t, c.Ready(context.Background()), hubforce.Auth); ae.Code != "invalid_grant" || ae.Message == "" {
			t.Errorf("%s: %+v", name, ae)
		}
	}
}
