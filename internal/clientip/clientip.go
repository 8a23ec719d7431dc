// Package clientip tells which address a request comes from, believing
// X-Forwarded-For only from configured proxies (HUBFORCE_TRUSTED_PROXIES):
// any client can write the header, so trusting it blindly would let anyone
// pick the address an allowlist or a rate limit sees (WIRE.md, chi's
// RealIP pitfall).
package clientip

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Addr is the peer address, or — when the peer is a trusted proxy — the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy.
func Addr(r *http.Request, trusted []netip.Prefix) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("peer address %q: %w", r.RemoteAddr, err)
	}
	addr := ap.Addr().Unmap()
	if !Contains(trusted, addr) {
		return addr, nil
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, fmt.Errorf("X-Forwarded-For entry %q: %w", hops[i], err)
		}
		hop = hop.Unmap()
		if !Contains(trusted, hop) {
			return hop, nil
		}
		addr = hop
	}
	return addr, nil
}

// Contains says whether any of ps holds a.
func Contains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
