package guide

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/report"
	"github.com/hubforce/hubforce/internal/store"
)

// History is the part of the store the guide reads: records' timelines
// (as `hubforce explain` prints them) and the newest decisions.
type History interface {
	report.Reader
	RecentHistory(ctx context.Context, decisions []hubforce.Decision, limit int) ([]store.HistoryEntry, error)
}

// pollEvery is how often the store is asked again while waiting for a
// change to be written to the other side.
const pollEvery = 100 * time.Millisecond

// recentLimit bounds each look at the newest applied changes.
const recentLimit = 200

// Synced is a change written to the other side, found in the store.
type Synced struct {
	Side     hubforce.Side // where the change was made
	Object   hubforce.Object
	RecordID string
	At       time.Time // when it was written to the other side
}

// WaitFirstSynced waits for the first change made on each side at or
// after since to be written to the other side, and returns them
// (HubSpot's first). found, when set, is told of each as it is seen.
func WaitFirstSynced(ctx context.Context, h History, since time.Time, found func(Synced)) ([2]Synced, error) {
	var firsts [2]Synced
	seen := [2]bool{}
	for {
		entries, err := h.RecentHistory(ctx, []hubforce.Decision{hubforce.Applied}, recentLimit)
		if err != nil {
			return firsts, fmt.Errorf("reading the store's newest decisions: %w", err)
		}
		// Newest first: the last match of each side is its first change.
		var cand [2]*store.HistoryEntry
		for i := range entries {
			e := &entries[i]
			if e.At.Before(since) {
				continue
			}
			cand[sideIndex(e.Side)] = e
		}
		for i, e := range cand {
			if e == nil || seen[i] {
				continue
			}
			seen[i] = true
			firsts[i] = Synced{Side: e.Side, Object: e.Object, RecordID: e.RecordID, At: e.At}
			if found != nil {
				found(firsts[i])
			}
		}
		if seen[0] && seen[1] {
			return firsts, nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return firsts, waiting(seen, err)
		}
	}
}

// WaitSynced waits until the record id made on side is linked to a record
// on the other side and a change of it has been written there.
func WaitSynced(ctx context.Context, h History, side hubforce.Side, obj hubforce.Object, id string) (Synced, error) {
	for {
		t, err := report.Explain(ctx, h, side, obj, id)
		if err != nil {
			return Synced{}, fmt.Errorf("reading the story of %s %s %s: %w", side, obj, id, err)
		}
		if t.Link != nil {
			for _, e := range t.Entries {
				if e.Decision == hubforce.Applied && e.Side == side && e.RecordID == id {
					return Synced{Side: side, Object: obj, RecordID: id, At: e.At}, nil
				}
			}
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return Synced{}, fmt.Errorf("%s %s %s was not written to %s: %w", side, obj, id, side.Other(), err)
		}
	}
}

// WriteTimeline prints the record's story as `hubforce explain` does.
func WriteTimeline(ctx context.Context, w io.Writer, h History, s Synced) error {
	t, err := report.Explain(ctx, h, s.Side, s.Object, s.RecordID)
	if err != nil {
		return fmt.Errorf("reading the story of %s %s %s: %w", s.Side, s.Object, s.RecordID, err)
	}
	return t.Write(w)
}

func sideIndex(s hubforce.Side) int {
	if s == hubforce.HubSpot {
		return 0
	}
	return 1
}

func waiting(seen [2]bool, err error) error {
	switch {
	case !seen[0] && !seen[1]:
		return fmt.Errorf("no change reached the other side in either direction: %w", err)
	case !seen[0]:
		return fmt.Errorf("no change made in HubSpot reached Salesforce: %w", err)
	}
	return fmt.Errorf("no change made in Salesforce reached HubSpot: %w", err)
}

// sleep waits d unless ctx ends first. It paces polling of the store; it
// synchronises nothing.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
