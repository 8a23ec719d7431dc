package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// Status is sync health, as GET /api/v1/status returns it and the
// dashboard shows it.
type Status struct {
	GeneratedAt time.Time `json:"generated_at"`
	// DryRun is serve --dry-run: changes are taken and translated, and
	// nothing is written to either CRM.
	DryRun      bool            `json:"dry_run"`
	Store       StoreStatus     `json:"store"`
	Deliveries  Deliveries      `json:"deliveries"`
	DeadLetters DeadLetterCount `json:"dead_letters"`
	Components  []Component     `json:"components"`
}

// StoreStatus says whether the database answers.
type StoreStatus struct {
	Reachable bool    `json:"reachable"`
	Error     *string `json:"error"`
	// InboxDepth counts acknowledged deliveries not yet deduplicated into
	// the queues (normally a handful, for a few milliseconds).
	InboxDepth int64 `json:"inbox_depth"`
}

// Deliveries holds one Direction per target side.
type Deliveries struct {
	ToHubSpot    Direction `json:"to_hubspot"`
	ToSalesforce Direction `json:"to_salesforce"`
}

// Direction is the work going to one side.
type Direction struct {
	From       hubforce.Side `json:"from"`
	To         hubforce.Side `json:"to"`
	QueueDepth int64         `json:"queue_depth"`
	// OldestPendingAt is when the oldest waiting change was received;
	// OldestPendingAgeSeconds is the lag it has accumulated.
	OldestPendingAt         *time.Time `json:"oldest_pending_at"`
	OldestPendingAgeSeconds *float64   `json:"oldest_pending_age_seconds"`
	// State is the delivery engine's health for this direction: flowing,
	// failing (writes keep failing and are retried), paused (held on
	// purpose until something is fixed), or unknown (no engine runs here).
	State hubforce.DeliveryState `json:"state"`
	// Reason says why it is failing or paused, in the API's words.
	Reason *string `json:"reason"`
	// Since is when the current state began.
	Since *time.Time `json:"since"`
	// Failures counts failed write attempts since the state began.
	Failures int `json:"failures"`
	// LastSuccess is when a write in this direction last succeeded.
	LastSuccess *time.Time `json:"last_success"`
	// Paused is why deliveries to this side are held, or null (the Reason
	// of a paused State).
	Paused *string `json:"paused"`
	// Budget is the target side's API budget, or null while unknown.
	Budget *Budget `json:"budget"`
	// Error is set when the queue could not be read.
	Error *string `json:"error,omitempty"`
}

// Budget is an API allowance: Salesforce's daily request limit
// (Sforce-Limit-Info) or HubSpot's rolling rate-limit window.
type Budget struct {
	Window    string `json:"window"` // "24h" (Salesforce) or the HubSpot window, e.g. "10s"
	Used      int    `json:"used"`
	Limit     int    `json:"limit"`
	Remaining int    `json:"remaining"`
}

// Share is the used fraction, 0..1.
func (b Budget) Share() float64 {
	if b.Limit <= 0 {
		return 0
	}
	return min(1, max(0, float64(b.Used)/float64(b.Limit)))
}

// DeadLetterCount groups the dead letters waiting now. Truncated is kept
// for scripts written against earlier versions, which counted up to a cap;
// the counts are exact and it is always false.
type DeadLetterCount struct {
	Total      int            `json:"total"`
	ByCategory map[string]int `json:"by_category"`
	Truncated  bool           `json:"truncated"`
	Error      *string        `json:"error,omitempty"`
}

// Categories returns the categories, largest first.
func (d DeadLetterCount) Categories() []CategoryCount {
	out := make([]CategoryCount, 0, len(d.ByCategory))
	for c, n := range d.ByCategory {
		out = append(out, CategoryCount{Category: c, Count: n})
	}
	slices.SortFunc(out, func(a, b CategoryCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Category, b.Category)
	})
	return out
}

// CategoryCount is one row of DeadLetterCount.
type CategoryCount struct {
	Category string
	Count    int
}

// Component is one readiness check.
type Component struct {
	Name   string  `json:"name"`
	Ready  bool    `json:"ready"`
	Reason *string `json:"reason"`
}

func strPtr(s string) *string { return &s }

// status reads everything; a part that fails is reported in place, so that
// the page still renders when, say, the store is down.
func (a *API) status(ctx context.Context) Status {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	now := a.cfg.Now()
	st := Status{GeneratedAt: now.UTC(), DryRun: a.cfg.DryRun, Store: StoreStatus{Reachable: true}, Components: []Component{}}
	if err := a.cfg.Store.Ping(ctx); err != nil {
		st.Store = StoreStatus{Error: strPtr(err.Error())}
	} else if n, err := a.cfg.Store.InboxDepth(ctx); err == nil {
		st.Store.InboxDepth = n
	}
	health := a.healthBySide()
	st.Deliveries.ToHubSpot = a.direction(ctx, hubforce.HubSpot, now, health)
	st.Deliveries.ToSalesforce = a.direction(ctx, hubforce.Salesforce, now, health)
	st.DeadLetters = a.countDeadLetters(ctx)
	for _, c := range a.cfg.Checks {
		comp := Component{Name: c.Name, Ready: true}
		if err := c.Fn(ctx); err != nil {
			comp.Ready, comp.Reason = false, strPtr(err.Error())
		}
		st.Components = append(st.Components, comp)
	}
	return st
}

func (a *API) direction(ctx context.Context, to hubforce.Side, now time.Time, health map[hubforce.Side]hubforce.Health) Direction {
	d := Direction{From: to.Other(), To: to, Budget: a.budget(to), State: StateUnknown}
	if h, ok := health[to]; ok {
		d.State, d.Failures = h.State, h.Failures
		d.Since, d.LastSuccess = optTime(h.Since), optTime(h.LastSuccess)
		if h.Reason != "" {
			d.Reason = strPtr(h.Reason)
		}
		if h.State == hubforce.Paused {
			d.Paused = strPtr(h.Reason)
		}
	}
	q, err := a.cfg.Store.QueueStats(ctx, to)
	if err != nil {
		d.Error = strPtr(fmt.Sprintf("queue: %v", err))
		return d
	}
	d.QueueDepth = q.Pending
	if q.Pending > 0 && !q.Oldest.IsZero() {
		at := q.Oldest.UTC()
		age := max(0, now.Sub(q.Oldest).Seconds())
		d.OldestPendingAt, d.OldestPendingAgeSeconds = &at, &age
	}
	return d
}

func (a *API) budget(to hubforce.Side) *Budget {
	switch {
	case to == hubforce.Salesforce && a.cfg.SalesforceUsage != nil:
		used, limit := a.cfg.SalesforceUsage()
		if limit > 0 {
			return &Budget{Window: "24h", Used: used, Limit: limit, Remaining: max(0, limit-used)}
		}
	case to == hubforce.HubSpot && a.cfg.HubSpotBudget != nil:
		remaining, limit, interval := a.cfg.HubSpotBudget()
		if interval <= 0 {
			interval = 10 * time.Second // HubSpot's documented window
		}
		if limit > 0 {
			return &Budget{Window: interval.String(), Used: max(0, limit-remaining), Limit: limit, Remaining: remaining}
		}
	}
	return nil
}

// StateUnknown is a direction's state where no delivery engine reports
// one (Config.Health is nil).
const StateUnknown hubforce.DeliveryState = "unknown"

// healthBySide is the engine's health keyed by the side deliveries go to.
func (a *API) healthBySide() map[hubforce.Side]hubforce.Health {
	out := map[hubforce.Side]hubforce.Health{}
	if a.cfg.Health == nil {
		return out
	}
	for _, h := range a.cfg.Health() {
		out[h.To] = h
	}
	return out
}

func (a *API) countDeadLetters(ctx context.Context) DeadLetterCount {
	c := DeadLetterCount{ByCategory: map[string]int{}}
	counts, err := a.cfg.Store.DeadLetterCounts(ctx)
	if err != nil {
		c.Error = strPtr(err.Error())
		return c
	}
	for cat, n := range counts {
		c.ByCategory[cat] = int(n)
		c.Total += int(n)
	}
	return c
}
