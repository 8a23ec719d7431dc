package hubspot

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Our own vectors, computed outside Go (Python hashlib/hmac) from the rules
// in HubSpot's "Validating requests" page, so a shared bug in Sign* cannot
// make them pass.
const (
	testSecret = "hubforce-test-secret"
	testBody   = `[{"eventId":7,"subscriptionId":9,"portalId":42,"occurredAt":1767225600000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":12345678901234,"propertyName":"email","propertyValue":"ana@example.org","changeSource":"CRM_UI","sourceId":"userId:5"}]`
	testTS     = "1767225600000"
	testV1     = "c0761cb0aa6912494b614748becbd015e8292cce7306cfc113def54da1ecab00"
	testV2     = "fd639f8948ab480bbc25e8baecffc4b3f1224ef816d879ed2a97ddd5c0f1343b" // POST https://sync.example.com/webhooks/hubspot
	testV3     = "lV57q1FmeOPaqSC/7JcCRN20CnmrpyTagl2dyP3wDh4="                     // same URL, testTS
	// testV3Query signs the decoded form of testQuery (see TestDecodeV3URI).
	testV3Query = "FOf8v5pWvHuozTbvB3q6WCOF7wBJYWwQJCkG86q1AsE="
	testQuery   = "?tag=a%3Ab%2Cc%40d%21%28x%29%2A%24%27y%3Bz%2Fw%3Fq&sp=%20&pl=%2B&eq=%3D&lc=%3a"
)

var testNow = time.UnixMilli(1767225600000)

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// signedRequest builds a server-side request as net/http would hand it to a
// handler: target is the request line's target, host the Host header.
func signedRequest(target, host string, tlsOn bool, headers map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(testBody))
	r.Host = host
	if !tlsOn {
		r.TLS = nil
	} else if r.TLS == nil {
		r.TLS = &tls.ConnectionState{}
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

func TestVerify(t *testing.T) {
	behindProxy := Verifier{ClientSecret: testSecret, PublicURL: "https://sync.example.com/", Now: clockAt(testNow)}
	direct := Verifier{ClientSecret: testSecret, Now: clockAt(testNow)}
	v3 := map[string]string{HeaderSignatureV3: testV3, HeaderRequestTimestamp: testTS}
	tests := []struct {
		name    string
		v       Verifier
		target  string
		host    string
		tls     bool
		headers map[string]string
		want    error
	}{
		{"v1", direct, "/webhooks/hubspot", "anything", false,
			map[string]string{HeaderSignature: testV1, HeaderSignatureVersion: "v1"}, nil},
		{"v1 upper-case hex", direct, "/webhooks/hubspot", "anything", false,
			map[string]string{HeaderSignature: strings.ToUpper(testV1), HeaderSignatureVersion: "v1"}, nil},
		{"v1 wrong", direct, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: testV2, HeaderSignatureVersion: "v1"}, ErrBadSignature},
		{"v1 not hex", direct, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: "zz", HeaderSignatureVersion: "v1"}, ErrBadSignature},
		{"v2 from TLS request", direct, "/webhooks/hubspot", "sync.example.com", true,
			map[string]string{HeaderSignature: testV2, HeaderSignatureVersion: "v2"}, nil},
		// HubSpot only calls HTTPS: plain HTTP here means a TLS-terminating
		// proxy kept the Host, and the signed URL is https://Host.
		{"v2 plain http behind a proxy keeping the Host", direct, "/webhooks/hubspot", "sync.example.com", false,
			map[string]string{HeaderSignature: testV2, HeaderSignatureVersion: "v2"}, nil},
		{"v3 plain http behind a proxy keeping the Host", direct, "/webhooks/hubspot", "sync.example.com", false, v3, nil},
		{"v3 proxy rewrote the Host, no public URL", direct, "/webhooks/hubspot", "10.0.0.7:8080", false, v3, ErrBadSignature},
		{"v2 behind proxy", behindProxy, "/webhooks/hubspot", "10.0.0.7:8080", false,
			map[string]string{HeaderSignature: testV2, HeaderSignatureVersion: "v2"}, nil},
		{"v3 behind proxy", behindProxy, "/webhooks/hubspot", "10.0.0.7:8080", false, v3, nil},
		{"v3 direct TLS", direct, "/webhooks/hubspot", "sync.example.com", true, v3, nil},
		{"v3 forwarded headers are not trusted", direct, "/webhooks/hubspot", "10.0.0.7", false,
			map[string]string{HeaderSignatureV3: testV3, HeaderRequestTimestamp: testTS,
				"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sync.example.com"}, ErrBadSignature},
		{"v3 trailing slash differs", behindProxy, "/webhooks/hubspot/", "x", false, v3, ErrBadSignature},
		{"v3 decoded query", behindProxy, "/webhooks/hubspot" + testQuery, "x", false,
			map[string]string{HeaderSignatureV3: testV3Query, HeaderRequestTimestamp: testTS}, nil},
		{"v3 header name as the doc spells it", behindProxy, "/webhooks/hubspot", "x", false,
			map[string]string{"X-HubSpot-Signature-V3": testV3, HeaderRequestTimestamp: testTS}, nil},
		{"v3 wins over v1 (no downgrade)", behindProxy, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignatureV3: "AAAA", HeaderRequestTimestamp: testTS,
				HeaderSignature: testV1, HeaderSignatureVersion: "v1"}, ErrBadSignature},
		{"v3 without timestamp", behindProxy, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignatureV3: testV3}, ErrMissingSignature},
		{"v3 timestamp not digits", behindProxy, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignatureV3: testV3, HeaderRequestTimestamp: "+" + testTS}, ErrBadTimestamp},
		{"v3 timestamp altered", behindProxy, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignatureV3: testV3, HeaderRequestTimestamp: "1767225600001"}, ErrBadSignature},
		{"v3 not base64", behindProxy, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignatureV3: "%%%", HeaderRequestTimestamp: testTS}, ErrBadSignature},
		{"version v3 without v3 header", direct, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: testV1, HeaderSignatureVersion: "v3"}, ErrMissingSignature},
		{"no headers", direct, "/webhooks/hubspot", "x", false, nil, ErrMissingSignature},
		{"version without signature", direct, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignatureVersion: "v1"}, ErrMissingSignature},
		{"unknown version", direct, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: testV1, HeaderSignatureVersion: "v9"}, ErrUnknownVersion},
		{"signature without version", direct, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: testV1}, ErrUnknownVersion},
		{"no secret configured", Verifier{}, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: testV1, HeaderSignatureVersion: "v1"}, ErrNoClientSecret},
		{"v3 required refuses v1", Verifier{ClientSecret: testSecret, RequireV3: true}, "/webhooks/hubspot", "x", false,
			map[string]string{HeaderSignature: testV1, HeaderSignatureVersion: "v1"}, ErrV3Required},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signedRequest(tt.target, tt.host, tt.tls, tt.headers)
			err := tt.v.Verify(r, []byte(testBody))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyBodyIsHashedRaw(t *testing.T) {
	v := Verifier{ClientSecret: testSecret, PublicURL: "https://sync.example.com", Now: clockAt(testNow)}
	r := signedRequest("/webhooks/hubspot", "x", false, map[string]string{HeaderSignatureV3: testV3, HeaderRequestTimestamp: testTS})
	// Same JSON, different bytes: must fail.
	if err := v.Verify(r, []byte(strings.Replace(testBody, `,"attemptNumber"`, `, "attemptNumber"`, 1))); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("re-serialised body: got %v, want ErrBadSignature", err)
	}
}

func TestVerifyFreshnessWindow(t *testing.T) {
	sent := testNow
	tests := []struct {
		name string
		now  time.Time
		max  time.Duration
		want error
	}{
		{"same instant", sent, 0, nil},
		{"4m59.999s old", sent.Add(5*time.Minute - time.Millisecond), 0, nil},
		{"5m0.001s old", sent.Add(5*time.Minute + time.Millisecond), 0, ErrStaleTimestamp},
		{"hours old", sent.Add(3 * time.Hour), 0, ErrStaleTimestamp},
		{"slightly in the future (skew)", sent.Add(-4 * time.Minute), 0, nil},
		{"far in the future", sent.Add(-10 * time.Minute), 0, ErrStaleTimestamp},
		{"custom window", sent.Add(90 * time.Second), time.Minute, ErrStaleTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verifier{ClientSecret: testSecret, PublicURL: "https://sync.example.com", Now: clockAt(tt.now), MaxAge: tt.max}
			r := signedRequest("/webhooks/hubspot", "x", false, map[string]string{HeaderSignatureV3: testV3, HeaderRequestTimestamp: testTS})
			if err := v.Verify(r, []byte(testBody)); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeV3URI(t *testing.T) {
	table := map[string]string{
		"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
		"%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
	}
	for enc, dec := range table {
		if got := DecodeV3URI("https://h/p?x=a" + enc + "b"); got != "https://h/p?x=a"+dec+"b" {
			t.Errorf("%s: got %q", enc, got)
		}
	}
	for _, keep := range []string{"%20", "%26", "%3D", "%2B", "%25", "%3a", "%2f", "%7E", "%253A"} {
		if got := DecodeV3URI("https://h/p?x=" + keep); got != "https://h/p?x="+keep {
			t.Errorf("%s must stay encoded, got %q", keep, got)
		}
	}
	got := DecodeV3URI("https://sync.example.com/webhooks/hubspot" + testQuery)
	want := "https://sync.example.com/webhooks/hubspot?tag=a:b,c@d!(x)*$'y;z/w?q&sp=%20&pl=%2B&eq=%3D&lc=%3a"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestRequestURL(t *testing.T) {
	tests := []struct {
		name, public, target, host string
		tls                        bool
		want                       string
	}{
		{"derived over plain http is https", "", "/webhooks/hubspot?a=1", "h:8080", false, "https://h:8080/webhooks/hubspot?a=1"},
		{"derived https", "", "/webhooks/hubspot", "h", true, "https://h/webhooks/hubspot"},
		{"public URL replaces origin", "https://sync.example.com", "/webhooks/hubspot?a=%40", "10.1.1.1", false,
			"https://sync.example.com/webhooks/hubspot?a=%40"},
		{"public URL with prefix (stripping proxy)", "https://example.com/hubforce/", "/webhooks/hubspot", "x", false,
			"https://example.com/hubforce/webhooks/hubspot"},
		{"raw path kept", "", "/webhooks/a%2Fb", "h", false, "https://h/webhooks/a%2Fb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signedRequest(tt.target, tt.host, tt.tls, nil)
			if got := (Verifier{PublicURL: tt.public}).requestURL(r); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A request routed through http.StripPrefix still signs the URL called.
	r := signedRequest("/hook/webhooks/hubspot", "h", false, nil)
	var seen string
	http.StripPrefix("/hook", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = (Verifier{}).requestURL(r)
	})).ServeHTTP(httptest.NewRecorder(), r)
	if seen != "https://h/hook/webhooks/hubspot" {
		t.Fatalf("after StripPrefix: %q", seen)
	}
}

func TestVerifyOverHTTP(t *testing.T) {
	v := Verifier{ClientSecret: testSecret, PublicURL: "https://sync.example.com", Now: clockAt(testNow)}
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			got <- err
			return
		}
		got <- v.Verify(r, body)
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/hubspot"+testQuery, strings.NewReader(testBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(HeaderSignatureV3, testV3Query)
	req.Header.Set(HeaderRequestTimestamp, testTS)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if err := <-got; err != nil {
		t.Fatalf("Verify over a real connection: %v", err)
	}
}
