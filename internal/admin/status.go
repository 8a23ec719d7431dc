package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// Status is sync health, as GET /api/v1/status returns it and the
// dashboard shows it.
type Status struct {
	GeneratedAt time.Time       `json:"generated_at"`
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
	// Paused is why deliveries to this side are held, or null.
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

// DeadLetterCount groups the dead letters. The store has no count query, so
// they are counted by reading them, up to deadLetterScanCap; Truncated says
// the cap was reached and the numbers are lower bounds.
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

const (
	deadLetterScanCap  = 10000
	deadLetterScanPage = 500
)

func strPtr(s string) *string { return &s }

// status reads everything; a part that fails is reported in place, so that
// the page still renders when, say, the store is down.
func (a *API) status(ctx context.Context) Status {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	now := a.cfg.Now()
	st := Status{GeneratedAt: now.UTC(), Store: StoreStatus{Reachable: true}, Components: []Component{}}
	if err := a.cfg.Store.Ping(ctx); err != nil {
		st.Store = StoreStatus{Error: strPtr(err.Error())}
	} else if n, err := a.cfg.Store.InboxDepth(ctx); err == nil {
		st.Store.InboxDepth = n
	}
	paused := a.pausedBySide(ctx)
	st.Deliveries.ToHubSpot = a.direction(ctx, hubforce.HubSpot, now, paused)
	st.Deliveries.ToSalesforce = a.direction(ctx, hubforce.Salesforce, now, paused)
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

func (a *API) direction(ctx context.Context, to hubforce.Side, now time.Time, paused map[hubforce.Side]string) Direction {
	d := Direction{From: to.Other(), To: to, Budget: a.budget(to)}
	if p, ok := paused[to]; ok {
		d.Paused = strPtr(p)
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

// pausedBySide splits the engine's readiness error into its directions. The
// engine joins one error per paused direction, each saying "deliveries to
// <side> paused: <why>"; an error naming neither side counts for both.
func (a *API) pausedBySide(ctx context.Context) map[hubforce.Side]string {
	out := map[hubforce.Side]string{}
	if a.cfg.Paused == nil {
		return out
	}
	err := a.cfg.Paused(ctx)
	if err == nil {
		return out
	}
	errs := []error{err}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		msg := e.Error()
		matched := false
		for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
			prefix := "deliveries to " + string(side) + " paused: "
			if strings.HasPrefix(msg, prefix) {
				out[side] = joinReason(out[side], strings.TrimPrefix(msg, prefix))
				matched = true
			}
		}
		if !matched {
			out[hubforce.HubSpot] = joinReason(out[hubforce.HubSpot], msg)
			out[hubforce.Salesforce] = joinReason(out[hubforce.Salesforce], msg)
		}
	}
	return out
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func (a *API) countDeadLetters(ctx context.Context) DeadLetterCount {
	c := DeadLetterCount{ByCategory: map[string]int{}}
	var after int64
	for c.Total < deadLetterScanCap {
		page, err := a.cfg.Store.DeadLetters(ctx, store.DeadLetterFilter{AfterID: after, Limit: deadLetterScanPage})
		if err != nil {
			c.Error = strPtr(err.Error())
			return c
		}
		for _, d := range page {
			c.ByCategory[d.Failure.Category]++
			c.Total++
		}
		if len(page) < deadLetterScanPage {
			return c
		}
		after = page[len(page)-1].ID
	}
	c.Truncated = true
	return c
}
