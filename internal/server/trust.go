package server

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net/http"
	"strings"
)

// SalesforceSender pins the client certificate that proves an Outbound
// Message comes from Salesforce: only such a message's values are taken as
// the truth (SPEC §3.14), any other stays a trigger and the record is read
// back. Salesforce presents the certificate of proxy.salesforce.com when it
// calls out ("Client Certificate", wiki.developerforce.com/page/Client_Certificate;
// Setup → API → "Generate Client Certificate" downloads the current one),
// and advises checking its CN and trusting its issuing CA rather than
// matching the certificate exactly, because it is renewed.
type SalesforceSender struct {
	// Subject and Issuer are the attributes the verified leaf certificate
	// must carry (each one, exactly; others may be there too).
	Subject, Issuer Name
}

// Name is a set of distinguished-name attributes such as CN=proxy.salesforce.com, O=DigiCert Inc.
type Name []pkix.AttributeTypeAndValue

// attribute types by their short names (RFC 4514 §3).
var attributeTypes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8},
	"O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "SERIALNUMBER": {2, 5, 4, 5},
}

// ParseName reads "CN=proxy.salesforce.com, O=Salesforce, Inc." style
// lists: comma-separated TYPE=value pairs; a comma inside a value is
// written \, (RFC 4514).
func ParseName(s string) (Name, error) {
	var out Name
	for _, part := range splitUnescaped(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		typ, value, ok := strings.Cut(part, "=")
		oid, known := attributeTypes[strings.ToUpper(strings.TrimSpace(typ))]
		if !ok || !known || strings.TrimSpace(value) == "" {
			return nil, fmt.Errorf("%q is not TYPE=value with TYPE one of CN, O, OU, L, ST, C, SERIALNUMBER", part)
		}
		out = append(out, pkix.AttributeTypeAndValue{Type: oid, Value: strings.TrimSpace(strings.ReplaceAll(value, `\,`, ","))})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no attribute in %q", s)
	}
	return out, nil
}

func splitUnescaped(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// matches says whether every attribute of n is among have.
func (n Name) matches(have pkix.Name) bool {
	for _, want := range n {
		found := false
		for _, a := range have.Names {
			if a.Type.Equal(want.Type) && fmt.Sprint(a.Value) == fmt.Sprint(want.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// proven says whether r came over mutual TLS with a client certificate
// that the listener verified against the configured CA and that carries
// the pinned subject and issuer. A nil sender proves nothing.
func (p *SalesforceSender) proven(r *http.Request) bool {
	if p == nil || r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return false
	}
	leaf := r.TLS.VerifiedChains[0][0]
	return p.Subject.matches(leaf.Subject) && p.Issuer.matches(leaf.Issuer)
}

// describe names a certificate for logs (never anything secret).
func describe(c *x509.Certificate) string {
	return "subject " + c.Subject.String() + ", issuer " + c.Issuer.String()
}
