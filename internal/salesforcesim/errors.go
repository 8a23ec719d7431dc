package salesforcesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// recError is one error of a record result (SaveResult/UpsertResult errors).
type recError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

func (e recError) Error() string { return e.StatusCode + ": " + e.Message }

func recErr(code, msg string, fields ...string) *recError {
	if fields == nil {
		fields = []string{}
	}
	return &recError{StatusCode: code, Message: msg, Fields: fields}
}

// apiError is a request-level REST error: HTTP status and the body
// [{"message","errorCode","fields"}] (REST API "Status Codes and Error
// Responses", developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
type apiError struct {
	Status    int      `json:"-"`
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.ErrorCode, e.Message) }

func apiErr(status int, code, msg string, fields ...string) *apiError {
	return &apiError{Status: status, ErrorCode: code, Message: msg, Fields: fields}
}

// fromRec turns a record error into the request error a single-record call
// answers with.
func fromRec(status int, e *recError) *apiError {
	return &apiError{Status: status, ErrorCode: e.StatusCode, Message: e.Message, Fields: e.Fields}
}

var (
	errNotFound = func() *apiError {
		return apiErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	errSession = func() *apiError {
		return apiErr(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
	}
	errDailyLimit = func() *apiError {
		return apiErr(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	}
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		// As captured in rest-401-invalid-session-id.http.
		w.Header().Set("WWW-Authenticate", "Token")
	}
	writeJSON(w, e.Status, []*apiError{e})
}

func errRequiredMissing(names []string) *recError {
	return recErr("REQUIRED_FIELD_MISSING",
		"Required fields are missing: ["+strings.Join(names, ", ")+"]", names...)
}

func errNoSuchColumn(name, sobject string) *apiError {
	return apiErr(http.StatusBadRequest, "INVALID_FIELD",
		fmt.Sprintf("No such column '%s' on sobject of type %s", name, sobject))
}

func errMalformedID(sobject, id, fieldName string) *recError {
	return recErr("MALFORMED_ID", fmt.Sprintf("%s ID: id value of incorrect type: %s", sobject, id), fieldName)
}

func errDeleted() *recError {
	return recErr("ENTITY_IS_DELETED", "entity is deleted")
}

func errJSON(msg string) *apiError {
	return apiErr(http.StatusBadRequest, "JSON_PARSER_ERROR", msg)
}
