package store

import (
	"context"
	"time"

	"github.com/hubforce/hubforce"
)

// Option adjusts Open.
type Option func(*config)

type config struct {
	now          func() time.Time
	maxGroup     int
	committers   int // 0: the dialect's default
	beforeCommit func(ctx context.Context, changes []hubforce.Change) error
	secretKey    string
	onIngested   func(map[hubforce.Side]map[hubforce.Decision]int)
	onDigestErr  func(error)
	onStatsErr   func(error)
	drainTimeout time.Duration
	digestPoll   time.Duration
	noDigest     bool
	// noValueHashes judges versions without the per-field value memory,
	// as before SPEC §3.2 said an equal version is not a duplicate; only
	// the benchmark that prices the memory sets it.
	noValueHashes bool
}

func defaultConfig() config {
	return config{now: time.Now, maxGroup: 2000, drainTimeout: 20 * time.Second, digestPoll: digestPoll}
}

// WithNow replaces the clock (tests).
func WithNow(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithMaxGroup caps the number of changes one group commit takes (default
// 2000). A single Ingest call larger than the cap still commits whole.
func WithMaxGroup(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxGroup = n
		}
	}
}

// WithCommitters sets how many ingest transactions may be in flight at once
// (default: 1 on SQLite, 4 on PostgreSQL).
func WithCommitters(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.committers = n
		}
	}
}

// WithBeforeCommit runs f inside every ingest transaction just before it
// commits, with all the group's changes; an error from f rolls the group
// back and fails every caller in it. It exists so that tests can hold a
// group open or make it fail.
func WithBeforeCommit(f func(ctx context.Context, changes []hubforce.Change) error) Option {
	return func(c *config) { c.beforeCommit = f }
}

// WithSecretKey sets HUBFORCE_SECRET_KEY, the passphrase credentials are
// encrypted with (see sealer). Without it SaveCredential refuses.
func WithSecretKey(secret string) Option {
	return func(c *config) { c.secretKey = secret }
}

// WithOnIngested calls f after every commit that judged changes (a digest
// of the inbox, or an Ingest call) with the number of each decision per
// source side; f runs on the committing goroutine, so it must not block
// (count, wake the delivery engine). Accepted changes are pending when f
// runs.
func WithOnIngested(f func(decisions map[hubforce.Side]map[hubforce.Decision]int)) Option {
	return func(c *config) { c.onIngested = f }
}

// WithOnDigestError calls f when digesting the inbox fails; the rows stay
// and are retried a second later. For logging; f must not block.
func WithOnDigestError(f func(error)) Option {
	return func(c *config) { c.onDigestErr = f }
}

// WithOnStatisticsError calls f when refreshing the PostgreSQL planner's
// statistics of the queue tables fails (see statistics.go); it is retried
// a few seconds later. For logging; f must not block.
func WithOnStatisticsError(f func(error)) Option {
	return func(c *config) { c.onStatsErr = f }
}

// WithDrainTimeout bounds how long Close digests what remains in the inbox
// (default 20 s); rows left are digested by the next Open.
func WithDrainTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.drainTimeout = d
		}
	}
}

// WithoutDigestion opens a store that receives but never digests its
// inbox, not even on Close: rows stay for the next Open (tests of what a
// killed process leaves).
func WithoutDigestion() Option {
	return func(c *config) { c.noDigest = true }
}
