package salesforcesim

import "time"

// usage counts API requests in a rolling 24 h window, as Salesforce's daily
// allocation does ("API Request Limits and Allocations": the limit is
// calculated over the last 24 hours), in one-minute buckets.
type usage struct {
	buckets map[int64]int // minute (Unix/60) → requests
}

const usageWindow = 24 * 60 // minutes

func minute(t time.Time) int64 { return t.Unix() / 60 }

// total returns the requests counted in the 24 h before now, dropping older
// buckets.
func (u *usage) total(now time.Time) int {
	m, n := minute(now), 0
	for k, v := range u.buckets {
		if k <= m-usageWindow {
			delete(u.buckets, k)
			continue
		}
		n += v
	}
	return n
}

func (u *usage) add(now time.Time, n int) {
	if u.buckets == nil {
		u.buckets = map[int64]int{}
	}
	u.buckets[minute(now)] += n
}

// set replaces the window's contents with n requests made now.
func (u *usage) set(now time.Time, n int) {
	u.buckets = map[int64]int{}
	u.add(now, n)
}
