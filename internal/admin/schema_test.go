package admin

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
)

// conform checks v (decoded JSON) against an OpenAPI schema: $ref, type,
// required, properties, items, additionalProperties, oneOf and enum — enough
// to catch a response drifting from api/openapi.yaml.
func conform(doc openapiDoc, schema map[string]any, v any, at string) error {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, _ := doc.Components["schemas"][name].(map[string]any)
		if s == nil {
			return fmt.Errorf("%s: unresolved %s", at, ref)
		}
		return conform(doc, s, v, at)
	}
	if alts, ok := schema["oneOf"].([]any); ok {
		for _, alt := range alts {
			if conform(doc, alt.(map[string]any), v, at) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: %v matches no alternative", at, v)
	}
	if err := conformType(schema["type"], v, at); err != nil {
		return err
	}
	if enum, ok := schema["enum"].([]any); ok && v != nil && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return fmt.Errorf("%s: %v not in %v", at, v, enum)
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asList(schema["required"]) {
			if _, ok := v[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q missing", at, r)
			}
		}
		for k, val := range v {
			if ps, ok := props[k].(map[string]any); ok {
				if err := conform(doc, ps, val, at+"."+k); err != nil {
					return err
				}
			} else if ap, ok := schema["additionalProperties"].(map[string]any); ok {
				if err := conform(doc, ap, val, at+"."+k); err != nil {
					return err
				}
			} else if props != nil {
				return fmt.Errorf("%s: undocumented property %q", at, k)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, it := range v {
				if err := conform(doc, items, it, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func conformType(t any, v any, at string) error {
	if t == nil {
		return nil
	}
	want := asList(t)
	if s, ok := t.(string); ok {
		want = []any{s}
	}
	var got string
	switch x := v.(type) {
	case nil:
		got = "null"
	case bool:
		got = "boolean"
	case string:
		got = "string"
	case float64:
		got = "number"
		if x == float64(int64(x)) && slices.Contains(want, any("integer")) {
			got = "integer"
		}
	case []any:
		got = "array"
	case map[string]any:
		got = "object"
	}
	if !slices.Contains(want, any(got)) {
		return fmt.Errorf("%s: %s, want %v", at, got, want)
	}
	return nil
}

// TestResponsesMatchSchemas runs the routes on data and checks each answer
// against the schema api/openapi.yaml gives it.
func TestResponsesMatchSchemas(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	e := newEnv(t)
	id := e.deadLetter(hubforce.HubSpot, "5", "validation")
	e.deadLetter(hubforce.HubSpot, "6", "validation")
	e.ingest(hubforce.HubSpot, hubforce.Contact, "7", nil)
	must(t, e.st.SetCheckpoint(t.Context(), "backfill/hubspot/contact", `{"done":1}`))
	must(t, e.st.PutLink(t.Context(), hubforce.Link{Object: hubforce.Contact, HubSpotID: "5", SalesforceID: "003000000000005AAA"}))
	for _, tc := range []struct {
		r      req
		path   string // the documented path
		method string
		code   string
	}{
		{req{method: "GET", path: "/api/v1/status"}, "/api/v1/status", "get", "200"},
		{req{method: "GET", path: "/api/v1/dead-letters?limit=1"}, "/api/v1/dead-letters", "get", "200"},
		{req{method: "GET", path: "/api/v1/dead-letters?limit=0"}, "/api/v1/dead-letters", "get", "400"},
		{req{method: "GET", path: fmt.Sprintf("/api/v1/dead-letters/%d", id)}, "/api/v1/dead-letters/{id}", "get", "200"},
		{req{method: "GET", path: "/api/v1/records/hubspot/contact/5"}, "/api/v1/records/{side}/{object}/{id}", "get", "200"},
		{req{method: "GET", path: "/api/v1/backfills"}, "/api/v1/backfills", "get", "200"},
		{req{method: "POST", path: fmt.Sprintf("/api/v1/dead-letters/%d/replay", id)}, "/api/v1/dead-letters/{id}/replay", "post", "200"},
		{req{method: "POST", path: "/api/v1/dead-letters/discard", body: `{"all":true}`}, "/api/v1/dead-letters/discard", "post", "200"},
		{req{method: "DELETE", path: "/api/v1/dead-letters/1"}, "/api/v1/dead-letters/{id}", "delete", "404"},
		{req{method: "GET", path: "/api/v1/status", auth: "-"}, "/api/v1/status", "get", "401"},
	} {
		if tc.r.auth == "" {
			tc.r.auth = testToken
		} else {
			tc.r.auth = ""
		}
		w := e.do(tc.r)
		if fmt.Sprint(w.Code) != tc.code {
			t.Fatalf("%s %s = %d, want %s: %s", tc.r.method, tc.r.path, w.Code, tc.code, w.Body)
		}
		schema := responseSchema(t, doc, tc.path, tc.method, tc.code)
		var v any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if err := conform(doc, schema, v, "response"); err != nil {
			t.Errorf("%s %s: %v\n%s", tc.r.method, tc.r.path, err, w.Body)
		}
	}
}

// responseSchema finds the JSON schema of a documented response, following
// a $ref into components.responses.
func responseSchema(t *testing.T, doc openapiDoc, path, method, code string) map[string]any {
	t.Helper()
	op, _ := doc.Paths[path][method].(map[string]any)
	resp, _ := op["responses"].(map[string]any)[code].(map[string]any)
	if ref, ok := resp["$ref"].(string); ok {
		resp, _ = doc.Components["responses"][strings.TrimPrefix(ref, "#/components/responses/")].(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	if schema == nil {
		t.Fatalf("%s %s %s: no JSON schema documented", method, path, code)
	}
	return schema
}
