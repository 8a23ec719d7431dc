package hubspotsim_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An independent implementation of HubSpot's published algorithms
// (developers.hubspot.com/docs/api/webhooks/validating-requests), written
// from the page and not from the simulator's signer.

func indepV1(secret string, body []byte) string {
	sum := sha256.Sum256(append([]byte(secret), body...))
	return hex.EncodeToString(sum[:])
}

func indepV2(secret, method, uri string, body []byte) string {
	src := append([]byte(secret+method+uri), body...)
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:])
}

func indepV3(secret, method, uri string, body []byte, ts string) string {
	// "decode any of the URL-encoded characters listed in the table"
	for enc, dec := range map[string]string{"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!",
		"%24": "$", "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"} {
		uri = strings.ReplaceAll(uri, enc, dec)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method))
	mac.Write([]byte(uri))
	mac.Write(body)
	mac.Write([]byte(ts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestWebhookSignaturesVerifyIndependently(t *testing.T) {
	const path = "/webhooks/hubspot?tenant=acme%40corp&note=a%3Ab%2Cc%20d"
	for _, version := range []string{"v1", "v2", "v3", ""} {
		t.Run("version "+version, func(t *testing.T) {
			rc := newReceiver(t, nil)
			cfg := hookConfig(rc)
			cfg.WebhookURL = rc.srv.URL + path
			cfg.SignatureVersion = version
			h := newHarness(t, cfg)
			createContact(t, h, map[string]string{"email": "sig@example.com"})
			waitIdle(t, h.sim)
			reqs := rc.requests()
			if len(reqs) == 0 {
				t.Fatal("no webhook received")
			}
			r := reqs[0]
			if r.url != path {
				t.Fatalf("receiver saw %s, want the exact URL %s", r.url, path)
			}
			fullURL := rc.srv.URL + r.url
			v1 := indepV1(testSecret, r.body)
			switch version {
			case "v1":
				if r.header.Get("X-HubSpot-Signature") != v1 || r.header.Get("X-HubSpot-Signature-Version") != "v1" {
					t.Errorf("v1 headers = %v", r.header)
				}
			case "v2":
				if r.header.Get("X-HubSpot-Signature") != indepV2(testSecret, http.MethodPost, fullURL, r.body) ||
					r.header.Get("X-HubSpot-Signature-Version") != "v2" {
					t.Errorf("v2 headers = %v", r.header)
				}
				if r.header.Get("X-HubSpot-Signature-v3") != "" {
					t.Errorf("v2 delivery carries a v3 signature")
				}
			default:
				ts := r.header.Get("X-HubSpot-Request-Timestamp")
				if ts != strconv.FormatInt(h.clock.Now().UnixMilli(), 10) {
					t.Errorf("timestamp = %q, want the clock's epoch ms", ts)
				}
				if got := r.header.Get("X-HubSpot-Signature-v3"); got != indepV3(testSecret, http.MethodPost, fullURL, r.body, ts) {
					t.Errorf("v3 signature %q does not verify", got)
				}
				if r.header.Get("X-HubSpot-Signature") != v1 {
					t.Errorf("v3 delivery should keep the v1 header for backward compatibility")
				}
			}
		})
	}
}

func TestSignatureFreshnessUsesClock(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, hookConfig(rc))
	h.clock.Advance(10 * time.Minute)
	createContact(t, h, map[string]string{"email": "ts@example.com"})
	waitIdle(t, h.sim)
	ts, _ := strconv.ParseInt(rc.requests()[0].header.Get("X-HubSpot-Request-Timestamp"), 10, 64)
	if ts != h.clock.Now().UnixMilli() {
		t.Errorf("timestamp %d, want %d", ts, h.clock.Now().UnixMilli())
	}
}
