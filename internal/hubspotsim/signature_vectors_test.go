package hubspotsim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// conformanceFile reads a file of the shared conformance set, or skips.
func conformanceFile(t *testing.T, name string, v any) {
	t.Helper()
	dir := os.Getenv("HUBFORCE_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("HUBFORCE_CONFORMANCE_DIR is not set; HubSpot's published samples are not available")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "hubspot", name))
	if err != nil {
		t.Fatalf("read conformance file: %v", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
}

// TestSDKSignatureVectors runs HubSpot's SDK and docs vectors through the
// simulator's own signer.
func TestSDKSignatureVectors(t *testing.T) {
	var file struct {
		Vectors []struct {
			ID, SignatureVersion, ClientSecret, Method, URI, RequestBody, Timestamp, ExpectedSignature string
		} `json:"vectors"`
	}
	conformanceFile(t, "signature_vectors.json", &file)
	if len(file.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range file.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			body := []byte(v.RequestBody)
			var got string
			switch v.SignatureVersion {
			case "v1":
				got = signV1(v.ClientSecret, body)
			case "v2":
				got = signV2(v.ClientSecret, v.Method, v.URI, body)
			case "v3":
				got = signV3(v.ClientSecret, v.Method, v.URI, body, v.Timestamp)
			default:
				t.Fatalf("unknown version %q", v.SignatureVersion)
			}
			if got != v.ExpectedSignature {
				t.Errorf("signature = %s, want %s", got, v.ExpectedSignature)
			}
		})
	}
}

// TestV3URIDecodingVectors checks the decode table against the derived
// vectors (computed by applying the documented rule).
func TestV3URIDecodingVectors(t *testing.T) {
	var file struct {
		DerivedVectors []struct {
			ID, URIAsReceived, URIForSigning, Method, ClientSecret, RequestBody, Timestamp string
			ExpectedSignature, SignatureComputed                                           string
		} `json:"derivedVectors"`
	}
	conformanceFile(t, "signature_v3_uri_decoding.json", &file)
	for _, v := range file.DerivedVectors {
		if v.Method == "" {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			want := v.ExpectedSignature
			if want == "" {
				want = v.SignatureComputed
			}
			uri := v.URIAsReceived
			if uri == "" {
				uri = v.URIForSigning
			} else if got := v3URI(uri); got != v.URIForSigning {
				t.Errorf("decoded URI = %s, want %s", got, v.URIForSigning)
			}
			if got := signV3(v.ClientSecret, v.Method, uri, []byte(v.RequestBody), v.Timestamp); got != want {
				t.Errorf("signature = %s, want %s", got, want)
			}
		})
	}
}
