package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// DefaultBatchSize is the records per Ingest call and checkpoint of a
// backfill (`--batch-size`).
const DefaultBatchSize = 100

// resumeOverlap is re-read before a resumed cursor: records sharing the
// cursor's instant may straddle a batch boundary, and Salesforce compares
// whole seconds. Re-read records are known to the store and feed nothing.
const resumeOverlap = time.Second

// Options choose what a backfill reads.
type Options struct {
	From      hubforce.Side
	Object    hubforce.Object
	Since     time.Time // records modified after it; zero: everything
	BatchSize int       // records per Ingest call; default DefaultBatchSize
	DryRun    bool      // read and count, ingest nothing, write no state
}

// Result counts what one Run did.
type Result struct {
	Read    int // records read in this run
	Skipped int // of those, already known to the store
	Fed     int // changes fed (or, dry, that would be)
	Done    int // records committed by this backfill over all its runs
	Resumed bool
	Cursor  time.Time
}

// Backfill is `hubforce backfill`: the Poller's machinery started by hand
// from a date, over all history if need be, resumable.
type Backfill struct {
	Store       Store
	HubSpot     HubSpot
	Salesforce  Salesforce // also read for its usage when backfilling HubSpot
	Mapping     *mapping.Mapping
	BudgetShare float64
	ProbeEvery  time.Duration
	OnPause     func(paused bool)
	Log         zerolog.Logger
	Now         func() time.Time
	// Out receives the notes a person running the command reads: resuming
	// or starting over, and in a dry run what would be fed. nil discards.
	Out io.Writer
	// SalesforceTriggers feeds Salesforce records as triggers that delivery
	// reads back, as it does Outbound Messages.
	SalesforceTriggers bool
}

// Progress is what a backfill has done so far, for a progress bar.
type Progress struct {
	// Done counts the records committed over all runs of this backfill,
	// each once; Before is the part of it earlier runs did, so that a rate
	// is taken over Done-Before.
	Done, Before int
	// Total is how many records the backfill reads in all, where the source
	// can tell (Salesforce counts them); -1 when it cannot.
	Total int
}

// Counter is a source that can tell how many records a scan will read.
type Counter interface {
	CountModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time) (int, error)
}

// Run backfills opts.Object from opts.From. progress is told at the start
// and after every batch. Cancelling ctx stops it after the batch in flight
// with the state saved: the same Run resumes.
func (bf *Backfill) Run(ctx context.Context, opts Options, progress func(Progress)) (Result, error) {
	if err := bf.check(opts); err != nil {
		return Result{}, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	src, err := newSource(opts.From, opts.Object, bf.HubSpot, bf.Salesforce, bf.Mapping, bf.Store, hubforce.FromBackfill, bf.SalesforceTriggers)
	if err != nil {
		return Result{}, err
	}
	state, res, err := bf.start(ctx, opts)
	if err != nil {
		return res, err
	}
	readFrom := state.Since
	if res.Resumed {
		readFrom = state.Cursor.Add(-resumeOverlap)
	}
	if readFrom.IsZero() {
		readFrom = time.Unix(0, 0).UTC()
	}
	share := bf.BudgetShare
	if share <= 0 {
		share = DefaultBudgetShare
	}
	b := newBudget(bf.Salesforce, share, bf.ProbeEvery, bf.OnPause, bf.Log, bf.now)
	prog := Progress{Done: state.Done, Before: state.Done, Total: bf.total(ctx, opts, state)}
	if progress != nil {
		progress(prog)
	}
	resumedAt, counted := state.Cursor, map[string]bool{}
	for _, id := range state.AtCursor {
		counted[id] = true
	}
	err = scan(ctx, src, b, readFrom, time.Time{}, opts.BatchSize, func(ctx context.Context, bt batch) error {
		if opts.DryRun {
			bf.describe(opts.Object, bt)
		} else if len(bt.changes) > 0 {
			if _, err := bf.Store.Ingest(ctx, bt.changes); err != nil {
				return fmt.Errorf("ingest %d changes: %w", len(bt.changes), err)
			}
		}
		res.Read, res.Skipped, res.Fed = res.Read+bt.records, res.Skipped+bt.skipped, res.Fed+len(bt.changes)
		for _, r := range bt.read {
			// Re-read after a resume: counted by the run that committed it.
			if r.modified.Before(resumedAt) || (r.modified.Equal(resumedAt) && counted[r.id]) {
				continue
			}
			state.Done++
			switch {
			case r.modified.After(state.Cursor):
				state.Cursor, state.AtCursor = r.modified, []string{r.id}
			case r.modified.Equal(state.Cursor):
				state.AtCursor = append(state.AtCursor, r.id)
			}
		}
		if !opts.DryRun {
			// The batch is committed: record it even if ctx ended meanwhile.
			if err := saveState(context.WithoutCancel(ctx), bf.Store, opts.From, opts.Object, state); err != nil {
				return err
			}
		}
		if progress != nil {
			prog.Done = state.Done
			progress(prog)
		}
		return nil
	})
	res.Done, res.Cursor = state.Done, state.Cursor
	if err != nil {
		return res, err
	}
	if opts.DryRun {
		bf.say("dry run: %d records read, %d already in the store, %d changes would be fed; nothing was ingested", res.Read, res.Skipped, res.Fed)
		return res, nil
	}
	state.FinishedAt = bf.now().UTC()
	return res, saveState(ctx, bf.Store, opts.From, opts.Object, state)
}

// total asks the source how many records the whole backfill reads, or -1.
// A failure only costs the progress bar its total.
func (bf *Backfill) total(ctx context.Context, opts Options, state State) int {
	var c Counter
	switch opts.From {
	case hubforce.HubSpot:
		c, _ = bf.HubSpot.(Counter)
	case hubforce.Salesforce:
		c, _ = bf.Salesforce.(Counter)
	}
	if c == nil {
		return -1
	}
	n, err := c.CountModifiedSince(ctx, opts.Object, state.Since)
	if err != nil {
		bf.Log.Debug().Err(err).Msg("counting the records to backfill; the progress shows no total")
		return -1
	}
	return n
}

func (bf *Backfill) check(opts Options) error {
	if bf.Store == nil || bf.Mapping == nil {
		return errors.New("reconcile: Backfill needs a Store and a Mapping")
	}
	if opts.From != hubforce.HubSpot && opts.From != hubforce.Salesforce {
		return fmt.Errorf("backfill: --from must be hubspot or salesforce, not %q", opts.From)
	}
	if _, ok := bf.Mapping.Object(opts.Object); !ok {
		return fmt.Errorf("backfill: object %q is not mapped", opts.Object)
	}
	return nil
}

// start loads the saved state and decides between resuming and starting
// over, saying which.
func (bf *Backfill) start(ctx context.Context, opts Options) (State, Result, error) {
	since := opts.Since.UTC()
	fresh := State{Since: since, StartedAt: bf.now().UTC()}
	old, err := LoadState(ctx, bf.Store, opts.From, opts.Object)
	switch {
	case errors.Is(err, store.ErrNotFound):
		bf.say("backfilling %s %s modified %s", opts.From, opts.Object.HubSpotName(), sinceText(since))
	case err != nil:
		return State{}, Result{}, err
	case !old.Since.Equal(since):
		bf.say("the previous backfill of %s %s read records modified %s; --since differs, so starting over %s",
			opts.From, opts.Object.HubSpotName(), sinceText(old.Since), sinceText(since))
	case !old.FinishedAt.IsZero():
		bf.say("the previous backfill with this --since finished at %s; starting over", old.FinishedAt.Format(time.RFC3339))
	case old.Cursor.IsZero():
		bf.say("the previous backfill committed nothing; starting over")
	default:
		bf.say("resuming the backfill of %s %s started at %s: %d records done, continuing from %s",
			opts.From, opts.Object.HubSpotName(), old.StartedAt.Format(time.RFC3339), old.Done, old.Cursor.Format(time.RFC3339))
		return old, Result{Resumed: true, Done: old.Done, Cursor: old.Cursor}, nil
	}
	if opts.DryRun {
		return fresh, Result{}, nil
	}
	return fresh, Result{}, saveState(ctx, bf.Store, opts.From, opts.Object, fresh)
}

// describe prints, for a dry run, one line per record that would feed
// changes.
func (bf *Backfill) describe(obj hubforce.Object, bt batch) {
	type rec struct {
		side    hubforce.Side
		id      string
		version time.Time
		fields  []string
	}
	var order []string
	recs := map[string]*rec{}
	for _, c := range bt.changes {
		r, ok := recs[c.RecordID]
		if !ok {
			r = &rec{side: c.Side, id: c.RecordID, version: c.Version}
			recs[c.RecordID] = r
			order = append(order, c.RecordID)
		}
		for f := range c.Fields {
			r.fields = append(r.fields, f)
		}
	}
	for _, id := range order {
		r := recs[id]
		slices.Sort(r.fields)
		bf.say("would feed %s %s %s, version %s: %s", r.side, obj, r.id, r.version.Format(time.RFC3339Nano), strings.Join(r.fields, ", "))
	}
}

func (bf *Backfill) say(format string, args ...any) {
	if bf.Out != nil {
		fmt.Fprintf(bf.Out, format+"\n", args...)
	}
}

func (bf *Backfill) now() time.Time {
	if bf.Now != nil {
		return bf.Now()
	}
	return time.Now()
}

func sinceText(t time.Time) string {
	if t.IsZero() {
		return "at any time"
	}
	return "since " + t.Format(time.RFC3339)
}
