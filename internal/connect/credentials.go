package connect

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce"
)

// maxTokenLen is far above both providers' refresh tokens (HubSpot's are
// UUID-shaped, Salesforce's under 100 characters) and keeps junk out.
const maxTokenLen = 4096

// CredentialsHandler serves PUT /{side} with {"refresh_token": "…"}, to be
// mounted at /api/v1/connections behind the admin API's authentication: it
// is how an operator supplies fresh credentials without a browser. 204 once
// the side's apply function accepted them; 400 for a bad body or a token
// the provider refused; 404 for an unknown side. Errors are
// {"error": {"code", "message"}}.
func CredentialsHandler(sides map[hubforce.Side]func(ctx context.Context, token string) error) http.Handler {
	r := chi.NewRouter()
	r.Put("/{side}", func(w http.ResponseWriter, r *http.Request) {
		side := hubforce.Side(chi.URLParam(r, "side"))
		apply, ok := sides[side]
		if !ok {
			writeError(w, http.StatusNotFound, "not_found", "no connection named "+string(side)+" uses OAuth refresh tokens")
			return
		}
		tok, msg := readToken(w, r)
		if msg != "" {
			writeError(w, http.StatusBadRequest, "bad_request", msg)
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), applyTimeout)
		defer cancel()
		if err := apply(ctx, tok); err != nil {
			var ae *hubforce.APIError
			if errors.As(err, &ae) && ae.Class == hubforce.Auth {
				writeError(w, http.StatusBadRequest, "invalid_credentials", DisplayName(side)+" refused the refresh token: "+err.Error())
				return
			}
			writeError(w, http.StatusInternalServerError, "apply_failed", "the credentials could not be installed: "+err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "use PUT /api/v1/connections/{hubspot|salesforce}")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", http.MethodPut)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use PUT with {\"refresh_token\": \"…\"}")
	})
	return r
}

// readToken decodes the body; msg says what is wrong with it.
func readToken(w http.ResponseWriter, r *http.Request) (tok, msg string) {
	var body struct {
		RefreshToken *string `json:"refresh_token"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return "", "the body must be a JSON object {\"refresh_token\": \"…\"}: " + decodeProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", "the body must hold a single JSON object"
	}
	switch {
	case body.RefreshToken == nil || *body.RefreshToken == "":
		return "", "refresh_token is required"
	case len(*body.RefreshToken) > maxTokenLen:
		return "", "refresh_token is too long"
	case strings.IndexFunc(*body.RefreshToken, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0:
		return "", "refresh_token must not contain spaces or control characters"
	}
	return *body.RefreshToken, ""
}

// decodeProblem words a JSON error without echoing the body (it holds a
// secret).
func decodeProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return "not valid JSON"
	case errors.As(err, &typ):
		return typ.Field + " has the wrong type"
	case errors.As(err, &big):
		return "too large"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "empty or truncated"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "not valid JSON"
}

type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(apiError{Error: errorBody{Code: code, Message: message}})
}
