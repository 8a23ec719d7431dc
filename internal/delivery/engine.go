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

// Store is the part of the store delivery uses.
type Store interface {
	Claim(ctx context.Context, to hubforce.Side, owner string, max int, lease time.Duration) ([]store.Claimed, error)
	Complete(ctx context.Context, items []store.Claimed) error
	Reschedule(ctx context.Context, items []store.Claimed, at time.Time, reason string) error
	DeadLetter(ctx context.Context, items []store.Claimed, f store.Failure) error
	Extend(ctx context.Context, items []store.Claimed, lease time.Duration) error
	QueueStats(ctx context.Context, to hubforce.Side) (store.QueueStats, error)
	GetLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) (hubforce.Link, error)
	PutLink(ctx context.Context, l hubforce.Link) error
	DeleteLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) error
	Versions(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]time.Time, error)
	RecordHistory(ctx context.Context, entries []store.HistoryEntry) error
	LastWritten(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]string, error)
	SetWritten(ctx context.Context, side hubforce.Side, object hubforce.Object, id string, fields map[string]string) error
}

// Alerter is told about conditions an operator must hear of, and of their
// recovery. key groups repeats (a category, a side).
type Alerter interface {
	Raise(kind, key, message string)
	Resolve(kind, key, message string)
}

// Observer receives the engine's counts (internal/metrics implements it).
type Observer interface {
	Delivered(to hubforce.Side, outcome string, n int)
	Conflict(object hubforce.Object, field string)
	Lag(to hubforce.Side, d time.Duration)
	QueueDepth(to hubforce.Side, n int64)
}

// Config tunes the engine; zero values take the defaults in withDefaults.
type Config struct {
	// Owner names this replica in leases.
	Owner string
	// Linger is how long a partial batch waits for company.
	Linger time.Duration
	// BatchMax is the most records claimed at once (Salesforce's
	// collection limit).
	BatchMax int
	// Lease is how long a claim holds its records.
	Lease time.Duration
	// RetryCeiling: a change failing this long after it was received is
	// dead-lettered.
	RetryCeiling time.Duration
	// MaxDelay caps one reschedule's wait.
	MaxDelay time.Duration
	// HubSpotAppID recognises HubSpot events caused by the bridge itself.
	HubSpotAppID int64
	// PropagateDeletes archives/deletes on the other side; off by default
	// (a deletion is recorded and counted, not mirrored).
	PropagateDeletes bool
	// BudgetShare of Salesforce's daily limit past which live deliveries
	// to Salesforce slow down; they pause at BudgetPause.
	BudgetShare, BudgetPause float64
	// BudgetProbe is how often the Salesforce usage is refreshed while
	// deliveries to Salesforce are paused for it.
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
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.RetryCeiling <= 0 {
		c.RetryCeiling = 24 * time.Hour
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = time.Hour
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
	HubSpot    HubSpotAPI
	Salesforce SalesforceAPI
	Mapping    *mapping.Mapping
	Alerts     Alerter
	Observe    Observer
	Log        zerolog.Logger
	Now        Clock
	Config     Config

	mu     sync.Mutex
	health *health
	paused map[hubforce.Side]error
	wake   map[hubforce.Side]chan struct{}
	user   integrationUser

	// Salesforce budget state, touched only by the Salesforce loop.
	overShare bool
	probedAt  time.Time
}

// Run delivers until ctx ends; each direction has its own loop so that a
// paused side does not hold the other back.
func (e *Engine) Run(ctx context.Context) error {
	e.init()
	var wg sync.WaitGroup
	for _, to := range []hubforce.Side{hubforce.Salesforce, hubforce.HubSpot} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.loop(ctx, to)
		}()
	}
	wg.Wait()
	return nil
}

func (e *Engine) init() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.paused == nil {
		e.paused = map[hubforce.Side]error{}
		e.wake = map[hubforce.Side]chan struct{}{hubforce.HubSpot: make(chan struct{}, 1), hubforce.Salesforce: make(chan struct{}, 1)}
		e.Config = e.Config.withDefaults()
		if e.Now == nil {
			e.Now = time.Now
		}
		e.health = newHealth(e.Log, e.Now())
	}
}

// Wake tells the engine that changes going to side `to` were committed, so
// that it need not wait for its next poll.
func (e *Engine) Wake(to hubforce.Side) {
	e.init()
	select {
	case e.wake[to] <- struct{}{}:
	default:
	}
}

// Ready is nil when both directions deliver, or says which is paused and why.
func (e *Engine) Ready(context.Context) error {
	e.init()
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, to := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		if err := e.paused[to]; err != nil {
			errs = append(errs, fmt.Errorf("deliveries to %s paused: %w", to, err))
		}
	}
	return errors.Join(errs...)
}

// Health says how deliveries to each side are going (flowing, failing or
// paused, why and since when), HubSpot first.
func (e *Engine) Health() []hubforce.Health {
	e.init()
	return e.health.snapshot(e.Now())
}

func (e *Engine) api(to hubforce.Side) interface{ Ready(context.Context) error } {
	if to == hubforce.HubSpot {
		return e.HubSpot
	}
	return e.Salesforce
}

// loop claims and delivers batches for one direction. A batch leaves when
// it is full or its oldest change has waited the linger.
func (e *Engine) loop(ctx context.Context, to hubforce.Side) {
	log := e.Log.With().Str("to", string(to)).Logger()
	var lastErr string
	for ctx.Err() == nil {
		wait, err := e.step(ctx, to)
		if err != nil && ctx.Err() == nil {
			// Logged once per change of error, not once per poll.
			if err.Error() != lastErr {
				log.Error().Err(err).Msg("delivery step failed; retrying")
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
		case <-e.wake[to]:
		}
		t.Stop()
	}
}

// step runs one claim-deliver round and says how long to wait before the
// next.
func (e *Engine) step(ctx context.Context, to hubforce.Side) (time.Duration, error) {
	if err := e.checkPause(ctx, to); err != nil {
		return 5 * time.Second, nil
	}
	q, err := e.Store.QueueStats(ctx, to)
	if err != nil {
		return 0, fmt.Errorf("queue stats: %w", err)
	}
	if e.Observe != nil {
		e.Observe.QueueDepth(to, q.Pending)
	}
	if q.Pending == 0 {
		return e.Config.Linger * 5, nil
	}
	linger := e.linger(to)
	if age := e.Now().Sub(q.Oldest); q.Pending < int64(e.Config.BatchMax) && age < linger {
		return linger - age, nil
	}
	items, err := e.Store.Claim(ctx, to, e.Config.Owner, e.Config.BatchMax, e.Config.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	if len(items) == 0 {
		return linger, nil // what is pending is not due yet
	}
	stop := e.holdLease(ctx, items)
	if to == hubforce.Salesforce {
		e.toSalesforce(ctx, items)
	} else {
		e.toHubSpot(ctx, items)
	}
	stop()
	if len(items) >= e.Config.BatchMax {
		return 0, nil
	}
	return linger, nil
}

// holdLease extends the claim while a slow round (retries, a large batch)
// runs, so that no other replica takes these records mid-write.
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
				if err := e.Store.Extend(ctx, items, e.Config.Lease); err != nil {
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

// linger grows when Salesforce's daily budget is past its share, so that
// batches fill and fewer calls are spent.
func (e *Engine) linger(to hubforce.Side) time.Duration {
	if to == hubforce.Salesforce && e.budgetUsed() >= e.Config.BudgetShare {
		return e.Config.Linger * 10
	}
	return e.Config.Linger
}

func (e *Engine) budgetUsed() float64 {
	used, limit := e.Salesforce.Usage()
	if limit <= 0 {
		return 0
	}
	return float64(used) / float64(limit)
}

// checkPause keeps a direction paused while its API is not usable (refused
// credentials, spent budget) and resumes it once it is; work waits in the
// store meanwhile.
func (e *Engine) checkPause(ctx context.Context, to hubforce.Side) error {
	err := e.api(to).Ready(ctx)
	if err == nil && to == hubforce.Salesforce {
		err = e.checkBudget(ctx)
	}
	e.setPaused(to, err)
	return err
}

// checkBudget says whether Salesforce's daily budget holds deliveries back,
// alerting when usage crosses the configured share and when it recovers.
// Paused deliveries make no calls, so the usage is refreshed by a probe.
func (e *Engine) checkBudget(ctx context.Context) error {
	used := e.budgetUsed()
	if used >= e.Config.BudgetPause && e.Now().Sub(e.probedAt) >= e.Config.BudgetProbe {
		e.probedAt = e.Now()
		if err := e.Salesforce.RefreshUsage(ctx); err == nil {
			used = e.budgetUsed()
		}
	}
	switch over := used >= e.Config.BudgetShare; {
	case over && !e.overShare:
		e.overShare = true
		e.Log.Warn().Float64("used", used).Msg("Salesforce daily API usage past the budget share: deliveries slow down")
		if e.Alerts != nil {
			e.Alerts.Raise("budget", string(hubforce.Salesforce), fmt.Sprintf("Salesforce daily API usage is at %.0f%%, past the %.0f%% budget share: backfills pause, deliveries slow down and pause at %.0f%%.",
				used*100, e.Config.BudgetShare*100, e.Config.BudgetPause*100))
		}
	case !over && e.overShare:
		e.overShare = false
		if e.Alerts != nil {
			e.Alerts.Resolve("budget", string(hubforce.Salesforce), fmt.Sprintf("Salesforce daily API usage is back under %.0f%%.", e.Config.BudgetShare*100))
		}
	}
	if used >= e.Config.BudgetPause {
		return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Budget,
			Message: fmt.Sprintf("daily API usage at %.0f%%, past %.0f%% of the limit", used*100, e.Config.BudgetPause*100)}
	}
	return nil
}

func (e *Engine) setPaused(to hubforce.Side, err error) {
	e.mu.Lock()
	was := e.paused[to]
	e.paused[to] = err
	e.mu.Unlock()
	e.health.paused(to, err, e.Now())
	kind := "paused"
	switch {
	case err != nil && was == nil:
		e.Log.Warn().Err(err).Str("to", string(to)).Msg("deliveries paused; changes wait in the store")
		if e.Alerts != nil {
			e.Alerts.Raise(kind, string(to), fmt.Sprintf("Deliveries to %s are paused: %v. Nothing is lost; they resume by themselves once this is fixed.", to, err))
		}
	case err == nil && was != nil:
		e.Log.Info().Str("to", string(to)).Msg("deliveries resumed")
		if e.Alerts != nil {
			e.Alerts.Resolve(kind, string(to), fmt.Sprintf("Deliveries to %s resumed.", to))
		}
	}
}

// settle records the outcome of one record's write for its changes.
func (e *Engine) settle(ctx context.Context, to hubforce.Side, items []store.Claimed, err error, detail string, written map[string]string) {
	if len(items) == 0 {
		return
	}
	log := e.Log.With().Str("to", string(to)).Str("object", string(items[0].Change.Object)).
		Str("record", items[0].Change.RecordID).Logger()
	if err == nil {
		e.health.succeeded(to, e.Now())
		e.history(ctx, items, hubforce.Applied, detail, written)
		if cerr := e.Store.Complete(ctx, items); cerr != nil {
			log.Error().Err(cerr).Msg("completing delivered changes")
		}
		e.count(to, "applied", items)
		return
	}
	var ae *hubforce.APIError
	if !errors.As(err, &ae) {
		ae = &hubforce.APIError{Side: to, Class: hubforce.Retryable, Message: err.Error()}
	}
	now := e.Now()
	switch ae.Class {
	case hubforce.Auth, hubforce.Budget:
		// Paused, not failing: no ceiling applies, nothing is dropped.
		e.setPaused(to, ae)
		e.reschedule(ctx, items, now.Add(30*time.Second), ae.Error(), log)
		e.count(to, "paused", items)
	case hubforce.Retryable, hubforce.NotFound:
		if now.Sub(items[0].EnqueuedAt) >= e.Config.RetryCeiling {
			e.deadLetter(ctx, to, items, store.Failure{Category: "retries_exhausted", Code: ae.Code, Message: ae.Error()}, log)
			return
		}
		if ae.Class == hubforce.Retryable {
			e.health.failed(to, len(items), ae.Error(), now)
		}
		at := now.Add(e.backoff(items[0].Attempts, ae.RetryAfter))
		e.reschedule(ctx, items, at, ae.Error(), log)
		e.count(to, "retried", items)
	default:
		e.deadLetter(ctx, to, items, store.Failure{Category: string(ae.Class), Code: ae.Code, Message: ae.Message}, log)
	}
}

func (e *Engine) reschedule(ctx context.Context, items []store.Claimed, at time.Time, reason string, log zerolog.Logger) {
	if err := e.Store.Reschedule(ctx, items, at, reason); err != nil {
		log.Error().Err(err).Msg("rescheduling changes")
	}
}

func (e *Engine) deadLetter(ctx context.Context, to hubforce.Side, items []store.Claimed, f store.Failure, log zerolog.Logger) {
	log.Warn().Str("category", f.Category).Str("code", f.Code).Str("message", f.Message).Msg("dead-lettered")
	if err := e.Store.DeadLetter(ctx, items, f); err != nil {
		log.Error().Err(err).Msg("dead-lettering changes")
		return
	}
	if e.Alerts != nil {
		e.Alerts.Raise("dead_letter", f.Category, fmt.Sprintf("New dead letters (%s): %s %s — %s", f.Category, f.Code, to, f.Message))
	}
	e.count(to, "dead_lettered", items)
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

// finish completes changes that need no write, recording why.
func (e *Engine) finish(ctx context.Context, to hubforce.Side, items []store.Claimed, d hubforce.Decision, detail string) {
	if len(items) == 0 {
		return
	}
	e.history(ctx, items, d, detail, nil)
	if err := e.Store.Complete(ctx, items); err != nil {
		e.Log.Error().Err(err).Msg("completing changes")
	}
	e.count(to, string(d), items)
}

func (e *Engine) history(ctx context.Context, items []store.Claimed, d hubforce.Decision, detail string, fields map[string]string) {
	entries := make([]store.HistoryEntry, len(items))
	for i, it := range items {
		c := it.Change
		entries[i] = store.HistoryEntry{DeliveryID: c.DeliveryID, Side: c.Side, Object: c.Object, RecordID: c.RecordID,
			Kind: c.Kind, Version: c.Version, Decision: d, Detail: detail, Fields: fields, At: e.Now()}
	}
	if err := e.Store.RecordHistory(ctx, entries); err != nil {
		e.Log.Error().Err(err).Msg("recording history")
	}
}

func (e *Engine) count(to hubforce.Side, outcome string, items []store.Claimed) {
	if e.Observe == nil {
		return
	}
	e.Observe.Delivered(to, outcome, len(items))
	if outcome == "applied" {
		now := e.Now()
		for _, it := range items {
			e.Observe.Lag(to, now.Sub(it.EnqueuedAt))
		}
	}
}
