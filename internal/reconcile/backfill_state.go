package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hubforce/hubforce"
)

// State is a backfill's progress, kept as JSON in the checkpoint
// "backfill/<side>/<object>" so that an interrupted backfill resumes.
type State struct {
	// Since is the --since the backfill was started with (zero: everything).
	Since time.Time `json:"since"`
	// Cursor is the latest modification time among the records committed
	// so far; a resumed run reads from just before it.
	Cursor time.Time `json:"cursor,omitzero"`
	Done   int       `json:"done"` // records read and committed, each once
	// AtCursor lists the records modified exactly at Cursor that are
	// counted in Done: a resumed run re-reads them, and records sharing that
	// instant may straddle a batch boundary.
	AtCursor   []string  `json:"at_cursor,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// StateKey is the checkpoint key of the backfill of obj from side.
func StateKey(from hubforce.Side, obj hubforce.Object) string {
	return "backfill/" + string(from) + "/" + string(obj)
}

// LoadState reads a backfill's state (for status reports such as the admin
// API); store.ErrNotFound when none was ever started.
func LoadState(ctx context.Context, st interface {
	Checkpoint(ctx context.Context, key string) (string, error)
}, from hubforce.Side, obj hubforce.Object) (State, error) {
	v, err := st.Checkpoint(ctx, StateKey(from, obj))
	if err != nil {
		return State{}, err
	}
	var s State
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return State{}, fmt.Errorf("backfill state %s: %w", StateKey(from, obj), err)
	}
	return s, nil
}

func saveState(ctx context.Context, st Store, from hubforce.Side, obj hubforce.Object, s State) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode backfill state: %w", err)
	}
	if err := st.SetCheckpoint(ctx, StateKey(from, obj), string(b)); err != nil {
		return fmt.Errorf("save backfill state: %w", err)
	}
	return nil
}
