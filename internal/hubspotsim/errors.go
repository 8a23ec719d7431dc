package hubspotsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// APIError is an error as HubSpot reports it, returned by the Go API too
// (errors.As finds it through the wrapping): HTTP status, category
// (VALIDATION_ERROR, CONFLICT, OBJECT_NOT_FOUND…) and message. On the wire it
// becomes HubSpot's standard error body
// (developers.hubspot.com/docs/api-reference/error-handling): status "error",
// message, correlationId, category, and optionally errors, context, links.
type APIError struct {
	HTTPStatus  int
	Category    string
	SubCategory string
	Message     string
	Errors      []errorDetail
	Context     map[string][]string
	Links       map[string]string
}

// errorDetail is one entry of an error body's "errors" list.
type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("hubspot %d %s: %s", e.HTTPStatus, e.Category, e.Message)
}

type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
}

func newCorrelationID() string { return uuid.NewString() }

func (e *APIError) body() errorBody {
	return errorBody{Status: "error", Message: e.Message, CorrelationID: newCorrelationID(),
		Category: e.Category, SubCategory: e.SubCategory, Errors: e.Errors,
		Context: e.Context, Links: e.Links}
}

func newErr(status int, category, msg string) *APIError {
	return &APIError{HTTPStatus: status, Category: category, Message: msg}
}

func validationErr(msg string) *APIError {
	return newErr(http.StatusBadRequest, "VALIDATION_ERROR", msg)
}

// notFound mirrors the widely observed 404 body for a missing record.
func notFound() *APIError {
	return newErr(http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found")
}

// propertyErrors builds the 400 HubSpot answers for invalid property values:
// the JSON list inside the message and one errors[] entry per property, as in
// the PROPERTY_DOESNT_EXIST sample (docs: using-object-apis).
func propertyErrors(list []propertyError) *APIError {
	raw, _ := json.Marshal(list)
	e := validationErr("Property values were not valid: " + string(raw))
	for _, p := range list {
		e.Errors = append(e.Errors, errorDetail{Message: p.Message, Code: p.Error,
			Context: map[string][]string{"propertyName": {p.Name}}})
	}
	return e
}

// conflictErr is the 409 HubSpot answers when a unique value is taken
// ("Contact already exists. Existing ID: N", observed widely).
func conflictErr(t *objectType, existing int64) *APIError {
	noun := "Contact"
	if t.name == "companies" {
		noun = "Company"
	}
	return newErr(http.StatusConflict, "CONFLICT", fmt.Sprintf("%s already exists. Existing ID: %d", noun, existing))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, e *APIError) {
	writeJSON(w, e.HTTPStatus, e.body())
}

// asAPIError turns any error into the body HubSpot would send; unexpected
// errors become a 500 INTERNAL_ERROR.
func asAPIError(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return newErr(http.StatusInternalServerError, "INTERNAL_ERROR", "internal error")
}
