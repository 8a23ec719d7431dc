package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// Config tunes the engine; zero values take the defaults in withDefaults.
type Config struct {
	// Owner names this replica in leases.
	Owner string
	// Linger is how long a partial batch waits for company.
	Linger time.Duration
	// BatchMax is the most records a round claims (Salesforce's
	// collection limit, two HubSpot batches), each with all its changes
	// up to ChangesPerRecord on average: a HubSpot creation arrives as a
	// creation event and one property change per property, and a claim
	// counted in changes would send its records in part-empty batches.
	BatchMax int
	// ChangesPerRecord bounds a round's changes at BatchMax times this.
	ChangesPerRecord int
	// Workers is how many rounds run at once in each direction: while one
	// waits for an API, another reads or writes the store.
	Workers int
	// Lease is how long a claim holds its records; it is renewed while the
	// round runs, so it bounds how long a crashed process's records wait.
	Lease time.Duration
	// RetryCeiling: a change failing this long after it was received is
	// dead-lettered.
	RetryCeiling time.Duration
	// MaxDelay caps one reschedule's wait.
	MaxDelay time.Duration
	// Probe is how often, while a side's changes wait for it to recover,
	// one of them is tried early to learn whether it has.
	Probe time.Duration
	// BudgetShare of a side's daily limit past which live deliveries to it
	// slow down; they pause at BudgetPause.
	BudgetShare, BudgetPause float64
	// BudgetProbe is how often the usage is refreshed while deliveries are
	// paused for it.
	BudgetProbe time.Duration
	// DryRun reads and reports but writes nothing (serve --dry-run).
	DryRun bool
}

func (c Config) withDefaults() Config {
	if c.Owner == "" {
		c.Owner = "hubforce"
	}
	if c.Linger <= 0 {
		c.Linger = 200 * time.Millisecond
	}
	if c.BatchMax <= 0 {
		c.BatchMax = 200
	}
	if c.ChangesPerRecord <= 0 {
		c.ChangesPerRecord = 10
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Lease <= 0 {
		c.Lease = 10 * time.Second
	}
	if c.RetryCeiling <= 0 {
		c.RetryCeiling = 24 * time.Hour
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = time.Hour
	}
	if c.Probe <= 0 {
		c.Probe = 5 * time.Second
	}
	if c.BudgetShare <= 0 {
		c.BudgetShare = 0.75
	}
	if c.BudgetPause <= 0 {
		c.BudgetPause = c.BudgetShare + (1-c.BudgetShare)/2
	}
	if c.BudgetProbe <= 0 {
		c.BudgetProbe = 30 * time.Second
	}
	return c
}

// Engine delivers pending changes in both directions.
type Engine struct {
	Store      Store
	HubSpot    Adapter
	Salesforce Adapter
	Mapping    *mapping.Mapping
	Alerts     Alerter
	Observe    Observer
	Log        zerolog.Logger
	Now        Clock
	Config     Config

	once   sync.Once
	health *health
	sides  map[hubforce.Side]*direction
}

// direction is the state of deliveries going to one side.
type direction struct {
	to   hubforce.Side
	wake chan struct{}
	done chan struct{} // a round finished: a worker is free

	mu        sync.Mutex
	inFlight  int64 // changes held by this process's rounds
	paused    error
	overShare bool
	probedAt  time.Time // budget usage last refreshed while paused
	triedAt   time.Time // a waiting change last brought forward to probe the side
}

func (e *Engine) init() {
	e.once.Do(func() {
		e.Config = e.Config.withDefaults()
		if e.Now == nil {
			e.Now = time.Now
		}
		e.health = newHealth(e.Log, e.Now())
		e.sides = map[hubforce.Side]*direction{}
		for _, s := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
			e.sides[s] = &direction{to: s, wake: make(chan struct{}, 1), done: make(chan struct{}, e.Config.Workers)}
		}
	})
}

func (e *Engine) adapter(s hubforce.Side) Adapter {
	if s == hubforce.HubSpot {
		return e.HubSpot
	}
	return e.Salesforce
}

// Run delivers until ctx ends, then waits for the rounds in flight. Each
// direction has its own scheduler, so that a paused side does not hold the
// other back.
func (e *Engine) Run(ctx context.Context) error {
	e.init()
	var wg sync.WaitGroup
	for _, d := range e.sides {
		wg.Go(func() { e.schedule(ctx, d) })
	}
	wg.Wait()
	return nil
}

// Wake tells the engine that changes going to side `to` were committed, so
// that it need not wait for its next look at the queue.
func (e *Engine) Wake(to hubforce.Side) {
	e.init()
	select {
	case e.sides[to].wake <- struct{}{}:
	default:
	}
}

// Ready is nil when both directions deliver, or says which is paused and why.
func (e *Engine) Ready(context.Context) error {
	e.init()
	var errs []error
	for _, to := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		d := e.sides[to]
		d.mu.Lock()
		if d.paused != nil {
			errs = append(errs, fmt.Errorf("deliveries to %s paused: %w", to, d.paused))
		}
		d.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Health says how deliveries to each side are going (flowing, failing or
// paused, why and since when), HubSpot first.
func (e *Engine) Health() []hubforce.Health {
	e.init()
	return e.health.snapshot(e.Now())
}

// DryRun says whether the engine writes nothing (serve --dry-run).
func (e *Engine) DryRun() bool { return e.Config.DryRun }

// schedule starts rounds for one direction, up to Workers at once. A batch
// leaves when it is full or its oldest change has waited the linger.
func (e *Engine) schedule(ctx context.Context, d *direction) {
	log := e.Log.With().Str("to", string(d.to)).Logger()
	var rounds sync.WaitGroup
	defer rounds.Wait()
	busy := 0
	var lastErr string
	for ctx.Err() == nil {
		wait, err := e.dispatch(ctx, d, &busy, &rounds)
		if err != nil && ctx.Err() == nil {
			// Logged once per change of error, not once per look.
			if err.Error() != lastErr {
				log.Error().Err(err).Msg("delivery scheduling failed; retrying")
				lastErr = err.Error()
			}
			wait = max(wait, time.Second)
		} else if err == nil {
			lastErr = ""
		}
		e.health.snapshot(e.Now()) // says a run of failures turning into an outage
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-d.wake:
		case <-d.done:
			busy--
		}
		t.Stop()
		// Every finished round frees its worker, whichever case woke us.
		for drained := false; !drained; {
			select {
			case <-d.done:
				busy--
			default:
				drained = true
			}
		}
	}
}

// dispatch starts as many rounds as there are free workers and due work,
// and says how long to wait before looking again.
func (e *Engine) dispatch(ctx context.Context, d *direction, busy *int, rounds *sync.WaitGroup) (time.Duration, error) {
	idle := min(e.Config.Linger*5, time.Second)
	if e.hold(ctx, d) != nil {
		return 5 * time.Second, nil
	}
	if *busy >= e.Config.Workers {
		// Nothing could start: the queue is not counted (a scan of it,
		// which a backlog makes slow) until a round finishes.
		return e.linger(d), nil
	}
	q, err := e.Store.QueueStats(ctx, d.to)
	if err != nil {
		return 0, fmt.Errorf("queue stats: %w", err)
	}
	if e.Observe != nil {
		e.Observe.QueueDepth(d.to, q.Pending)
	}
	if q.Pending == 0 {
		return idle, nil
	}
	if q.Due == 0 {
		e.probe(ctx, d)
		return idle, nil
	}
	linger := e.linger(d)
	// Changes held by this process's rounds are due but not for taking.
	d.mu.Lock()
	due := q.Due - d.inFlight
	d.mu.Unlock()
	if due <= 0 {
		return linger, nil // a finished round wakes us
	}
	if age := e.Now().Sub(q.OldestDue); due < int64(e.Config.BatchMax) && !q.OldestDue.IsZero() && age < linger {
		return linger - age, nil
	}
	// The first batch leaves because it is full or has lingered; the next
	// ones only when full, or they would leave half-empty while the first
	// is on its way.
	for first := true; *busy < e.Config.Workers && (first || due >= int64(e.Config.BatchMax)); first = false {
		items, err := e.claim(ctx, d.to)
		if err != nil {
			return 0, fmt.Errorf("claim: %w", err)
		}
		if len(items) == 0 {
			return linger, nil // what is due is held by rounds in flight
		}
		due -= int64(len(items))
		d.mu.Lock()
		d.inFlight += int64(len(items))
		d.mu.Unlock()
		*busy++
		rounds.Go(func() {
			defer func() {
				d.mu.Lock()
				d.inFlight -= int64(len(items))
				d.mu.Unlock()
				d.done <- struct{}{}
			}()
			e.round(ctx, d.to, items)
		})
	}
	return linger, nil // a finished round wakes us sooner
}

// claim leases the next round's records going to side `to`.
func (e *Engine) claim(ctx context.Context, to hubforce.Side) ([]store.Claimed, error) {
	return e.Store.ClaimRecords(ctx, to, e.Config.Owner, e.Config.BatchMax, e.Config.BatchMax*e.Config.ChangesPerRecord, e.Config.Lease)
}

// probe brings one change waiting for the side forward, now and then, so
// that one attempt tells whether the side is back (after an outage, or
// after a restart that found changes rescheduled by the process before).
func (e *Engine) probe(ctx context.Context, d *direction) {
	now := e.Now()
	d.mu.Lock()
	due := now.Sub(d.triedAt) >= e.Config.Probe && now.Sub(e.health.lastSuccess(d.to)) >= e.Config.Probe
	if due {
		d.triedAt = now
	}
	d.mu.Unlock()
	if !due {
		return
	}
	if _, err := e.Store.ProbeSide(ctx, d.to); err != nil && ctx.Err() == nil {
		e.Log.Warn().Err(err).Str("to", string(d.to)).Msg("bringing a waiting change forward to probe the side")
	}
}

// recovered brings forward every change waiting for the side, once a write
// to it has succeeded after failures or a pause.
func (e *Engine) recovered(ctx context.Context, to hubforce.Side) {
	n, err := e.Store.Expedite(ctx, to)
	switch {
	case err != nil:
		e.Log.Warn().Err(err).Str("to", string(to)).Msg("bringing waiting changes forward after recovery; they go at their next attempt")
	case n > 0:
		e.Log.Info().Str("to", string(to)).Int64("changes", n).Msgf("%s is back: %d waiting changes go out now", to.Title(), n)
	}
}

// linger grows when the side's daily budget is past its share, so that
// batches fill and fewer calls are spent.
func (e *Engine) linger(d *direction) time.Duration {
	if e.budgetUsed(d.to) >= e.Config.BudgetShare {
		return e.Config.Linger * 10
	}
	return e.Config.Linger
}

func (e *Engine) budgetUsed(to hubforce.Side) float64 {
	used, limit := e.adapter(to).Usage()
	if limit <= 0 {
		return 0
	}
	return float64(used) / float64(limit)
}

// hold keeps a direction paused while its API is not usable (refused
// credentials, spent budget) and resumes it once it is; work waits in the
// store meanwhile.
func (e *Engine) hold(ctx context.Context, d *direction) error {
	err := e.adapter(d.to).Hold(ctx)
	if err == nil {
		err = e.checkBudget(ctx, d)
	}
	e.setPaused(ctx, d, err)
	return err
}

// checkBudget says whether the side's daily budget holds deliveries back,
// alerting when usage crosses the configured share and when it recovers.
// Paused deliveries make no calls, so the usage is refreshed by a probe.
func (e *Engine) checkBudget(ctx context.Context, d *direction) error {
	a := e.adapter(d.to)
	used := e.budgetUsed(d.to)
	d.mu.Lock()
	refresh := used >= e.Config.BudgetPause && e.Now().Sub(d.probedAt) >= e.Config.BudgetProbe
	if refresh {
		d.probedAt = e.Now()
	}
	d.mu.Unlock()
	if refresh {
		if err := a.RefreshUsage(ctx); err != nil {
			e.Log.Warn().Err(err).Str("to", string(d.to)).Msg("refreshing the API usage; still paused")
		} else {
			used = e.budgetUsed(d.to)
		}
	}
	d.mu.Lock()
	was := d.overShare
	d.overShare = used >= e.Config.BudgetShare
	d.mu.Unlock()
	switch over := used >= e.Config.BudgetShare; {
	case over && !was:
		e.Log.Warn().Float64("used", used).Str("to", string(d.to)).Msgf("%s daily API usage past the budget share: deliveries slow down", d.to.Title())
		if e.Alerts != nil {
			e.Alerts.Raise("budget", string(d.to), fmt.Sprintf("%s daily API usage is at %.0f%%, past the %.0f%% budget share: backfills pause, deliveries slow down and pause at %.0f%%.",
				d.to.Title(), used*100, e.Config.BudgetShare*100, e.Config.BudgetPause*100))
		}
	case !over && was:
		if e.Alerts != nil {
			e.Alerts.Resolve("budget", string(d.to), fmt.Sprintf("%s daily API usage is back under %.0f%%.", d.to.Title(), e.Config.BudgetShare*100))
		}
	}
	if used >= e.Config.BudgetPause {
		return &hubforce.APIError{Side: d.to, Class: hubforce.Budget,
			Message: fmt.Sprintf("daily API usage at %.0f%%, past %.0f%% of the limit", used*100, e.Config.BudgetPause*100)}
	}
	return nil
}

// setPaused records whether deliveries to the side are held back, says
// each change once, and brings the waiting changes forward on resuming.
func (e *Engine) setPaused(ctx context.Context, d *direction, err error) {
	d.mu.Lock()
	was := d.paused
	d.paused = err
	d.mu.Unlock()
	e.health.paused(d.to, err, e.Now())
	switch {
	case err != nil && was == nil:
		e.Log.Warn().Err(err).Str("to", string(d.to)).Msgf("deliveries to %s paused; changes wait in the store", d.to.Title())
		if e.Alerts != nil {
			e.Alerts.Raise("paused", string(d.to), fmt.Sprintf("Deliveries to %s are paused: %v. Nothing is lost; they resume by themselves once this is fixed.", d.to.Title(), err))
		}
	case err == nil && was != nil:
		e.Log.Info().Str("to", string(d.to)).Msgf("deliveries to %s resumed", d.to.Title())
		if e.Alerts != nil {
			e.Alerts.Resolve("paused", string(d.to), fmt.Sprintf("Deliveries to %s resumed.", d.to.Title()))
		}
		e.recovered(ctx, d.to)
	}
}

// pause is a write's report that the side refused the credentials or the
// budget: the direction pauses until hold says otherwise.
func (e *Engine) pause(ctx context.Context, to hubforce.Side, err error) {
	e.setPaused(ctx, e.sides[to], err)
}

// backoff grows with the attempts, with full jitter, honouring what the API
// asked for.
func (e *Engine) backoff(attempts int, asked time.Duration) time.Duration {
	d := time.Second << min(attempts, 20)
	if d <= 0 || d > e.Config.MaxDelay {
		d = e.Config.MaxDelay
	}
	d = d/2 + rand.N(d/2+1)
	return max(d, asked)
}

// holdLease extends the claim while a round runs (retries, a large batch),
// so that no other replica takes these records mid-write while the lease
// stays short enough for a crashed process's records to come back soon.
func (e *Engine) holdLease(ctx context.Context, items []store.Claimed) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(e.Config.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := e.Store.Extend(ctx, items, e.Config.Lease); err != nil && ctx.Err() == nil {
					e.Log.Warn().Err(err).Msg("extending the claim")
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
