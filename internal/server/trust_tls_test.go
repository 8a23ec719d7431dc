package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/metrics"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
)

const trustOrg = "00D5g000004XyZaEAK"

// trustMessage is an Outbound Message for one Contact whose values are
// invented by whoever sends it.
func trustMessage(noteID, recordID string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>%s</OrganizationId>
   <Notification>
    <Id>%s</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>%s</sf:Id>
     <sf:LastName>Invented</sf:LastName>
     <sf:SystemModstamp>2026-11-03T17:24:20.000Z</sf:SystemModstamp>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`, trustOrg, noteID, recordID)
}

// TestMessageValuesTrustedOnlyFromSalesforcesPinnedCertificate serves the
// Salesforce endpoint over real mutual TLS on loopback, with a CA and
// client certificates made for the test, and checks which notifications
// are stored as the truth and which as triggers to read back.
func TestMessageValuesTrustedOnlyFromSalesforcesPinnedCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Test TLS CA", Organization: []string{"Test Issuer, Inc."}},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil)
	otherCA := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Other CA", Organization: []string{"Other Issuer"}},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil)
	srvCert := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca)
	client := func(cn string, by *keyPair) *keyPair {
		return issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: cn}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, by)
	}
	salesforce := client("proxy.salesforce.com", ca)
	// Verified by the same CA, but not the pinned subject: any other
	// customer of a public CA holds such a certificate.
	impostor := client("impostor.example.com", ca)
	// The pinned subject, issued by a CA the listener also trusts but
	// that is not the pinned issuer.
	sameNameOtherIssuer := client("proxy.salesforce.com", otherCA)

	keyDER, _ := x509.MarshalECPrivateKey(srvCert.key)
	caPEM := writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.der)
	both := filepath.Join(dir, "both.pem")
	writePEM(t, dir, "other.pem", "CERTIFICATE", otherCA.der)
	concat(t, both, caPEM, filepath.Join(dir, "other.pem"))
	subject, err := ParseName("CN=proxy.salesforce.com")
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := ParseName(`O=Test Issuer\, Inc.`)
	if err != nil {
		t.Fatal(err)
	}
	pinned := &SalesforceSender{Subject: subject, Issuer: issuer}

	for _, db := range []struct{ name, url string }{
		{"sqlite", "sqlite:" + filepath.Join(dir, "trust.db")},
		{"postgres", ""},
	} {
		t.Run(db.name, func(t *testing.T) {
			url := db.url
			if url == "" {
				url = storetest.PostgresSchema(t)
			}
			ctx := context.Background()
			if err := store.Migrate(ctx, url); err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			serve := func(trusted *SalesforceSender) string {
				cfg, err := TLSConfig(writePEM(t, dir, "srv.pem", "CERTIFICATE", srvCert.der), writePEM(t, dir, "srv.key", "EC PRIVATE KEY", keyDER), both)
				if err != nil {
					t.Fatal(err)
				}
				s := &Server{Log: zerolog.New(io.Discard), Store: st, Metrics: metrics.New(), SalesforceOrgID: trustOrg,
					TrustedSalesforce: trusted}
				ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
				if err != nil {
					t.Fatal(err)
				}
				hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
				go func() { _ = hs.Serve(ln) }()
				t.Cleanup(func() { _ = hs.Close() })
				return "https://" + ln.Addr().String()
			}
			optedIn, optedOut := serve(pinned), serve(nil)
			roots := x509.NewCertPool()
			roots.AddCert(ca.cert)
			n := 0
			for _, tc := range []struct {
				name    string
				base    string
				cert    *keyPair
				trusted bool
			}{
				{"opted in, Salesforce's certificate", optedIn, salesforce, true},
				{"opted in, another subject from the same CA", optedIn, impostor, false},
				{"opted in, the subject from another issuer", optedIn, sameNameOtherIssuer, false},
				{"opted in, no certificate", optedIn, nil, false},
				{"not opted in, Salesforce's certificate", optedOut, salesforce, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					n++
					record := fmt.Sprintf("0035g00000Trust%03d", n)
					tcfg := &tls.Config{RootCAs: roots}
					if tc.cert != nil {
						tcfg.Certificates = []tls.Certificate{{Certificate: [][]byte{tc.cert.der}, PrivateKey: tc.cert.key}}
					}
					c := &http.Client{Transport: &http.Transport{TLSClientConfig: tcfg}}
					resp, err := c.Post(tc.base+"/webhooks/salesforce", "text/xml", strings.NewReader(trustMessage(fmt.Sprintf("04l5g00000Tru%03dAAA", n), record)))
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Ack>true</Ack>") {
						t.Fatalf("%d %s", resp.StatusCode, body)
					}
					storetest.WaitInboxEmpty(t, st)
					claimed, err := st.Claim(ctx, hubforce.HubSpot, "test", 100, time.Minute)
					if err != nil {
						t.Fatal(err)
					}
					var got []hubforce.Change
					for _, c := range claimed {
						if c.Change.RecordID == record {
							got = append(got, c.Change)
						}
					}
					if len(got) != 1 {
						t.Fatalf("%d changes queued for %s, want 1", len(got), record)
					}
					if trusted := !got[0].Trigger; trusted != tc.trusted {
						t.Fatalf("values taken as the truth: %v, want %v", trusted, tc.trusted)
					}
				})
			}
		})
	}
}

func concat(t *testing.T, dst string, srcs ...string) {
	t.Helper()
	var all []byte
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if err := os.WriteFile(dst, all, 0o600); err != nil {
		t.Fatal(err)
	}
}
