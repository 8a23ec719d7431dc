package hubspot

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzVerify checks that Verify never panics on arbitrary input and accepts
// exactly the requests signed with the secret: a correctly signed, fresh
// request always passes and any other signature value always fails.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(testBody), "/webhooks/hubspot", "v3", testV3, int64(0))
	f.Add([]byte(testBody), "/webhooks/hubspot"+testQuery, "v3", testV3Query, int64(-299_000))
	f.Add([]byte("[]"), "/webhooks/hubspot?a=%3A", "v2", testV2, int64(0))
	f.Add([]byte("{'example_field':'example_value'}"), "/", "v1", testV1, int64(0))
	f.Add([]byte(""), "/x", "v9", "zz", int64(600_000))
	f.Add([]byte("[]"), "/x", "v3", "", int64(-900_000))
	f.Fuzz(func(t *testing.T, payload []byte, target, version, forged string, skewMs int64) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return // not a request-target a server would hand to a handler
		}
		skewMs %= 1 << 40
		uri := "https://sync.example.com" + target
		ts := strconv.FormatInt(testNow.UnixMilli()+skewMs, 10)
		var good string
		switch version {
		case "v1":
			good = hex.EncodeToString(SignV1(testSecret, payload))
		case "v2":
			good = hex.EncodeToString(SignV2(testSecret, http.MethodPost, uri, payload))
		default:
			good = base64.StdEncoding.EncodeToString(SignV3(testSecret, http.MethodPost, DecodeV3URI(uri), payload, ts))
		}
		v := Verifier{ClientSecret: testSecret, PublicURL: "https://sync.example.com", Now: clockAt(testNow)}
		fresh := time.Duration(abs(skewMs))*time.Millisecond <= DefaultMaxAge
		for _, sig := range []string{good, forged} {
			r, err := http.NewRequest(http.MethodPost, "http://internal"+target, bytes.NewReader(payload))
			if err != nil {
				return
			}
			r.RequestURI = target
			switch version {
			case "v1", "v2":
				r.Header.Set(HeaderSignatureVersion, version)
				r.Header.Set(HeaderSignature, sig)
			default:
				r.Header.Set(HeaderSignatureV3, sig)
				r.Header.Set(HeaderRequestTimestamp, ts)
			}
			err = v.Verify(r, payload)
			isGood := sameSignature(sig, good, version)
			switch {
			case isGood && (fresh || version == "v1" || version == "v2") && err != nil:
				t.Fatalf("correct %s signature refused: %v", version, err)
			case !isGood && err == nil:
				t.Fatalf("forged %s signature %q accepted", version, sig)
			case isGood && !fresh && version != "v1" && version != "v2" && err == nil:
				t.Fatalf("stale v3 request (skew %d ms) accepted", skewMs)
			}
		}
	})
}

// sameSignature tells whether sig encodes the same bytes as good (hex is
// accepted in either case), so a fuzzed "forgery" equal to the real
// signature is not counted as one.
func sameSignature(sig, good, version string) bool {
	dec := base64.StdEncoding.DecodeString
	if version == "v1" || version == "v2" {
		dec = hex.DecodeString
	}
	a, err := dec(sig)
	b, _ := dec(good)
	return err == nil && bytes.Equal(a, b)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
