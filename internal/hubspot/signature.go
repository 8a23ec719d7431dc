// Package hubspot speaks HubSpot's side of the bridge: webhook signatures and
// payloads (this file set), and the CRM API client.
package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request-signature headers, as HubSpot documents them in "Validating
// requests" (developers.hubspot.com/docs/api/webhooks/validating-requests).
// Header lookups are case-insensitive, so the doc's "-V3" spelling matches.
const (
	HeaderSignature        = "X-HubSpot-Signature"
	HeaderSignatureVersion = "X-HubSpot-Signature-Version"
	HeaderSignatureV3      = "X-HubSpot-Signature-v3"
	HeaderRequestTimestamp = "X-HubSpot-Request-Timestamp"
)

// DefaultMaxAge is HubSpot's documented freshness window for v3 signatures.
const DefaultMaxAge = 5 * time.Minute

// Reasons a request is refused. They are distinct so the handler can log and
// count why (never the secret or the signature itself); all mean 401.
var (
	ErrNoClientSecret   = errors.New("hubspot signature: no client secret configured")
	ErrMissingSignature = errors.New("hubspot signature: missing signature header")
	ErrUnknownVersion   = errors.New("hubspot signature: unknown signature version")
	ErrBadSignature     = errors.New("hubspot signature: signature does not match")
	ErrBadTimestamp     = errors.New("hubspot signature: malformed request timestamp")
	ErrStaleTimestamp   = errors.New("hubspot signature: request timestamp outside the allowed window")
	ErrV3Required       = errors.New("hubspot signature: v3 signature required")
)

// Verifier checks HubSpot request signatures.
type Verifier struct {
	// ClientSecret is the app's client secret (HUBFORCE_HUBSPOT_CLIENT_SECRET).
	ClientSecret string
	// PublicURL is the externally visible base URL (HUBFORCE_PUBLIC_URL, e.g.
	// https://sync.example.com). HubSpot signs the URL it called, which behind
	// a TLS-terminating proxy is not the URL this process sees. When set, it
	// replaces the scheme and host (and any path prefix it carries is kept
	// before the request's path); when empty, the URL is https:// + the
	// request's Host (HubSpot calls nothing but HTTPS). X-Forwarded-*
	// headers are deliberately ignored: any client can send them.
	PublicURL string
	// MaxAge bounds how far the v3 timestamp may be from Now; zero means
	// DefaultMaxAge.
	MaxAge time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RequireV3 refuses v1/v2 requests. v1 and v2 carry no timestamp, so a
	// captured request stays valid forever; HubSpot still sends them beside
	// v3 for compatibility, and an attacker can strip the v3 headers.
	RequireV3 bool
}

// Verify checks r's signature over body, which must be the raw request bytes
// (never a re-serialisation). A request carrying X-HubSpot-Signature-v3 is
// checked as v3 and never downgraded to the older headers it also carries.
func (v Verifier) Verify(r *http.Request, body []byte) error {
	if v.ClientSecret == "" {
		// An empty secret would make v1 a plain hash of the body that anyone
		// can compute.
		return ErrNoClientSecret
	}
	if sig := r.Header.Get(HeaderSignatureV3); sig != "" {
		return v.verifyV3(r, body, sig)
	}
	version := r.Header.Get(HeaderSignatureVersion)
	sig := r.Header.Get(HeaderSignature)
	switch {
	case strings.EqualFold(version, "v3"):
		return fmt.Errorf("%w: %s", ErrMissingSignature, HeaderSignatureV3)
	case v.RequireV3:
		return ErrV3Required
	case sig == "" && version == "":
		return ErrMissingSignature
	case sig == "":
		return fmt.Errorf("%w: %s", ErrMissingSignature, HeaderSignature)
	}
	var want []byte
	switch version {
	case "v1":
		want = SignV1(v.ClientSecret, body)
	case "v2":
		want = SignV2(v.ClientSecret, r.Method, v.requestURL(r), body)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownVersion, truncate(version, 16))
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return ErrBadSignature
	}
	return nil
}

func (v Verifier) verifyV3(r *http.Request, body []byte, sig string) error {
	ts := r.Header.Get(HeaderRequestTimestamp)
	if ts == "" {
		return fmt.Errorf("%w: %s", ErrMissingSignature, HeaderRequestTimestamp)
	}
	ms, err := parseMillis(ts)
	if err != nil {
		return err
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return ErrBadSignature
	}
	uri := DecodeV3URI(v.requestURL(r))
	// The signature is checked before the clock so that "stale" in a log
	// means an authentic but late (or replayed) request, not a forgery.
	if !hmac.Equal(got, SignV3(v.ClientSecret, r.Method, uri, body, ts)) {
		return ErrBadSignature
	}
	now := v.now()
	sent := time.UnixMilli(ms)
	maxAge := v.maxAge()
	// HubSpot's SDKs only reject old timestamps. A timestamp far in the
	// future is refused too: otherwise a request signed (or captured) with a
	// future timestamp could be replayed until that time. The same window
	// absorbs clock skew in both directions.
	if now.Sub(sent) > maxAge || sent.Sub(now) > maxAge {
		return fmt.Errorf("%w: sent %s, now %s", ErrStaleTimestamp,
			sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// parseMillis accepts only decimal digits: the header is hashed as received,
// so a lenient parse ("+1", " 1") could accept a value HubSpot never sent.
func parseMillis(ts string) (int64, error) {
	if len(ts) > 19 {
		return 0, ErrBadTimestamp
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < '0' || ts[i] > '9' {
			return 0, ErrBadTimestamp
		}
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, ErrBadTimestamp
	}
	return ms, nil
}

// SignV1 returns SHA-256(clientSecret + body), hex-encoded on the wire: a plain hash, not an
// HMAC, as HubSpot defines v1.
func SignV1(secret string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write(body)
	return h.Sum(nil)
}

// SignV2 is SHA-256(clientSecret + method + uri + body); uri is the full URL
// exactly as called, not decoded.
func SignV2(secret, method, uri string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(secret + method + uri))
	h.Write(body)
	return h.Sum(nil)
}

// SetSignatureV3 signs a request as HubSpot does: it sets the v3 signature
// of POST signedURI with body at time at, and the timestamp it covers.
// Tests and the load tool send webhooks with it; the simulator signs on
// its own, from HubSpot's document rather than this code.
func SetSignatureV3(h http.Header, secret, signedURI string, body []byte, at time.Time) {
	stamp := strconv.FormatInt(at.UnixMilli(), 10)
	h.Set(HeaderSignatureV3, base64.StdEncoding.EncodeToString(SignV3(secret, http.MethodPost, signedURI, body, stamp)))
	h.Set(HeaderRequestTimestamp, stamp)
}

// SignV3 is HMAC-SHA256(key=clientSecret, method + uri + body + timestamp);
// uri must already be decoded with DecodeV3URI.
func SignV3(secret, method, uri string, body []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + uri))
	m.Write(body)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

func (v Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v Verifier) maxAge() time.Duration {
	if v.MaxAge > 0 {
		return v.MaxAge
	}
	return DefaultMaxAge
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
