package server

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGuardAllowlist(t *testing.T) {
	allowed, _ := ParsePrefixes("13.108.0.0/14, 203.0.113.7")
	proxies, _ := ParsePrefixes("10.0.0.0/8")
	g := Guard{Allowed: allowed, TrustedProxies: proxies}
	for _, tc := range []struct {
		name, remote, xff string
		ok                bool
	}{
		{"allowed peer", "13.108.1.2:443", "", true},
		{"single address", "203.0.113.7:5555", "", true},
		{"other peer", "198.51.100.1:443", "", false},
		{"untrusted peer's forwarded header ignored", "198.51.100.1:443", "13.108.1.2", false},
		{"trusted proxy, allowed client", "10.1.2.3:80", "198.51.100.9, 13.108.1.2", true},
		{"trusted proxy, spoofed leftmost entry", "10.1.2.3:80", "13.108.1.2, 198.51.100.9", false},
		{"trusted proxy chain", "10.1.2.3:80", "13.108.1.2, 10.9.9.9", true},
		{"garbage forwarded entry", "10.1.2.3:80", "not-an-ip", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/webhooks/salesforce", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if err := g.Check(r); (err == nil) != tc.ok {
				t.Fatalf("Check = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestGuardEmptyAllowsAll(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	if err := (Guard{}).Check(r); err != nil {
		t.Fatal(err)
	}
}

func TestGuardRequiresVerifiedClientCert(t *testing.T) {
	g := Guard{RequireClientCert: true}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	if g.Check(r) == nil {
		t.Fatal("plain HTTP admitted")
	}
	r.TLS = &tls.ConnectionState{}
	if g.Check(r) == nil {
		t.Fatal("TLS without a client certificate admitted")
	}
	r.TLS.VerifiedChains = [][]*x509.Certificate{{{}}}
	if err := g.Check(r); err != nil {
		t.Fatal(err)
	}
}

func TestParsePrefixesRejectsGarbage(t *testing.T) {
	if _, err := ParsePrefixes("10.0.0.0/8, nonsense"); err == nil {
		t.Fatal("want an error")
	}
}
