package admin

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/hubforce/hubforce/internal/clientip"
)

// signInLimiter keeps a bucket of failed sign-ins per client address (burst
// 10, one a second after that), so that one client guessing the token
// cannot lock every operator out, as a single shared bucket did. The
// address is the peer's, or the client's behind HUBFORCE_TRUSTED_PROXIES.
type signInLimiter struct {
	trusted []netip.Prefix

	mu      sync.Mutex
	buckets map[netip.Addr]*rate.Limiter
}

const (
	signInBurst = 10
	// maxBuckets bounds the memory a flood of addresses can take: past
	// it, buckets that have refilled (they remember nothing) are dropped,
	// and if none has, new clients share one overflow bucket.
	maxBuckets = 10000
)

func newSignInLimiter(trusted []netip.Prefix) *signInLimiter {
	return &signInLimiter{trusted: trusted, buckets: map[netip.Addr]*rate.Limiter{}}
}

// bucket is r's client's bucket. An address that cannot be told (a
// malformed forwarded header from a trusted proxy) shares the zero
// address's bucket.
func (l *signInLimiter) bucket(r *http.Request, now time.Time) *rate.Limiter {
	addr, err := clientip.Addr(r, l.trusted)
	if err != nil {
		addr = netip.Addr{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[addr]; ok {
		return b
	}
	if len(l.buckets) >= maxBuckets {
		for a, b := range l.buckets {
			if b.TokensAt(now) >= signInBurst {
				delete(l.buckets, a)
			}
		}
		if len(l.buckets) >= maxBuckets {
			addr = netip.IPv6Unspecified()
			if b, ok := l.buckets[addr]; ok {
				return b
			}
		}
	}
	b := rate.NewLimiter(rate.Every(time.Second), signInBurst)
	l.buckets[addr] = b
	return b
}
