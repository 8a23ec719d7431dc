package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
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
	addr, err := g.clientAddr(r)
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

// clientAddr is the peer address, or — when the peer is a trusted proxy —
// the rightmost X-Forwarded-For entry that is not itself a trusted proxy.
func (g Guard) clientAddr(r *http.Request) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("peer address %q: %w", r.RemoteAddr, err)
	}
	addr := ap.Addr().Unmap()
	if !contains(g.TrustedProxies, addr) {
		return addr, nil
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, fmt.Errorf("X-Forwarded-For entry %q: %w", hops[i], err)
		}
		hop = hop.Unmap()
		if !contains(g.TrustedProxies, hop) {
			return hop, nil
		}
		addr = hop
	}
	return addr, nil
}

func contains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
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
