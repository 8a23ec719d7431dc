package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/hubforce/hubforce/internal/clientip"
)

// Guard is the optional hardening of the Salesforce endpoint. Outbound
// Messages carry no signature, so Salesforce recommends TLS, its client
// certificate (mutual TLS) and an allowlist of its IP ranges ("Outbound
// Messaging Security", developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_setting_up.htm).
type Guard struct {
	// Allowed source networks; empty allows every address.
	Allowed []netip.Prefix
	// TrustedProxies are the peers whose X-Forwarded-For is believed. A
	// header from anyone else is ignored: any client can write it.
	TrustedProxies []netip.Prefix
	// RequireClientCert refuses requests without a verified client
	// certificate (the TLS listener verifies it against the configured CA).
	RequireClientCert bool
}

var (
	errNoClientCert = errors.New("no verified client certificate")
	errNotAllowed   = errors.New("source address not in HUBFORCE_SALESFORCE_ALLOWED_IPS")
)

// Check admits r or says why not.
func (g Guard) Check(r *http.Request) error {
	if g.RequireClientCert && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		return errNoClientCert
	}
	if len(g.Allowed) == 0 {
		return nil
	}
	addr, err := clientip.Addr(r, g.TrustedProxies)
	if err != nil {
		return err
	}
	for _, p := range g.Allowed {
		if p.Contains(addr) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s", errNotAllowed, addr)
}

// ParsePrefixes reads a comma-separated list of CIDRs or single addresses.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", s)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
