package salesforce

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/httpretry"
)

// ErrOutcomeUnknown is wrapped in a create's error when the request may have
// reached Salesforce (connection lost after sending, 500): the engine must
// look for the record before creating it again (SPEC §3.12).
var ErrOutcomeUnknown = errors.New("salesforce: the create may have happened")

// restError is one entry of a REST error body, [{"message","errorCode",
// "fields"}] (REST API Developer Guide, "Status Codes and Error Responses",
// developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
type restError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// recordError is one entry of a SaveResult/UpsertResult's errors
// ("sObject Collections", resources_composite_sobjects_collections.htm).
type recordError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

// codeClass maps Salesforce status codes to what can be done about them.
// A record that fails in a batch carries a StatusCode (SOAP API Developer
// Guide, "Core Data Types Used in API Calls",
// sforce_api_calls_concepts_core_data_objects.htm; REST's sObject
// Collections return the same codes as errors[].statusCode); the full list
// is in the org's WSDL. Codes not listed are Permanent.
var codeClass = map[string]hubforce.Class{
	// The record's data is at fault: retrying the same data cannot help.
	"REQUIRED_FIELD_MISSING":                  hubforce.Validation,
	"FIELD_CUSTOM_VALIDATION_EXCEPTION":       hubforce.Validation,
	"FIELD_FILTER_VALIDATION_EXCEPTION":       hubforce.Validation,
	"FIELD_INTEGRITY_EXCEPTION":               hubforce.Validation,
	"INVALID_FIELD":                           hubforce.Validation,
	"INVALID_FIELD_FOR_INSERT_UPDATE":         hubforce.Validation,
	"INVALID_TYPE_ON_FIELD_IN_RECORD":         hubforce.Validation,
	"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": hubforce.Validation,
	"INVALID_EMAIL_ADDRESS":                   hubforce.Validation,
	"STRING_TOO_LONG":                         hubforce.Validation,
	"NUMBER_OUTSIDE_VALID_RANGE":              hubforce.Validation,
	"MALFORMED_ID":                            hubforce.Validation,
	"MISSING_ARGUMENT":                        hubforce.Validation,
	"JSON_PARSER_ERROR":                       hubforce.Validation,
	"INVALID_TYPE":                            hubforce.Validation,
	// Another transaction holds the row ("unable to obtain exclusive access
	// to this record"); it is free once that transaction ends. A record
	// rolled back because another failed (allOrNone) is fine to send again.
	"UNABLE_TO_LOCK_ROW":                hubforce.Retryable,
	"ALL_OR_NONE_OPERATION_ROLLED_BACK": hubforce.Retryable,
	"SERVER_UNAVAILABLE":                hubforce.Retryable,
	"REQUEST_RUNNING_TOO_LONG":          hubforce.Retryable,
	// A unique key is taken, or an upsert key matches several records.
	"DUPLICATE_VALUE":       hubforce.Conflict,
	"DUPLICATE_EXTERNAL_ID": hubforce.Conflict,
	"DUPLICATES_DETECTED":   hubforce.Conflict,
	// The target is gone.
	"ENTITY_IS_DELETED": hubforce.NotFound,
	"NOT_FOUND":         hubforce.NotFound,
}

// classifyCode classifies a status code. INVALID_CROSS_REFERENCE_KEY names
// either the record itself (no fields: an id no record has) or a lookup
// field pointing nowhere (fields [AccountId]): the first is NotFound, the
// second the data's fault.
func classifyCode(code string, fields []string, fallback hubforce.Class) hubforce.Class {
	if code == "INVALID_CROSS_REFERENCE_KEY" {
		if len(fields) == 0 {
			return hubforce.NotFound
		}
		return hubforce.Validation
	}
	if c, ok := codeClass[code]; ok {
		return c
	}
	return fallback
}

// recordFailure turns a failed record's errors into an *hubforce.APIError
// classified by the first error; the fields of all errors are kept.
func recordFailure(errs []recordError) *hubforce.APIError {
	e := &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent}
	if len(errs) == 0 {
		e.Message = "record failed without an error"
		return e
	}
	e.Code, e.Message = errs[0].StatusCode, errs[0].Message
	e.Class = classifyCode(e.Code, errs[0].Fields, hubforce.Permanent)
	var msgs []string
	for _, x := range errs {
		e.Fields = append(e.Fields, x.Fields...)
		msgs = append(msgs, x.StatusCode+": "+x.Message)
	}
	if len(msgs) > 1 {
		e.Message = strings.Join(msgs, "; ")
	}
	return e
}

// isConcurrentLimit tells the two REQUEST_LIMIT_EXCEEDED refusals apart by
// their message, the only difference on the wire: the daily allocation says
// "TotalRequests Limit exceeded." (SalesforceLabs/OrgCheck#181,
// jetstreamapp/jetstream#868), the concurrent long-running request limit
// "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
// (SalesforceLabs/OrgCheck#432). The first waits for the rolling 24 h
// window; the second clears within seconds.
func isConcurrentLimit(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "concurrent")
}

// callError classifies a whole-call failure from its status and body.
func callError(resp *http.Response, body []byte) *hubforce.APIError {
	e := &hubforce.APIError{Side: hubforce.Salesforce, Status: resp.StatusCode}
	if re, ok := parseRESTError(body); ok {
		e.Code, e.Message, e.Fields = re.ErrorCode, re.Message, re.Fields
	} else {
		e.Message = http.StatusText(resp.StatusCode)
	}
	if d, ok := httpretry.RetryAfter(resp); ok {
		e.RetryAfter = d
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		e.Class = hubforce.Auth
	case s == http.StatusForbidden && e.Code == "REQUEST_LIMIT_EXCEEDED":
		e.Class = hubforce.Budget
		if isConcurrentLimit(e.Message) {
			e.Class = hubforce.Retryable
		}
	case s == http.StatusMultipleChoices:
		// Upsert matched several records (REST "Upsert a Record Using an
		// External ID": 300 with the matching records' URLs).
		e.Class, e.Code = hubforce.Conflict, "MULTIPLE_CHOICES"
	case s == http.StatusNotFound:
		// The calls this client makes name a resource, never a record, in
		// the URL: a 404 is an unknown sObject or upsert key field (the
		// upsert page's "Error responses"), which is configuration.
		e.Class = hubforce.Permanent
	case s == http.StatusTooManyRequests || s >= 500:
		e.Class = hubforce.Retryable
	default:
		e.Class = classifyCode(e.Code, e.Fields, hubforce.Permanent)
	}
	return e
}

// parseRESTError reads the first error of a body that is normally an array
// but is a single object in some of the docs' examples (upsert's 404).
func parseRESTError(body []byte) (restError, bool) {
	var errs []restError
	if json.Unmarshal(body, &errs) == nil && len(errs) > 0 && errs[0].ErrorCode != "" {
		return errs[0], true
	}
	var one restError
	if json.Unmarshal(body, &one) == nil && one.ErrorCode != "" {
		return one, true
	}
	return restError{}, false
}

// connError is a call that got no answer.
func connError(err error) *hubforce.APIError {
	return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Retryable, Message: "no answer from Salesforce", Err: err}
}
