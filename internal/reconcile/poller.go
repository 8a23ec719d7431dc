package reconcile

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// Defaults of the Poller's knobs.
const (
	DefaultInterval = 15 * time.Minute
	// DefaultOverlap re-reads a little before the checkpoint: HubSpot's
	// search shows writes after "a short lag" (search-the-crm page) and the
	// two clocks may disagree. Re-read records cost a version lookup each.
	DefaultOverlap = 2 * time.Minute
	// DefaultSettle leaves the most recent changes to their webhooks, which
	// normally arrive within seconds; the next poll takes what they missed.
	DefaultSettle   = time.Minute
	DefaultPollSize = 500
)

// Poller recovers changes whose webhook or Outbound Message was lost for
// good (SPEC §3.11): every Interval it reads, on each side and for each
// mapped object, the records modified since the last checkpoint and feeds
// them to the store's Ingest, the pipeline webhooks go through.
type Poller struct {
	Store      Store
	HubSpot    HubSpot    // nil: HubSpot is not polled
	Salesforce Salesforce // nil: Salesforce is not polled
	Mapping    *mapping.Mapping
	// Interval between polls (default 15 min, HUBFORCE_RECONCILE_INTERVAL).
	Interval time.Duration
	// BudgetShare of Salesforce's daily allocation past which reading
	// pauses (default 0.75).
	BudgetShare float64
	Log         zerolog.Logger
	Now         func() time.Time

	// Optional knobs; zero takes the default.
	Overlap    time.Duration
	Settle     time.Duration
	BatchSize  int           // records per Ingest call
	Owner      string        // this replica's name in the lease; default host-pid-random
	ProbeEvery time.Duration // usage probe while paused
	OnPause    func(paused bool)
	// SalesforceTriggers feeds Salesforce records as triggers that delivery
	// reads back, as it does Outbound Messages.
	SalesforceTriggers bool

	once  sync.Once
	owner string
}

// Run polls until ctx ends; it returns nil then. A failed poll is logged
// and retried at the next interval: its checkpoints did not move.
func (p *Poller) Run(ctx context.Context) error {
	for {
		if err := p.PollOnce(ctx); err != nil && ctx.Err() == nil {
			p.Log.Error().Err(err).Msg("reconciliation poll failed; retrying at the next interval")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(p.interval()):
		}
	}
}

// PollOnce runs one poll of every side and object, if this replica holds
// the lease. Errors of one side or object do not stop the others.
func (p *Poller) PollOnce(ctx context.Context) error {
	if p.Store == nil || p.Mapping == nil {
		return errors.New("reconcile: Poller needs a Store and a Mapping")
	}
	iv := p.interval()
	ok, err := acquire(ctx, p.Store, p.ownerID(), p.now(), iv+iv/2)
	if err != nil {
		return err
	}
	if !ok {
		p.Log.Debug().Msg("another replica holds the reconciliation lease; not polling")
		return nil
	}
	var errs []error
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		if (side == hubforce.HubSpot && p.HubSpot == nil) || (side == hubforce.Salesforce && p.Salesforce == nil) {
			continue
		}
		for _, obj := range p.Mapping.Objects() {
			if err := p.pollObject(ctx, side, obj); err != nil {
				errs = append(errs, fmt.Errorf("poll %s %s: %w", side, obj, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (p *Poller) pollObject(ctx context.Context, side hubforce.Side, obj hubforce.Object) error {
	src, err := newSource(side, obj, p.HubSpot, p.Salesforce, p.Mapping, p.Store, hubforce.FromReconcile, p.SalesforceTriggers)
	if err != nil {
		return err
	}
	key := "reconcile/" + string(side) + "/" + string(obj)
	err = p.pollSource(ctx, side, obj, key, src)
	if d, ok := p.Salesforce.(SalesforceDeletions); ok && side == hubforce.Salesforce {
		// Outbound Messages do not fire on delete: the recycle bin is read
		// with its own checkpoint.
		err = errors.Join(err, p.pollSource(ctx, side, obj, key+"/deleted", deletionSource(obj, d, p.Store)))
	}
	return err
}

func (p *Poller) pollSource(ctx context.Context, side hubforce.Side, obj hubforce.Object, key string, src source) error {
	now := p.now()
	from, err := p.checkpoint(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		// First run: history is backfill's job. Anchor the window so that
		// an empty first poll does not let it slide.
		from = now.Add(-p.interval())
		err = p.Store.SetCheckpoint(ctx, key, from.UTC().Format(time.RFC3339Nano))
	}
	if err != nil {
		return err
	}
	since, until := from.Add(-p.overlap()), now.Add(-p.settle())
	if !until.After(since) {
		return nil
	}
	var read, fed int
	err = scan(ctx, src, p.budget(), since, until, p.batchSize(), func(ctx context.Context, b batch) error {
		if len(b.changes) > 0 {
			if _, err := p.Store.Ingest(ctx, b.changes); err != nil {
				return fmt.Errorf("ingest %d changes: %w", len(b.changes), err)
			}
		}
		read, fed = read+b.records, fed+len(b.changes)
		if b.newest.After(from) {
			if err := p.Store.SetCheckpoint(ctx, key, b.newest.UTC().Format(time.RFC3339Nano)); err != nil {
				return fmt.Errorf("advance checkpoint: %w", err)
			}
			from = b.newest
		}
		return nil
	})
	// A failed poll is a warning (Run says it failed once more, with every
	// side's error), never a success line; an empty one is routine.
	e := p.Log.Info()
	switch {
	case err != nil:
		e = p.Log.Warn().Err(err)
	case fed == 0:
		e = p.Log.Debug()
	}
	msg := "reconciliation poll"
	if err != nil {
		msg = "reconciliation poll failed; its checkpoint did not move past what was read"
	}
	e.Str("side", string(side)).Str("object", string(obj)).Int("records", read).Int("changes", fed).
		Time("checkpoint", from).Msg(msg)
	return err
}

func (p *Poller) checkpoint(ctx context.Context, key string) (time.Time, error) {
	v, err := p.Store.Checkpoint(ctx, key)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("checkpoint %s holds %q, not an RFC 3339 time: %w", key, v, err)
	}
	return t, nil
}

func (p *Poller) budget() budget {
	return newBudget(p.Salesforce, p.BudgetShare, p.ProbeEvery, p.OnPause, p.Log, p.now)
}

func (p *Poller) ownerID() string {
	p.once.Do(func() {
		p.owner = p.Owner
		if p.owner == "" {
			p.owner = defaultOwner()
		}
	})
	return p.owner
}

func defaultOwner() string {
	host, _ := os.Hostname()
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + rand.Text()[:8]
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Poller) interval() time.Duration { return orDefault(p.Interval, DefaultInterval) }
func (p *Poller) overlap() time.Duration  { return orDefault(p.Overlap, DefaultOverlap) }
func (p *Poller) settle() time.Duration   { return orDefault(p.Settle, DefaultSettle) }
func (p *Poller) batchSize() int {
	if p.BatchSize > 0 {
		return p.BatchSize
	}
	return DefaultPollSize
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
