package connect

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
)

func TestCredentialsHandler(t *testing.T) {
	refused := &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Auth, Code: "invalid_grant", Message: "refresh token is invalid"}
	cases := []struct {
		name, method, path, body string
		applyErr                 error
		status                   int
		code                     string
		applied                  string
	}{
		{"happy", http.MethodPut, "/hubspot", `{"refresh_token": "rt-1"}`, nil, http.StatusNoContent, "", "rt-1"},
		{"not JSON", http.MethodPut, "/hubspot", `refresh_token=rt-1`, nil, http.StatusBadRequest, "bad_request", ""},
		{"empty body", http.MethodPut, "/hubspot", ``, nil, http.StatusBadRequest, "bad_request", ""},
		{"missing token", http.MethodPut, "/hubspot", `{}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"empty token", http.MethodPut, "/hubspot", `{"refresh_token": ""}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"token with space", http.MethodPut, "/hubspot", `{"refresh_token": "rt 1"}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"wrong type", http.MethodPut, "/hubspot", `{"refresh_token": 12}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"unknown field", http.MethodPut, "/hubspot", `{"refresh_token": "rt-1", "access_token": "x"}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"two objects", http.MethodPut, "/hubspot", `{"refresh_token": "rt-1"}{}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"too long", http.MethodPut, "/hubspot", `{"refresh_token": "` + strings.Repeat("a", maxTokenLen+1) + `"}`, nil, http.StatusBadRequest, "bad_request", ""},
		{"unknown side", http.MethodPut, "/pipedrive", `{"refresh_token": "rt-1"}`, nil, http.StatusNotFound, "not_found", ""},
		{"wrong method", http.MethodPost, "/hubspot", `{"refresh_token": "rt-1"}`, nil, http.StatusMethodNotAllowed, "method_not_allowed", ""},
		{"provider refuses", http.MethodPut, "/hubspot", `{"refresh_token": "rt-1"}`, refused, http.StatusBadRequest, "invalid_credentials", "rt-1"},
		{"store fails", http.MethodPut, "/hubspot", `{"refresh_token": "rt-1"}`, errors.New("saving: db down"), http.StatusInternalServerError, "apply_failed", "rt-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{err: tc.applyErr}
			r := chi.NewRouter()
			r.Mount("/api/v1/connections", CredentialsHandler(map[hubforce.Side]func(context.Context, string) error{hubforce.HubSpot: rec.apply}))
			srv := httptest.NewServer(r)
			defer srv.Close()
			req, _ := http.NewRequest(tc.method, srv.URL+"/api/v1/connections"+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.code != "" {
				var body struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Code != tc.code || body.Error.Message == "" {
					t.Fatalf("error body %+v (%v), want code %s", body, err, tc.code)
				}
				if strings.Contains(body.Error.Message, "rt-1") {
					t.Fatalf("the token was echoed: %s", body.Error.Message)
				}
			}
			got := rec.got()
			if (tc.applied == "") != (len(got) == 0) || (tc.applied != "" && got[0] != tc.applied) {
				t.Fatalf("Apply got %q, want %q", got, tc.applied)
			}
		})
	}
}

// TestCredentialsResumeHubSpot: a refresh token supplied over the API
// lifts a real client's Auth pause; a refused one leaves it paused.
func TestCredentialsResumeHubSpot(t *testing.T) {
	f := newFixture(t, nil)
	client, err := hubspot.NewClient(hubspot.ClientConfig{BaseURL: f.hs.URL, ClientID: hsClientID, ClientSecret: hsSecret,
		RefreshToken: "revoked", Log: f.log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client.Ready(ctx); hubforce.ClassOf(err) != hubforce.Auth {
		t.Fatalf("Ready with a revoked token: %v", err)
	}
	h := CredentialsHandler(map[hubforce.Side]func(context.Context, string) error{hubforce.HubSpot: client.SetRefreshToken})
	put := func(tok string) int {
		req := httptest.NewRequest(http.MethodPut, "/hubspot", strings.NewReader(`{"refresh_token":"`+tok+`"}`))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := put("still-revoked"); code != http.StatusBadRequest {
		t.Fatalf("refused token: %d", code)
	}
	if err := client.Ready(ctx); hubforce.ClassOf(err) != hubforce.Auth {
		t.Fatalf("Ready after a refused token: %v", err)
	}
	if code := put(hsRefresh); code != http.StatusNoContent {
		t.Fatalf("good token: %d", code)
	}
	if err := client.Ready(ctx); err != nil {
		t.Fatalf("Ready after new credentials: %v", err)
	}
	if strings.Contains(f.logs.String(), hsRefresh) {
		t.Fatalf("the refresh token reached the log:\n%s", f.logs.String())
	}
}
