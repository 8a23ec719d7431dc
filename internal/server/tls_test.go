package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func issue(t *testing.T, tmpl *x509.Certificate, parent *keyPair) *keyPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &keyPair{cert: cert, key: key, der: der}
}

func writePEM(t *testing.T, dir, name, typ string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMutualTLSOnTheSalesforceEndpoint serves over a real TLS listener and
// checks that only a client holding a certificate from the configured CA is
// admitted by the guard.
func TestMutualTLSOnTheSalesforceEndpoint(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil)
	srv := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca)
	client := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "proxy.salesforce.com"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca)
	stranger := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "stranger"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, nil)

	keyDER, _ := x509.MarshalECPrivateKey(srv.key)
	cfg, err := TLSConfig(writePEM(t, dir, "srv.pem", "CERTIFICATE", srv.der), writePEM(t, dir, "srv.key", "EC PRIVATE KEY", keyDER),
		writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.der))
	if err != nil {
		t.Fatal(err)
	}
	g := Guard{RequireClientCert: true}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.Check(r); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })

	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	get := func(kp *keyPair) (int, error) {
		tc := &tls.Config{RootCAs: roots}
		if kp != nil {
			tc.Certificates = []tls.Certificate{{Certificate: [][]byte{kp.der}, PrivateKey: kp.key}}
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
		resp, err := c.Post("https://"+ln.Addr().String()+"/webhooks/salesforce", "text/xml", nil)
		if err != nil {
			return 0, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := get(client); err != nil || code != http.StatusOK {
		t.Fatalf("client with the CA's certificate: %d %v", code, err)
	}
	if code, err := get(nil); err != nil || code != http.StatusForbidden {
		t.Fatalf("client without a certificate: %d %v", code, err)
	}
	if code, err := get(stranger); err == nil && code == http.StatusOK {
		t.Fatal("client with a certificate from another CA was admitted")
	}
}
