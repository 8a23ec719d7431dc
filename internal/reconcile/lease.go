package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hubforce/hubforce/internal/store"
)

// lockKey is the checkpoint through which replicas take turns polling.
const lockKey = "reconcile/lock"

type leaseValue struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// acquire takes or renews the polling lease for ttl. It is a best effort:
// the store offers no compare-and-set, so two replicas that both find the
// lease free and write it at the same moment may both read their own value
// back (each read follows its own write) and poll together. That costs a
// duplicate round of reads, no correctness: every change they feed carries
// the same delivery id and version, and the store's dedupe keeps one.
func acquire(ctx context.Context, st Store, owner string, now time.Time, ttl time.Duration) (bool, error) {
	cur, err := readLease(ctx, st)
	if err != nil {
		return false, err
	}
	if cur.Owner != "" && cur.Owner != owner && cur.Until.After(now) {
		return false, nil
	}
	b, err := json.Marshal(leaseValue{Owner: owner, Until: now.Add(ttl).UTC()})
	if err != nil {
		return false, fmt.Errorf("reconcile: encode lease: %w", err)
	}
	if err := st.SetCheckpoint(ctx, lockKey, string(b)); err != nil {
		return false, fmt.Errorf("reconcile: take lease: %w", err)
	}
	got, err := readLease(ctx, st)
	if err != nil {
		return false, err
	}
	return got.Owner == owner, nil
}

func readLease(ctx context.Context, st Store) (leaseValue, error) {
	v, err := st.Checkpoint(ctx, lockKey)
	if errors.Is(err, store.ErrNotFound) {
		return leaseValue{}, nil
	}
	if err != nil {
		return leaseValue{}, fmt.Errorf("reconcile: read lease: %w", err)
	}
	var l leaseValue
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		// A damaged value must not stop polling for good: treat it as free.
		return leaseValue{}, nil
	}
	return l, nil
}
