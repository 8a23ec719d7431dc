package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/logging"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/rs/zerolog"
)

// settlement collects what a round decided until it is committed in one
// store call: after the triage, after each write call, at the end. What the
// operator hears of (counts, the story lines, alerts) is said once the
// store holds it.
type settlement struct {
	e   *Engine
	ctx context.Context // the round's
	to  hubforce.Side
	add store.Settlement

	counts    map[string]int
	lags      []time.Duration
	lines     []func()
	alerts    []func()
	recovered bool            // a write went through after failures: bring the waiting changes forward
	waits     map[waitKey]int // waitFor's groups in add.Retry
}

// finish completes changes that need no write, recording why.
func (s *settlement) finish(items []store.Claimed, d hubforce.Decision, detail string) {
	s.finishAs(items, d, detail, string(d))
}

// finishAs is finish counted under its own outcome (refused, dry_run).
func (s *settlement) finishAs(items []store.Claimed, d hubforce.Decision, detail, outcome string) {
	s.done(items, d, detail, nil, outcome)
}

func (s *settlement) done(items []store.Claimed, d hubforce.Decision, detail string, fields map[string]string, outcome string) {
	if len(items) == 0 {
		return
	}
	s.add.Complete = append(s.add.Complete, items...)
	s.history(items, d, detail, fields)
	s.count(outcome, len(items))
}

// note records a decision in the history of a change that stays claimed
// (a conflict on one of its fields).
func (s *settlement) note(it store.Claimed, d hubforce.Decision, detail string) {
	s.history([]store.Claimed{it}, d, detail, nil)
}

func (s *settlement) history(items []store.Claimed, d hubforce.Decision, detail string, fields map[string]string) {
	now := s.e.Now()
	for _, it := range items {
		c := it.Change
		s.add.History = append(s.add.History, store.HistoryEntry{DeliveryID: c.DeliveryID, Side: c.Side, Object: c.Object,
			RecordID: c.RecordID, Kind: c.Kind, Version: c.Version, Decision: d, Detail: detail, Fields: fields, At: now})
	}
}

func (s *settlement) count(outcome string, n int) {
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[outcome] += n
}

// waitFor reschedules changes that wait for something of their own record
// (a company to be linked, a link just repaired), shortly and without
// counting against the side's health.
func (s *settlement) waitFor(items []store.Claimed, reason string) {
	if len(items) == 0 {
		return
	}
	delay := min(time.Second<<min(items[0].Attempts, 6), s.e.Config.MaxDelay)
	s.count("waiting", len(items))
	// Records waiting alike join one group: one statement in the store,
	// not one per record.
	k := waitKey{reason, delay}
	if i, ok := s.waits[k]; ok {
		s.add.Retry[i].Items = append(s.add.Retry[i].Items, items...)
		return
	}
	if s.waits == nil {
		s.waits = map[waitKey]int{}
	}
	s.waits[k] = len(s.add.Retry)
	s.add.Retry = append(s.add.Retry, store.Retry{Items: items, At: s.e.Now().Add(delay), Reason: reason})
}

// waitKey names the changes waitFor reschedules alike.
type waitKey struct {
	reason string
	delay  time.Duration
}

// fail settles changes whose write (or a read before it) failed, by the
// error's class: paused for refused credentials or budget, retried with a
// growing delay up to the ceiling, dead-lettered otherwise. onSide says the
// whole call failed, not this record: the side is failing, and the changes
// go out as soon as it recovers.
func (s *settlement) fail(items []store.Claimed, err error, onSide bool) {
	if len(items) == 0 {
		return
	}
	var ae *hubforce.APIError
	if !errors.As(err, &ae) {
		ae = &hubforce.APIError{Side: s.to, Class: hubforce.Retryable, Message: err.Error(), Err: err}
	}
	now := s.e.Now()
	switch ae.Class {
	case hubforce.Auth, hubforce.Budget:
		// Paused, not failing: no ceiling applies, nothing is dropped.
		s.e.pause(s.ctx, s.to, ae)
		s.add.Retry = append(s.add.Retry, store.Retry{Items: items, At: now.Add(30 * time.Second), Reason: ae.Error(), OnSide: true})
		s.count("paused", len(items))
	case hubforce.Retryable, hubforce.NotFound:
		if now.Sub(items[0].EnqueuedAt) >= s.e.Config.RetryCeiling {
			s.dead(items, store.Failure{Category: "retries_exhausted", Code: ae.Code, Message: ae.Error()})
			return
		}
		if onSide {
			s.e.health.failed(s.to, len(items), ae.Error(), now)
		}
		at := now.Add(s.e.backoff(items[0].Attempts, ae.RetryAfter))
		s.add.Retry = append(s.add.Retry, store.Retry{Items: items, At: at, Reason: ae.Error(), OnSide: onSide})
		s.count("retried", len(items))
	default:
		s.dead(items, store.Failure{Category: string(ae.Class), Code: ae.Code, Message: ae.Message})
	}
}

func (s *settlement) dead(items []store.Claimed, f store.Failure) {
	s.add.Dead = append(s.add.Dead, store.Dead{Items: items, Failure: f})
	s.count("dead_lettered", len(items))
	c := items[0].Change
	s.alerts = append(s.alerts, func() {
		s.e.Log.Warn().Str("to", string(s.to)).Str("object", string(c.Object)).Str("record", c.RecordID).
			Str("category", f.Category).Str("code", f.Code).Str("api_message", f.Message).
			Msgf("%s %s %s → %s: dead-lettered (%s %s): %s", c.Side.Title(), objectName(c.Side, c.Object), c.RecordID,
				s.to.Title(), f.Category, f.Code, f.Message)
		if s.e.Alerts != nil {
			s.e.Alerts.Raise("dead_letter", f.Category, fmt.Sprintf("New dead letters (%s): %s %s — %s", f.Category, f.Code, s.to, f.Message))
		}
	})
}

// applied settles a record written to the target.
func (s *settlement) applied(r *record, from hubforce.Side, wr hubforce.WriteResult, targetID, verb string) {
	written := textValues(r.write)
	if verb == "created" {
		// A new record holds nothing but what was written: its other
		// fields read back blank, and that is no news either.
		for _, f := range s.e.Mapping.Names(r.obj, s.to) {
			if _, ok := written[f]; !ok {
				written[f] = ""
			}
		}
		if _, ok := written[CompanyField]; !ok && r.obj == hubforce.Contact {
			written[CompanyField] = ""
		}
	}
	now := s.e.Now()
	s.add.Written = append(s.add.Written, store.Written{Side: s.to, Object: r.obj, ID: targetID, Fields: written})
	if r.waitCompany {
		// Still news next time: the company waits to be written.
		delete(r.seen, CompanyField)
	}
	if len(r.seen) > 0 {
		s.add.Seen = append(s.add.Seen, store.Seen{Side: from, Object: r.obj, ID: r.id, Version: r.version, Fields: r.seen})
	}
	items := r.items
	if r.waitCompany {
		s.waitFor(take(r, carriesCompany), "waiting for the company to be linked")
		items = r.items
	}
	detail := fmt.Sprintf("%s → %s %s %s", wr.Call, verb, objectName(s.to, r.obj), targetID)
	s.done(items, hubforce.Applied, detail, written, "applied")
	if s.e.health.succeeded(s.to, now) || slices.ContainsFunc(r.items, func(it store.Claimed) bool { return it.Attempts > 0 }) {
		s.recovered = true
	}
	if len(items) == 0 {
		return
	}
	first := items[0].EnqueuedAt
	for _, it := range items {
		s.lags = append(s.lags, now.Sub(it.EnqueuedAt))
		if it.EnqueuedAt.Before(first) {
			first = it.EnqueuedAt
		}
	}
	names := make([]string, len(r.changed))
	for i, f := range r.changed {
		if f == CompanyField {
			f = "company"
		}
		names[i] = f
	}
	took := now.Sub(first)
	s.lines = append(s.lines, func() {
		// The details go under one key the console leaves out: its message
		// already says all of it, and JSON pipelines still get them as fields.
		s.e.Log.Info().Dict(logging.StoryKey, zerolog.Dict().Str("from", string(from)).Str("object", string(r.obj)).
			Str("record", r.id).Str("target", targetID).Str("result", verb).Strs("fields", names).
			Int64("latency_ms", took.Milliseconds())).
			Msgf("%s %s %s → %s %s %s %s (%s) in %s", from.Title(), objectName(from, r.obj), r.id,
				s.to.Title(), objectName(s.to, r.obj), targetID, verb, strings.Join(names, ", "), logging.Duration(took))
	})
}

// carriesCompany says whether a change is what asked for the primary
// company: an association, or (read back, or carried) a snapshot.
func carriesCompany(c hubforce.Change) bool {
	return c.Kind == hubforce.KindAssociation || c.Kind == hubforce.KindUpdate
}

// objectName is how side s names the object to its users.
func objectName(s hubforce.Side, obj hubforce.Object) string {
	if s == hubforce.Salesforce {
		return obj.SalesforceName()
	}
	return string(obj)
}

// settleWithin bounds a settlement once the round's context has ended.
const settleWithin = 10 * time.Second

// flushNow commits what was collected and says whether it could. It does
// so even when the round's context has ended (the process is stopping):
// what the round wrote has happened, and a write the store never hears of
// leaves its record unlinked and its values unremembered, so that the echo
// of it is taken for news and written back over what came since (SPEC
// §3.3).
func (s *settlement) flushNow(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleWithin)
	defer cancel()
	if s.pending() {
		var err error
		for attempt := range 3 {
			if err = s.e.Store.Settle(ctx, s.add); err == nil || errors.Is(err, store.ErrLeaseLost) || ctx.Err() != nil {
				break
			}
			t := time.NewTimer(time.Duration(100<<(2*attempt)) * time.Millisecond)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		switch {
		case errors.Is(err, store.ErrLeaseLost):
			// Another claimer holds those records now and delivers them.
			s.e.Log.Warn().Err(err).Str("to", string(s.to)).Msg("settling a round: some records were taken over by another claimer")
		case err != nil:
			s.e.Log.Error().Err(err).Str("to", string(s.to)).Strs("records", s.records()).
				Msg("settling a round failed; its changes stay claimed and are delivered again once the lease expires")
			s.reset()
			return err
		}
	}
	s.say(ctx)
	s.reset()
	return nil
}

// flush is flushNow for the end of a stage, where a failure has been said.
func (s *settlement) flush(ctx context.Context) {
	if err := s.flushNow(ctx); err != nil {
		return // logged with its records; the lease brings them back
	}
}

func (s *settlement) pending() bool {
	a := s.add
	return len(a.Complete)+len(a.Retry)+len(a.Dead)+len(a.History)+len(a.Unlinks)+len(a.Links)+len(a.Written)+len(a.Seen) > 0
}

// say tells the operator what the committed settlement did.
func (s *settlement) say(ctx context.Context) {
	if s.e.Observe != nil {
		for outcome, n := range s.counts {
			s.e.Observe.Delivered(s.to, outcome, n)
		}
		for _, d := range s.lags {
			s.e.Observe.Lag(s.to, d)
		}
	}
	for _, f := range s.lines {
		f()
	}
	for _, f := range s.alerts {
		f()
	}
	if s.recovered {
		s.e.recovered(ctx, s.to)
	}
}

func (s *settlement) reset() {
	s.add, s.waits = store.Settlement{}, nil
	s.counts, s.lags, s.lines, s.alerts, s.recovered = nil, nil, nil, nil, false
}

// records names the records of the collected changes, for a log line.
func (s *settlement) records() []string {
	var out []string
	add := func(items []store.Claimed) {
		for _, it := range items {
			out = append(out, string(it.Change.Object)+"/"+it.Change.RecordID)
		}
	}
	add(s.add.Complete)
	for _, r := range s.add.Retry {
		add(r.Items)
	}
	for _, d := range s.add.Dead {
		add(d.Items)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
