package salesforcesim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/golang-jwt/jwt/v5"
)

// tokenResponse is the token endpoint's success body, as in Salesforce's
// documentation example (oauth-token-response-doc-example.json) plus
// token_type and scope; Salesforce sends no expires_in.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Signature   string `json:"signature"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// handleToken serves POST /services/oauth2/token for the refresh token, JWT
// bearer and client credentials flows ("OAuth 2.0 Refresh Token Flow",
// "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration", "OAuth 2.0
// Client Credentials Flow" in Salesforce Help).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "bad request"})
		return
	}
	var oerr *oauthError
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "refresh_token":
		oerr = s.checkRefresh(r)
	case jwtBearerGrant:
		oerr = s.checkAssertion(r.PostForm.Get("assertion"))
	case "client_credentials":
		oerr = s.checkClient(r, true)
	case "":
		oerr = &oauthError{"invalid_request", "grant type not supported"}
	default:
		oerr = &oauthError{"unsupported_grant_type", "grant type not supported"}
	}
	if oerr != nil {
		s.cfg.Logger.Info().Str("oauth_error", oerr.Error).Str("description", oerr.Description).Msg("salesforcesim: token request refused")
		writeJSON(w, http.StatusBadRequest, oerr)
		return
	}
	writeJSON(w, http.StatusOK, s.issue())
}

// clientCreds reads client_id/client_secret from the form or HTTP Basic.
func clientCreds(r *http.Request) (id, secret string) {
	if u, p, ok := r.BasicAuth(); ok {
		return u, p
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

func (s *Server) checkClient(r *http.Request, secretRequired bool) *oauthError {
	id, secret := clientCreds(r)
	if id != s.cfg.ClientID {
		return &oauthError{"invalid_client_id", "client identifier invalid"}
	}
	if (secretRequired || secret != "") && !hmac.Equal([]byte(secret), []byte(s.cfg.ClientSecret)) {
		return &oauthError{"invalid_client", "invalid client credentials"}
	}
	return nil
}

func (s *Server) checkRefresh(r *http.Request) *oauthError {
	if e := s.checkClient(r, false); e != nil {
		return e
	}
	s.mu.Lock()
	refused := s.refuseRefresh
	s.mu.Unlock()
	if refused || !slices.Contains(s.cfg.RefreshTokens, r.PostForm.Get("refresh_token")) {
		return &oauthError{"invalid_grant", "expired access/refresh token"}
	}
	return nil
}

// checkAssertion verifies a JWT bearer assertion: RS256 signed by the key of
// the app's certificate, iss the client id, sub an allowed username, exp in
// the future, and aud the authorization server — https://login.salesforce.com
// for a production org, https://test.salesforce.com for a sandbox, or one of
// the org's Experience Cloud sites — whatever host the assertion was posted
// to (My Domain or not): help.salesforce.com "OAuth 2.0 JWT Bearer Flow for
// Server-to-Server Integration". Anything else is "audience is invalid".
func (s *Server) checkAssertion(assertion string) *oauthError {
	invalid := &oauthError{"invalid_grant", "invalid assertion"}
	if s.jwtKey == nil {
		return invalid
	}
	audiences := append([]string{"https://login.salesforce.com"}, s.cfg.SiteURLs...)
	if s.cfg.Sandbox {
		audiences[0] = "https://test.salesforce.com"
	}
	claims := jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(assertion, &claims, func(*jwt.Token) (any, error) { return s.jwtKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.cfg.Now))
	switch {
	case err != nil:
		return invalid
	case claims.Issuer != s.cfg.ClientID:
		return &oauthError{"invalid_client_id", "client identifier invalid"}
	case !slices.ContainsFunc([]string(claims.Audience), func(a string) bool { return slices.Contains(audiences, a) }):
		return &oauthError{"invalid_grant", "audience is invalid"}
	case !slices.Contains(s.cfg.Usernames, claims.Subject):
		return &oauthError{"invalid_grant", "user hasn't approved this consumer"}
	}
	return nil
}

// issue opens a session for the integration user and builds the response.
// signature is base64(HMAC-SHA256(client secret, id + issued_at)), which
// clients use to check the id URL was not tampered with.
func (s *Server) issue() tokenResponse {
	instance, login := s.urls()
	now := s.cfg.Now()
	issued := strconv.FormatInt(now.UnixMilli(), 10)
	id := fmt.Sprintf("%s/id/%s/%s", login, s.cfg.OrgID, s.cfg.IntegrationUserID)
	mac := hmac.New(sha256.New, []byte(s.cfg.ClientSecret))
	mac.Write([]byte(id + issued))
	tok := s.cfg.OrgID[:15] + "!" + randomToken()
	s.mu.Lock()
	s.sessions[tok] = session{userID: s.cfg.IntegrationUserID, issued: now}
	s.mu.Unlock()
	return tokenResponse{
		AccessToken: tok,
		Signature:   base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		Scope:       "api",
		InstanceURL: instance,
		ID:          id,
		TokenType:   "Bearer",
		IssuedAt:    issued,
	}
}

func randomToken() string {
	b := make([]byte, 72)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:96]
}

func parseCertKey(pemBytes []byte) (any, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block in JWT certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse JWT certificate: %w", err)
	}
	return cert.PublicKey, nil
}
