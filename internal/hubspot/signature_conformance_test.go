package hubspot

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// conformanceFile reads a captured sample from $HUBFORCE_CONFORMANCE_DIR, or
// skips: the samples are not part of the repository.
func conformanceFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	dir := os.Getenv("HUBFORCE_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("HUBFORCE_CONFORMANCE_DIR is unset: skipping the test against captured HubSpot samples")
	}
	b, err := os.ReadFile(filepath.Join(append([]string{dir}, parts...)...))
	if err != nil {
		t.Fatalf("reading conformance sample: %v", err)
	}
	return b
}

type sdkVector struct {
	ID                string `json:"id"`
	SignatureVersion  string `json:"signatureVersion"`
	ClientSecret      string `json:"clientSecret"`
	Method            string `json:"method"`
	URI               string `json:"uri"`
	URIAsReceived     string `json:"uriAsReceived"`
	URIForSigning     string `json:"uriForSigning"`
	RequestBody       string `json:"requestBody"`
	Timestamp         string `json:"timestamp"`
	ExpectedSignature string `json:"expectedSignature"`
	SignatureComputed string `json:"signatureComputed"`
	IfNotDecoded      string `json:"signatureIfUriNotDecoded"`
}

// vectorRequest rebuilds the request HubSpot would have sent to uri.
func vectorRequest(t *testing.T, method, uri string, body string) (*http.Request, Verifier) {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	if method == "" {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, u.RequestURI(), strings.NewReader(body))
	r.Host = u.Host
	return r, Verifier{PublicURL: u.Scheme + "://" + u.Host}
}

func TestConformanceSDKSignatureVectors(t *testing.T) {
	var doc struct{ Vectors []sdkVector }
	if err := json.Unmarshal(conformanceFile(t, "hubspot", "signature_vectors.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, vec := range doc.Vectors {
		t.Run(vec.ID, func(t *testing.T) {
			uri := vec.URI
			if uri == "" {
				uri = "https://www.example.com/webhook_uri" // v1 does not sign the URL
			}
			r, v := vectorRequest(t, vec.Method, uri, vec.RequestBody)
			v.ClientSecret = vec.ClientSecret
			switch vec.SignatureVersion {
			case "v1", "v2":
				r.Header.Set(HeaderSignature, vec.ExpectedSignature)
				r.Header.Set(HeaderSignatureVersion, vec.SignatureVersion)
			case "v3":
				ms, err := strconv.ParseInt(vec.Timestamp, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				v.Now = clockAt(time.UnixMilli(ms).Add(time.Minute))
				r.Header.Set(HeaderSignatureV3, vec.ExpectedSignature)
				r.Header.Set(HeaderRequestTimestamp, vec.Timestamp)
			default:
				t.Fatalf("unknown version %q", vec.SignatureVersion)
			}
			if err := v.Verify(r, []byte(vec.RequestBody)); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			// The same vector with a one-byte change in the body must fail.
			if err := v.Verify(r, []byte(vec.RequestBody+" ")); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("tampered body: %v", err)
			}
			if vec.SignatureVersion == "v3" {
				// The SDK timestamps are long past: with the real clock they are stale.
				v.Now = nil
				if err := v.Verify(r, []byte(vec.RequestBody)); !errors.Is(err, ErrStaleTimestamp) {
					t.Fatalf("with the wall clock: %v, want ErrStaleTimestamp", err)
				}
			}
		})
	}
}

func TestConformanceV3URIDecoding(t *testing.T) {
	var doc struct {
		OfficialRule struct {
			DecodeTable map[string]string `json:"decodeTable"`
		} `json:"officialRule"`
		DerivedVectors []struct {
			sdkVector
			AcceptAtNowMs int64 `json:"acceptAtNowMs"`
			RejectAtNowMs int64 `json:"rejectAtNowMs"`
		} `json:"derivedVectors"`
	}
	if err := json.Unmarshal(conformanceFile(t, "hubspot", "signature_v3_uri_decoding.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.OfficialRule.DecodeTable) != 12 {
		t.Fatalf("decode table has %d entries, want 12", len(doc.OfficialRule.DecodeTable))
	}
	for enc, dec := range doc.OfficialRule.DecodeTable {
		if got := DecodeV3URI("/p?q=" + enc); got != "/p?q="+dec {
			t.Errorf("%s decodes to %q, want %q", enc, got, dec)
		}
	}
	sign := func(vec sdkVector, uri string) string {
		return base64.StdEncoding.EncodeToString(SignV3(vec.ClientSecret, vec.Method, uri, []byte(vec.RequestBody), vec.Timestamp))
	}
	for _, vec := range doc.DerivedVectors {
		t.Run(vec.ID, func(t *testing.T) {
			switch {
			case vec.URIAsReceived != "":
				if got := DecodeV3URI(vec.URIAsReceived); got != vec.URIForSigning {
					t.Fatalf("decoded %q, want %q", got, vec.URIForSigning)
				}
				if got := sign(vec.sdkVector, vec.URIAsReceived); got != vec.IfNotDecoded {
					t.Fatalf("undecoded signature %s, want %s", got, vec.IfNotDecoded)
				}
				r, v := vectorRequest(t, vec.Method, vec.URIAsReceived, vec.RequestBody)
				v.ClientSecret, v.Now = vec.ClientSecret, clockAt(time.UnixMilli(1700000300000))
				r.Header.Set(HeaderSignatureV3, vec.ExpectedSignature)
				r.Header.Set(HeaderRequestTimestamp, vec.Timestamp)
				if err := v.Verify(r, []byte(vec.RequestBody)); err != nil {
					t.Fatalf("Verify: %v", err)
				}
			case vec.ExpectedSignature != "":
				if got := sign(vec.sdkVector, vec.URIForSigning); got != vec.ExpectedSignature {
					t.Fatalf("signature %s, want %s", got, vec.ExpectedSignature)
				}
			case vec.SignatureComputed != "":
				if got := sign(vec.sdkVector, vec.URIForSigning); got != vec.SignatureComputed {
					t.Fatalf("signature %s, want %s", got, vec.SignatureComputed)
				}
			case vec.AcceptAtNowMs != 0:
				checkFreshness(t, vec.Timestamp, vec.AcceptAtNowMs, vec.RejectAtNowMs)
			}
		})
	}
}

func checkFreshness(t *testing.T, ts string, acceptAt, rejectAt int64) {
	t.Helper()
	body := []byte("[]")
	uri := "https://sync.example.com/webhooks/hubspot"
	sig := base64.StdEncoding.EncodeToString(SignV3(testSecret, http.MethodPost, uri, body, ts))
	for _, tc := range []struct {
		now  int64
		want error
	}{{acceptAt, nil}, {rejectAt, ErrStaleTimestamp}} {
		r, v := vectorRequest(t, http.MethodPost, uri, string(body))
		v.ClientSecret, v.Now = testSecret, clockAt(time.UnixMilli(tc.now))
		r.Header.Set(HeaderSignatureV3, sig)
		r.Header.Set(HeaderRequestTimestamp, ts)
		if err := v.Verify(r, body); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("now=%d: %v, want %v", tc.now, err, tc.want)
		}
	}
}

// Guard against the hex helpers drifting from the documented lower-case hex.
func TestSignV1IsLowerHexSHA256(t *testing.T) {
	if got := hex.EncodeToString(SignV1(testSecret, []byte(testBody))); got != testV1 {
		t.Fatalf("got %s", got)
	}
}
