package hubspot

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/httpretry"
)

// errorBody is HubSpot's error body; every field is optional ("The fields in
// the example error should all be treated as optional", error-handling page,
// developers.hubspot.com/docs/api-reference/error-handling). The 429 body
// adds errorType and policyName (usage-details page); batch errors in a 207
// carry the same shape per failed input, with context naming the input.
type errorBody struct {
	Status      string              `json:"status"`
	Message     string              `json:"message"`
	Category    string              `json:"category"`
	SubCategory subCategory         `json:"subCategory"`
	ErrorType   string              `json:"errorType"`
	PolicyName  string              `json:"policyName"`
	Context     map[string][]string `json:"context"`
	Errors      []struct {
		Message string              `json:"message"`
		Code    string              `json:"code"`
		Context map[string][]string `json:"context"`
	} `json:"errors"`
}

// subCategory is a string in HubSpot's answers and in most specs; the
// StandardError schema types it as an object, which then reads as "".
type subCategory string

func (s *subCategory) UnmarshalJSON(b []byte) error {
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = subCategory(v)
	}
	return nil
}

// classify turns a non-2xx answer into an APIError:
//   - 429 → Retryable with Retry-After; policyName DAILY → Budget
//     (developers.hubspot.com/docs/api/usage-details, "Rate limits");
//   - 5xx, 423 Locked (≥ 2 s), 477 Migration in Progress (Retry-After) →
//     Retryable (error-handling page, "Status codes");
//   - 401 → Auth (the caller has already refreshed once); 403 MISSING_SCOPES
//     → Auth (error-handling page; the app must be re-authorised);
//   - 400 VALIDATION_ERROR / PROPERTY_DOESNT_EXIST → Validation with the
//     message and the property names (using-object-apis page), also for
//     an admin's property validation rule ("Property values were not
//     valid: [{…"error":"INVALID_ALPHA","message":"Enter only letters"…}]",
//     changelog "Property Validations Rules will be enforced for APIs and
//     Integrations"; enforced by the 2026-09 API as well), whose message
//     leads the error's;
//   - 404 → NotFound; 409 CONFLICT → Conflict ("Contact already exists.
//     Existing ID: N", observed widely);
//   - anything else → Permanent.
func classify(status int, hdr http.Header, raw []byte) *hubforce.APIError {
	var b errorBody
	_ = json.Unmarshal(raw, &b)
	e := errorFrom(b)
	e.Status = status
	if d, ok := httpretry.RetryAfter(&http.Response{Header: hdr}); ok {
		e.RetryAfter = d
	}
	switch {
	case status == http.StatusTooManyRequests:
		e.Class, e.Code = hubforce.Retryable, firstNonEmpty(b.PolicyName, b.ErrorType, "RATE_LIMIT")
		if b.PolicyName == "DAILY" {
			e.Class = hubforce.Budget
		}
	case status >= 500, status == 477:
		e.Class = hubforce.Retryable
	case status == http.StatusLocked:
		e.Class = hubforce.Retryable
		e.RetryAfter = max(e.RetryAfter, lockedWait)
	case status == http.StatusUnauthorized, status == http.StatusForbidden && b.Category == "MISSING_SCOPES":
		e.Class = hubforce.Auth
	case status == http.StatusBadRequest:
		e.Class = hubforce.Validation
	case status == http.StatusNotFound:
		e.Class = hubforce.NotFound
	case status == http.StatusConflict:
		e.Class = hubforce.Conflict
	default:
		e.Class = hubforce.Permanent
	}
	return e
}

// batchErrorClass classifies one failed input of a 207 from its category:
// the per-input status is the string "error", not an HTTP status.
func batchErrorClass(category string) hubforce.Class {
	switch category {
	case "VALIDATION_ERROR", "PROPERTY_DOESNT_EXIST", "INVALID_EMAIL":
		return hubforce.Validation
	case "OBJECT_NOT_FOUND":
		return hubforce.NotFound
	case "CONFLICT", "OBJECT_ALREADY_EXISTS":
		return hubforce.Conflict
	case "RATE_LIMITS", "RATE_LIMIT", "INTERNAL_ERROR", "LOCKED", "TIMEOUT":
		return hubforce.Retryable
	case "MISSING_SCOPES", "INVALID_AUTHENTICATION", "EXPIRED_AUTHENTICATION":
		return hubforce.Auth
	}
	return hubforce.Permanent
}

// errorFrom fills code, message and fields. The specific code
// (PROPERTY_DOESNT_EXIST, INVALID_EMAIL…) wins over the category; property
// names come from errors[].context.propertyName or, in batch errors that
// carry none, from the JSON list inside "Property values were not valid: […]".
func errorFrom(b errorBody) *hubforce.APIError {
	e := &hubforce.APIError{Side: hubforce.HubSpot, Code: b.Category, Message: b.Message}
	seen := map[string]bool{}
	addField := func(f string) {
		if f != "" && !seen[f] {
			seen[f] = true
			e.Fields = append(e.Fields, f)
		}
	}
	for _, d := range b.Errors {
		if d.Code != "" && (e.Code == "" || e.Code == b.Category) {
			e.Code = d.Code
		}
		for _, f := range d.Context["propertyName"] {
			addField(f)
		}
		// A 403 MISSING_SCOPES names the scopes needed (observed in
		// errors[].context.requiredGranularScopes; the spec's example puts
		// missingScopes in context): they are its "fields".
		for _, sc := range d.Context["requiredGranularScopes"] {
			addField(sc)
		}
	}
	for _, sc := range b.Context["missingScopes"] {
		addField(sc)
	}
	var said []string
	for _, p := range propertyErrorsIn(b.Message) {
		addField(p.Name)
		if p.Error != "" && (e.Code == "" || e.Code == b.Category) {
			e.Code = p.Error
		}
		if p.Message != "" {
			said = append(said, p.Name+": "+p.Message)
		}
	}
	if len(said) > 0 {
		// The per-property messages (an admin's rule says what it wants)
		// first; HubSpot's whole message after them.
		e.Message = strings.Join(said, "; ") + " — " + b.Message
	}
	return e
}

var propertyListRE = regexp.MustCompile(`(?s)Property values were not valid: (\[.*\])`)

type propertyError struct {
	Name    string `json:"name"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

func propertyErrorsIn(msg string) []propertyError {
	m := propertyListRE.FindStringSubmatch(msg)
	if m == nil {
		return nil
	}
	var out []propertyError
	_ = json.Unmarshal([]byte(m[1]), &out)
	return out
}

// existingID reads the id HubSpot names in a conflict ("Contact already
// exists. Existing ID: 512159482605").
func existingID(msg string) string {
	_, after, ok := strings.Cut(msg, "Existing ID: ")
	if !ok {
		return ""
	}
	end := strings.IndexFunc(after, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(after)
	}
	return after[:end]
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
