package salesforce

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hubforce/hubforce"
)

func TestQuoteSOQL(t *testing.T) {
	tests := map[string]string{
		`plain`:          `'plain'`,
		`Bob's BBQ`:      `'Bob\'s BBQ'`, // the docs' own example
		`back\slash`:     `'back\\slash'`,
		`\'`:             `'\\\''`,
		"two\nlines\t\r": `'two\nlines\t\r'`,
		`say "hi"`:       `'say \"hi\"'`,
		`100% _x_`:       `'100% _x_'`, // \% and \_ are for LIKE only
	}
	for in, want := range tests {
		if got := quoteSOQL(in); got != want {
			t.Errorf("quoteSOQL(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestRenderNumber(t *testing.T) {
	for in, want := range map[string]string{
		"250": "250", "1.5E7": "15000000", "2.5e-3": "0.0025", "250.0": "250", "12345678901234567890": "12345678901234567890", "-0.5": "-0.5",
	} {
		got, err := renderNumber(jsonNumber(in))
		if err != nil || got != want {
			t.Errorf("renderNumber(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestClassifyRecordErrors(t *testing.T) {
	tests := []struct {
		code   string
		fields []string
		want   hubforce.Class
	}{
		{"REQUIRED_FIELD_MISSING", []string{"LastName"}, hubforce.Validation},
		{"FIELD_CUSTOM_VALIDATION_EXCEPTION", nil, hubforce.Validation},
		{"INVALID_FIELD", nil, hubforce.Validation},
		{"STRING_TOO_LONG", []string{"Title"}, hubforce.Validation},
		{"INVALID_EMAIL_ADDRESS", []string{"Email"}, hubforce.Validation},
		{"UNABLE_TO_LOCK_ROW", nil, hubforce.Retryable},
		{"DUPLICATE_VALUE", nil, hubforce.Conflict},
		{"DUPLICATE_EXTERNAL_ID", []string{"Email"}, hubforce.Conflict},
		{"ENTITY_IS_DELETED", nil, hubforce.NotFound},
		{"NOT_FOUND", nil, hubforce.NotFound},
		{"INVALID_CROSS_REFERENCE_KEY", nil, hubforce.NotFound},
		{"INVALID_CROSS_REFERENCE_KEY", []string{"AccountId"}, hubforce.Validation},
		{"INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", nil, hubforce.Permanent},
	}
	for _, tt := range tests {
		e := recordFailure([]recordError{{StatusCode: tt.code, Message: "m", Fields: tt.fields}})
		if e.Class != tt.want || e.Code != tt.code || len(e.Fields) != len(tt.fields) {
			t.Errorf("%s %v: %+v, want class %s", tt.code, tt.fields, e, tt.want)
		}
	}
}

func TestCallErrorClasses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   hubforce.Class
	}{
		{"session", 401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, hubforce.Auth},
		{"daily", 403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, hubforce.Budget},
		{"concurrent", 403, `[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, hubforce.Retryable},
		{"no access", 403, `[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]`, hubforce.Permanent},
		{"upsert matches", 300, `["/services/data/v66.0/sobjects/Contact/003000000000001AAA"]`, hubforce.Conflict},
		{"unknown key field (object body)", 404, `{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}`, hubforce.Permanent},
		{"bad field", 400, `[{"message":"No such column","errorCode":"INVALID_FIELD"}]`, hubforce.Validation},
		{"bad query", 400, `[{"message":"x","errorCode":"MALFORMED_QUERY"}]`, hubforce.Permanent},
		{"busy", 503, `[{"message":"Server too busy","errorCode":"SERVER_UNAVAILABLE"}]`, hubforce.Retryable},
		{"html 502", 502, `<html>bad gateway</html>`, hubforce.Retryable},
	}
	for _, tt := range tests {
		e := callError(&http.Response{StatusCode: tt.status, Header: http.Header{}}, []byte(tt.body))
		if e.Class != tt.want || e.Status != tt.status || e.Side != hubforce.Salesforce {
			t.Errorf("%s: %+v, want class %s", tt.name, e, tt.want)
		}
	}
}

func jsonNumber(s string) json.Number { return json.Number(s) }
