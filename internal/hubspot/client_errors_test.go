package hubspot

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
)

func nopLog() zerolog.Logger { return zerolog.Nop() }

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
		body       string
		class      hubforce.Class
		code       string
		fields     []string
		wait       time.Duration
	}{
		{"ten-secondly", 429, "", `{"status":"error","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}`, hubforce.Retryable, "TEN_SECONDLY_ROLLING", nil, 0},
		{"daily", 429, "", `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`, hubforce.Budget, "DAILY", nil, 0},
		{"429 with Retry-After", 429, "3", `{}`, hubforce.Retryable, "RATE_LIMIT", nil, 3 * time.Second},
		{"502", 502, "", `{"category":"INTERNAL_ERROR"}`, hubforce.Retryable, "INTERNAL_ERROR", nil, 0},
		{"503 no body", 503, "", ``, hubforce.Retryable, "", nil, 0},
		{"423 locked", 423, "", `{}`, hubforce.Retryable, "", nil, lockedWait},
		{"477 migration", 477, "3600", `{}`, hubforce.Retryable, "", nil, time.Hour},
		{"401", 401, "", `{"category":"EXPIRED_AUTHENTICATION","message":"The OAuth token used to make this call expired 75 second(s) ago."}`, hubforce.Auth, "EXPIRED_AUTHENTICATION", nil, 0},
		{"403 scopes", 403, "", `{"category":"MISSING_SCOPES","errors":[{"message":"One or more…","context":{"requiredGranularScopes":["crm.objects.deals.read"]}}]}`, hubforce.Auth, "MISSING_SCOPES", []string{"crm.objects.deals.read"}, 0},
		{"403 other", 403, "", `{"category":"FORBIDDEN"}`, hubforce.Permanent, "FORBIDDEN", nil, 0},
		{"400 property", 400, "", `{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"testproperty\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"testproperty\"}]","errors":[{"message":"Property \"testproperty\" does not exist","code":"PROPERTY_DOESNT_EXIST","context":{"propertyName":["testproperty"]}}],"category":"VALIDATION_ERROR"}`, hubforce.Validation, "PROPERTY_DOESNT_EXIST", []string{"testproperty"}, 0},
		{"400 generic", 400, "", `{"message":"bad","category":"VALIDATION_ERROR","errors":[{"message":"discount was not a valid number","code":"INVALID_INTEGER","context":{"propertyName":["discount"]}}]}`, hubforce.Validation, "INVALID_INTEGER", []string{"discount"}, 0},
		{"404", 404, "", `{"category":"OBJECT_NOT_FOUND","message":"resource not found"}`, hubforce.NotFound, "OBJECT_NOT_FOUND", nil, 0},
		{"409", 409, "", `{"status":"error","message":"Contact already exists. Existing ID: 512159482605","category":"CONFLICT"}`, hubforce.Conflict, "CONFLICT", nil, 0},
		{"414", 414, "", `not json`, hubforce.Permanent, "", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.retryAfter != "" {
				h.Set("Retry-After", tc.retryAfter)
			}
			e := classify(tc.status, h, []byte(tc.body))
			if e.Side != hubforce.HubSpot || e.Status != tc.status || e.Class != tc.class || e.Code != tc.code ||
				!slices.Equal(e.Fields, tc.fields) || e.RetryAfter != tc.wait {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestExistingID(t *testing.T) {
	for msg, want := range map[string]string{
		"Contact already exists. Existing ID: 512159482605": "512159482605",
		"Company already exists. Existing ID: 7.":           "7",
		"something else": "",
	} {
		if got := existingID(msg); got != want {
			t.Errorf("%q: %q", msg, got)
		}
	}
}

func TestHubSpotRetryable(t *testing.T) {
	retry := hubspotRetryable(nil)
	for _, tc := range []struct {
		status int
		ra     string
		body   string
		want   bool
	}{
		{423, "", "", true}, {477, "60", "", true}, {477, "", "", false}, {500, "", "", true},
		{429, "", `{"policyName":"TEN_SECONDLY_ROLLING"}`, true}, {429, "", `{"policyName":"DAILY"}`, false},
		{400, "", "", false}, {409, "", "", false},
	} {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tc.body))}
		if tc.ra != "" {
			resp.Header.Set("Retry-After", tc.ra)
		}
		if got := retry(resp); got != tc.want {
			t.Errorf("%d %q: %v", tc.status, tc.body, got)
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != tc.body {
			t.Errorf("%d: the body must survive the peek, got %q", tc.status, b)
		}
	}
}

// The captured error bodies classify as documented.
func TestConformanceErrorBodies(t *testing.T) {
	raw := clientConformance(t, "hubspot", "crm_api_errors.json")
	var doc struct {
		Official map[string]json.RawMessage `json:"official"`
		Observed map[string]json.RawMessage `json:"observed"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		set    map[string]json.RawMessage
		key    string
		status int
		class  hubforce.Class
	}{
		{doc.Official, "400PropertyDoesntExist", 400, hubforce.Validation},
		{doc.Official, "403MissingScopes", 403, hubforce.Auth},
		{doc.Official, "429DailyLimit", 429, hubforce.Budget},
		{doc.Observed, "429TenSecondly", 429, hubforce.Retryable},
		{doc.Observed, "409ContactEmailExists", 409, hubforce.Conflict},
		{doc.Observed, "401ExpiredOAuthToken", 401, hubforce.Auth},
		{doc.Observed, "401InvalidToken", 401, hubforce.Auth},
	} {
		body, ok := tc.set[tc.key]
		if !ok {
			t.Fatalf("sample %s missing", tc.key)
		}
		if e := classify(tc.status, http.Header{}, body); e.Class != tc.class || e.Message == "" {
			t.Errorf("%s: %+v", tc.key, e)
		}
	}
	if e := classify(400, http.Header{}, doc.Official["400PropertyDoesntExist"]); !slices.Equal(e.Fields, []string{"testproperty"}) {
		t.Errorf("fields: %v", e.Fields)
	}
}

// The documented 207 (objectWriteTraceId in the error's context, the
// property list only inside the message) maps back to its input.
func TestConformanceBatch207(t *testing.T) {
	raw := clientConformance(t, "hubspot", "crm_objects_responses.json")
	var doc struct {
		Examples map[string]json.RawMessage `json:"examples"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var resp batchResponse
	if err := json.Unmarshal(doc.Examples["batchCreateMultiStatus207"], &resp); err != nil {
		t.Fatal(err)
	}
	w := writer{n: 2, creates: true,
		resultKey: func(o objectJSON) []string { return []string{"t:" + o.ObjectWriteTraceID} },
		inputKeys: func(i int) []string { return []string{"t:" + []string{"549b1c2a9351", "other"}[i]} },
		errorKeys: func(e errorBody) []string { return prefixed("t:", e.Context["objectWriteTraceId"]) },
	}
	w.out, w.done = make([]hubforce.WriteResult, 2), make([]bool, 2)
	w.match([]int{0, 1}, resp)
	var ae *hubforce.APIError
	if e, ok := w.out[0].Err.(*hubforce.APIError); ok {
		ae = e
	}
	if ae == nil || ae.Class != hubforce.Validation || ae.Code != "PROPERTY_DOESNT_EXIST" || !slices.Equal(ae.Fields, []string{"missing"}) {
		t.Fatalf("input 0: %+v", w.out[0])
	}
	if w.out[1].Err != nil || w.out[1].ID != "1145814089" || !w.out[1].Created {
		t.Fatalf("input 1: %+v", w.out[1])
	}
}
