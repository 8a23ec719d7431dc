package hubforce

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Class says what can be done about a failed API call. Each CRM adapter
// classifies its own errors (it knows its wire); the delivery engine acts on
// the class alone.
type Class string

const (
	// Retryable: connection errors, 5xx, 429, lock contention. Try again
	// later; RetryAfter says when, if the API said.
	Retryable Class = "retryable"
	// Auth: the credentials were refused and refreshing did not help
	// (invalid_grant). Deliveries to that side pause until new credentials.
	Auth Class = "auth"
	// Budget: the API's daily allowance is spent. Deliveries to that side
	// pause until it recovers.
	Budget Class = "budget"
	// Validation: the record itself is at fault (REQUIRED_FIELD_MISSING,
	// INVALID_FIELD, VALIDATION_ERROR…). Retrying cannot help: dead letter.
	Validation Class = "validation"
	// NotFound: the target record does not exist (deleted, merged away).
	NotFound Class = "not_found"
	// Conflict: a unique key is taken (DUPLICATE_VALUE, HubSpot 409).
	Conflict Class = "conflict"
	// Permanent: any other error that a retry will not fix.
	Permanent Class = "permanent"
)

// APIError is a failed call or a failed record in a batch, classified by the
// adapter that made it.
type APIError struct {
	Side       Side
	Class      Class
	Status     int    // HTTP status, 0 for a connection error
	Code       string // the API's own code: REQUIRED_FIELD_MISSING, VALIDATION_ERROR, invalid_grant…
	Message    string // the API's own words; never carries credentials
	Fields     []string
	RetryAfter time.Duration // what the API asked for, if it did
	Err        error         // the underlying error, for connection failures
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s", e.Side, e.Class)
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *APIError) Unwrap() error { return e.Err }

// ClassOf returns the class of err: an *APIError's own, Retryable for
// anything else (an unclassified failure must not lose the change).
func ClassOf(err error) Class {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class
	}
	return Retryable
}

// Record is one record as read from either side: its id, its field values as
// strings (HubSpot property values are strings; Salesforce values are
// rendered as strings) and when it was last modified.
type Record struct {
	ID       string
	Fields   map[string]string
	Modified time.Time
}

// WriteResult is the outcome for one record of a batch write, in request
// order. Err is an *APIError for a failed record.
type WriteResult struct {
	ID      string
	Created bool
	Err     error
	// Call names the API call that wrote the record, for its history
	// ("POST /composite/sobjects").
	Call string
}

// Credential is an OAuth grant the bridge keeps (encrypted at rest with
// HUBFORCE_SECRET_KEY) so that a rotated refresh token survives a restart and
// every replica uses the newest access token.
type Credential struct {
	RefreshToken string
	AccessToken  string
	Expiry       time.Time // zero when the API gives none (Salesforce)
	InstanceURL  string    // Salesforce: where the REST API lives
	UpdatedAt    time.Time
}

// CredentialStore persists credentials; LockCredential serialises refreshes
// across replicas (two replicas refreshing one HubSpot token at once would
// each invalidate the other's).
type CredentialStore interface {
	// LoadCredential returns the stored credential; ok is false if none.
	LoadCredential(ctx context.Context, side Side) (c Credential, ok bool, err error)
	SaveCredential(ctx context.Context, side Side, c Credential) error
	// LockCredential blocks until it holds side's refresh lock, or ctx ends.
	LockCredential(ctx context.Context, side Side) (unlock func(), err error)
}
