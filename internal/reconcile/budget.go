package reconcile

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
)

// DefaultBudgetShare is the share of Salesforce's daily API allocation past
// which polls and backfills stop reading (HUBFORCE_SALESFORCE_BUDGET_SHARE).
const DefaultBudgetShare = 0.75

// DefaultProbeEvery spaces out the calls that refresh the usage figure while
// paused: Salesforce reports usage only on answers, so a paused reader must
// ask now and then to see it fall (the allocation is a rolling 24 h window).
const DefaultProbeEvery = time.Minute

// budget holds reads back while Salesforce's daily usage is past share
// (SPEC §3.8: "backfills pause first"). The work waits where it is: in the
// checkpoint, which is not advanced while paused.
type budget struct {
	sf    Salesforce
	share float64
	every time.Duration
	// probe makes one cheap Salesforce call so that Usage is current.
	probe   func(ctx context.Context) error
	after   func(time.Duration) <-chan time.Time
	onPause func(paused bool)
	log     zerolog.Logger
}

func (b budget) over() (bool, int, int) {
	if b.sf == nil {
		return false, 0, 0
	}
	used, limit := b.sf.Usage()
	if limit <= 0 { // nothing reported yet
		return false, used, limit
	}
	return float64(used) >= b.share*float64(limit), used, limit
}

// wait returns at once while usage is under the share; otherwise it waits,
// probing every b.every, until it is, or ctx ends.
func (b budget) wait(ctx context.Context) error {
	over, used, limit := b.over()
	if !over {
		return nil
	}
	b.log.Warn().Int("used", used).Int("limit", limit).Float64("share", b.share).
		Msg("salesforce daily API usage past the reconciliation share; reading paused")
	if b.onPause != nil {
		b.onPause(true)
	}
	for over {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.after(b.every):
		}
		if err := b.probe(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b.log.Warn().Err(err).Msg("salesforce usage probe failed; still paused")
		}
		over, used, limit = b.over()
	}
	b.log.Info().Int("used", used).Int("limit", limit).Msg("salesforce daily API usage under the share again; reading resumed")
	if b.onPause != nil {
		b.onPause(false)
	}
	return nil
}

// newBudget builds the pause for sf (nil: never pauses). The probe is a
// query for records modified from now on: one API call, no records.
func newBudget(sf Salesforce, share float64, every time.Duration, onPause func(bool), log zerolog.Logger, now func() time.Time) budget {
	if share <= 0 {
		share = DefaultBudgetShare
	}
	b := budget{sf: sf, share: share, every: orDefault(every, DefaultProbeEvery), after: time.After, onPause: onPause, log: log}
	b.probe = func(ctx context.Context) error {
		_, _, err := sf.ModifiedSince(ctx, hubforce.Contact, now(), nil, "")
		return err
	}
	return b
}
