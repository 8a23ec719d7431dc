package hubspotsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// Request signatures as HubSpot documents them
// (developers.hubspot.com/docs/api/webhooks/validating-requests).

// signV1 is hex(SHA-256(clientSecret + body)): a plain hash, not an HMAC.
func signV1(secret string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// signV2 is hex(SHA-256(clientSecret + method + URI + body)), the URI exactly
// as called.
func signV2(secret, method, uri string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret + method + uri))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// signV3 is base64(HMAC-SHA256(clientSecret, method + URI + body +
// timestamp)), over the URI with the documented percent-encodings decoded.
func signV3(secret, method, uri string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + v3URI(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// v3Decodes is the table of the v3 validation guide: only these encodings
// are decoded before hashing; every other one stays as sent.
var v3Decodes = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
)

func v3URI(uri string) string { return v3Decodes.Replace(uri) }

// setSignatureHeaders signs a webhook POST. For v3 HubSpot also keeps the
// v1 headers for backward compatibility (webhooks guide, "Security").
func setSignatureHeaders(h http.Header, version, secret, uri string, body []byte, nowMillis int64) {
	switch version {
	case "v1":
		h.Set("X-HubSpot-Signature", signV1(secret, body))
		h.Set("X-HubSpot-Signature-Version", "v1")
	case "v2":
		h.Set("X-HubSpot-Signature", signV2(secret, http.MethodPost, uri, body))
		h.Set("X-HubSpot-Signature-Version", "v2")
	default:
		ts := strconv.FormatInt(nowMillis, 10)
		h.Set("X-HubSpot-Signature", signV1(secret, body))
		h.Set("X-HubSpot-Signature-Version", "v1")
		h.Set("X-HubSpot-Signature-v3", signV3(secret, http.MethodPost, uri, body, ts))
		h.Set("X-HubSpot-Request-Timestamp", ts)
	}
}
