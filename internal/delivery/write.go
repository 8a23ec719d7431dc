package delivery

import (
	"context"
	"fmt"

	"github.com/hubforce/hubforce"
)

// batch is one direction's writes for one object: records to create and
// records to update, each with what to write (V is the target's value type:
// HubSpot property strings, Salesforce typed fields).
type batch[V any] struct {
	creates, updates   []*record
	createIn, updateIn []V
	updateIDs          []string
}

func (b *batch[V]) add(r *record, v V) {
	if r.targetID == "" {
		b.creates, b.createIn = append(b.creates, r), append(b.createIn, v)
		return
	}
	b.updates, b.updateIn, b.updateIDs = append(b.updates, r), append(b.updateIn, v), append(b.updateIDs, r.targetID)
}

// target says how to write to one side and settle what came back.
type target[V any] struct {
	side   hubforce.Side
	object hubforce.Object
	name   string                    // how the side names the object ("Contact", "contact")
	text   func(V) map[string]string // the written values as the side reads them back
	create func(ctx context.Context, in []V) ([]hubforce.WriteResult, error)
	update func(ctx context.Context, ids []string, in []V) ([]hubforce.WriteResult, error)
	// createCall and updateCall name the API calls in the history.
	createCall, updateCall string
	// rescue turns a failed create into something better, e.g. HubSpot
	// naming the record that already holds the email; nil keeps err.
	rescue func(ctx context.Context, r *record, wr hubforce.WriteResult, err error) error
	// after runs once a record is written (associations); an error
	// reschedules the record's changes.
	after func(ctx context.Context, r *record, id string) error
}

// write sends the batch (or, in a dry run, records what it would send) and
// settles every record by its own result.
func write[V any](ctx context.Context, e *Engine, t target[V], b batch[V]) {
	if e.Config.DryRun {
		for i, r := range b.creates {
			e.finish(ctx, t.side, r.items, hubforce.Skipped, fmt.Sprintf("dry run: would create a %s %s with %v", t.side.Title(), t.name, keys(t.text(b.createIn[i]))))
		}
		for i, r := range b.updates {
			e.finish(ctx, t.side, r.items, hubforce.Skipped, fmt.Sprintf("dry run: would update %s %s %s: %v", t.side.Title(), t.name, r.targetID, keys(t.text(b.updateIn[i]))))
		}
		return
	}
	if len(b.creates) > 0 {
		res, err := t.create(ctx, b.createIn)
		settleWrites(ctx, e, t, b.creates, b.createIn, res, err, t.createCall)
	}
	if len(b.updates) > 0 {
		res, err := t.update(ctx, b.updateIDs, b.updateIn)
		settleWrites(ctx, e, t, b.updates, b.updateIn, res, err, t.updateCall)
	}
}

// settleWrites settles each record by its own result. A call that failed
// part-way still reports the batches it finished; only the records without
// a result take err.
func settleWrites[V any](ctx context.Context, e *Engine, t target[V], rs []*record, ins []V, res []hubforce.WriteResult, err error, call string) {
	source := t.side.Other()
	for i, r := range rs {
		var wr hubforce.WriteResult
		var rerr error
		switch {
		case len(res) == len(rs):
			wr = res[i]
			rerr = wr.Err
		case err != nil:
			rerr = err
		default:
			rerr = fmt.Errorf("%s answered %d results for %d records", t.side, len(res), len(rs))
		}
		id, verb := r.targetID, "updated"
		if rerr == nil && id == "" {
			id, verb = wr.ID, "created"
			if lerr := e.putLink(ctx, t.object, source, r.id, id); lerr != nil {
				rerr = fmt.Errorf("linking created record %s: %w", id, lerr)
			}
		}
		if rerr == nil && t.after != nil {
			rerr = t.after(ctx, r, id)
		}
		if rerr != nil {
			switch {
			case hubforce.ClassOf(rerr) == hubforce.NotFound && r.targetID != "":
				// Deleted on the target: forget the link; the next attempt
				// matches or creates again.
				_ = e.Store.DeleteLink(ctx, t.object, source, r.id)
			case r.targetID == "" && t.rescue != nil:
				rerr = t.rescue(ctx, r, wr, rerr)
			}
			e.settle(ctx, t.side, r.items, rerr, "", nil)
			continue
		}
		written := t.text(ins[i])
		_ = e.Store.SetWritten(ctx, t.side, t.object, id, written)
		e.settle(ctx, t.side, r.items, nil, fmt.Sprintf("%s %s → %s %s %s", t.side.Title(), call, verb, t.name, id), written)
	}
}

// failAll settles every record with the same error (a whole call failed
// before any record was written).
func (e *Engine) failAll(ctx context.Context, to hubforce.Side, rs []*record, err error) {
	for _, r := range rs {
		e.settle(ctx, to, r.items, err, "", nil)
	}
}
