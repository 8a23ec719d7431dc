package salesforce

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// The three server-to-server grants Salesforce offers, each an
// oauth2.TokenSource built once with the client's own background context
// (never a request's: x/oauth2 keeps the context a source was made with).
// Each Token call is a new grant; tokens (auth.go) decides when to call.

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// jwtLifetime: Salesforce Help, "OAuth 2.0 JWT Bearer Flow for
// Server-to-Server Integration": exp must be "within 3 minutes" of the
// request.
const jwtLifetime = 3 * time.Minute

// refreshSource runs the refresh token grant ("OAuth 2.0 Refresh Token
// Flow") through x/oauth2. The refresh token can be replaced at run time
// (SetRefreshToken) and may rotate in an answer.
type refreshSource struct {
	ctx  context.Context
	conf *oauth2.Config

	mu sync.Mutex
	rt string
}

func (s *refreshSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	if rt == "" {
		return nil, &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "waiting for Connect: no refresh token yet; connect Salesforce on the dashboard (/connect/salesforce)"}
	}
	// An empty access token makes x/oauth2 refresh at once.
	tok, err := s.conf.TokenSource(s.ctx, &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken != "" && tok.RefreshToken != rt {
		s.set(tok.RefreshToken) // rotated
	}
	return tok, nil
}

func (s *refreshSource) set(rt string) {
	s.mu.Lock()
	s.rt = rt
	s.mu.Unlock()
}

func (s *refreshSource) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rt
}

// jwtSource runs the JWT bearer grant: an RS256 assertion with iss = the
// External Client App's consumer key, sub = the username, aud = the
// authorization server (https://login.salesforce.com, https://test.salesforce.com
// or an Experience Cloud site; ClientConfig.JWTAudience — never the My
// Domain URL it is posted to) and exp at most 3 minutes ahead, POSTed as
// grant_type=…jwt-bearer&assertion= to the login URL.
type jwtSource struct {
	ctx      context.Context
	client   *http.Client
	tokenURL string
	aud      string
	clientID string
	username string
	key      *rsa.PrivateKey
	now      func() time.Time
}

func (s *jwtSource) Token() (*oauth2.Token, error) {
	// aud is a single string in Salesforce's examples; jwt.ClaimStrings
	// would send an array.
	claims := jwt.MapClaims{
		"iss": s.clientID,
		"sub": s.username,
		"aud": s.aud,
		"exp": s.now().Add(jwtLifetime).Unix(),
	}
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.key)
	if err != nil {
		return nil, fmt.Errorf("sign JWT bearer assertion: %w", err)
	}
	return postToken(s.ctx, s.client, s.tokenURL, url.Values{
		"grant_type": {jwtBearerGrant},
		"assertion":  {assertion},
	})
}

// clientCredentialsSource runs the client credentials grant (Salesforce
// Help, "OAuth 2.0 Client Credentials Flow for Server-to-Server
// Integration"): client_id and client_secret in the body. Salesforce only
// accepts it at the org's My Domain URL, so LoginURL must be that.
type clientCredentialsSource struct {
	ctx                    context.Context
	client                 *http.Client
	tokenURL               string
	clientID, clientSecret string
}

func (s *clientCredentialsSource) Token() (*oauth2.Token, error) {
	return postToken(s.ctx, s.client, s.tokenURL, url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.clientID},
		"client_secret": {s.clientSecret},
	})
}

// postToken POSTs a grant and reads the answer the way x/oauth2 does, so
// that every flow fails with an *oauth2.RetrieveError for a refusal and
// carries instance_url and id in Token.Extra.
func postToken(ctx context.Context, client *http.Client, tokenURL string, form url.Values) (*oauth2.Token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read token response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		re := &oauth2.RetrieveError{Response: resp, Body: body}
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) == nil {
			re.ErrorCode, re.ErrorDescription = e.Error, e.Description
		}
		return nil, re
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decode token response: %w", err)
	}
	access, _ := raw["access_token"].(string)
	if access == "" {
		return nil, fmt.Errorf("token response has no access_token")
	}
	typ, _ := raw["token_type"].(string)
	refresh, _ := raw["refresh_token"].(string)
	return (&oauth2.Token{AccessToken: access, TokenType: typ, RefreshToken: refresh}).WithExtra(raw), nil
}
