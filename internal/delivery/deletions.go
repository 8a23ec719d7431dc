package delivery

import (
	"context"
	"fmt"
	"slices"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// isDeletion says whether a change deletes its record (a GDPR deletion
// included: HubSpot also sends contact.deletion for it, in any order).
func isDeletion(c hubforce.Change) bool {
	return c.Kind == hubforce.KindDelete || c.Kind == hubforce.KindPrivacyDelete
}

// deletions carries out the mapping's choice for records deleted on the
// source side: ignore (the default), mirror (delete the counterpart) or
// mark (set a field on it). Each record's story says which, and what the
// other side answered.
func (rd *round) deletions(ctx context.Context, recs []*record) {
	var act []*record
	for _, r := range recs {
		d := rd.e.Mapping.Deletion(r.obj, rd.from)
		if d.Action == mapping.DeleteIgnore {
			rd.settle.finish(r.items, hubforce.Skipped, fmt.Sprintf("deleted in %s; ignored by mapping (deletions: ignore): the %s counterpart is kept",
				rd.from.Title(), rd.to.Title()))
			continue
		}
		act = append(act, r)
	}
	if len(act) == 0 {
		return
	}
	if err := rd.lookup(ctx, act); err != nil {
		rd.failAll(act, err)
		return
	}
	byObj := map[hubforce.Object][]*record{}
	var order []hubforce.Object
	for _, r := range act {
		if r.target == "" {
			rd.settle.finish(r.items, hubforce.Skipped, fmt.Sprintf("deleted in %s; no linked %s %s", rd.from.Title(), rd.to.Title(), objectName(rd.to, r.obj)))
			continue
		}
		if _, ok := byObj[r.obj]; !ok {
			order = append(order, r.obj)
		}
		byObj[r.obj] = append(byObj[r.obj], r)
	}
	for _, obj := range order {
		gone, err := rd.stillGone(ctx, obj, byObj[obj])
		if err != nil {
			rd.failAll(byObj[obj], err)
			continue
		}
		var mirror, mark []*record
		for _, r := range gone {
			if rd.e.Mapping.Deletion(obj, rd.from).Action == mapping.DeleteMirror {
				mirror = append(mirror, r)
			} else {
				mark = append(mark, r)
			}
		}
		rd.mirrorDeletions(ctx, obj, mirror)
		rd.markDeletions(ctx, obj, mark)
	}
}

// stillGone reads the deleted records back from their side and keeps those
// that are still gone: a record restored since, or merged (HubSpot resolves
// a merged-away id to the survivor, and events come in any order), is not
// deleted, and its counterpart is left alone.
func (rd *round) stillGone(ctx context.Context, obj hubforce.Object, rs []*record) ([]*record, error) {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.id
	}
	live, err := rd.src.Read(ctx, obj, ids, rd.e.Mapping.Names(obj, rd.from), false)
	if err != nil {
		return nil, fmt.Errorf("reading deleted records back from %s: %w", rd.from.Title(), err)
	}
	var out []*record
	for _, r := range rs {
		rec, ok := live[r.id]
		if !ok {
			out = append(out, r)
			continue
		}
		what := "restored since"
		if rec.ID != "" && rec.ID != r.id {
			what = "merged into " + rec.ID
		}
		rd.settle.finish(r.items, hubforce.Skipped, fmt.Sprintf("deleted in %s, but %s: %s %s %s left alone", rd.from.Title(), what, rd.to.Title(), objectName(rd.to, obj), r.target))
	}
	return out, nil
}

// mirrorDeletions deletes the counterparts and forgets the links: the
// deletion the bridge makes comes back as an event for an unlinked record.
func (rd *round) mirrorDeletions(ctx context.Context, obj hubforce.Object, rs []*record) {
	if len(rs) == 0 {
		return
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.target
	}
	if rd.dryRun(obj, rs, "delete") {
		return
	}
	res, err := rd.dst.Delete(ctx, obj, ids)
	for i, r := range rs {
		wr := resultAt(res, i, err, rd.to)
		what := rd.deletedStory(obj, r)
		switch {
		case wr.Err == nil:
			rd.settle.finishAs(r.items, hubforce.Applied, what+" deleted ("+wr.Call+")", "applied")
		case hubforce.ClassOf(wr.Err) == hubforce.NotFound:
			rd.settle.finish(r.items, hubforce.Skipped, what+" was already gone")
		default:
			rd.settle.fail(r.items, wr.Err, err != nil && wr.Err == err)
			continue
		}
		rd.settle.add.Unlinks = append(rd.settle.add.Unlinks, store.LinkRef{Object: obj, Side: rd.from, ID: r.id})
	}
}

// markDeletions sets the mapping's field on the counterparts to true (a
// "Deleted in HubSpot" checkbox) and keeps the links, so that a restore
// syncs again.
func (rd *round) markDeletions(ctx context.Context, obj hubforce.Object, rs []*record) {
	if len(rs) == 0 {
		return
	}
	field := rd.e.Mapping.Deletion(obj, rd.from).Field
	var writes []Write
	var todo []*record
	for _, r := range rs {
		if r.tgt.Written[field] == "true" {
			rd.settle.finish(r.items, hubforce.Skipped, fmt.Sprintf("%s already marked (%s)", rd.deletedStory(obj, r), field))
			continue
		}
		todo = append(todo, r)
		writes = append(writes, Write{ID: r.target, Values: map[string]mapping.Value{field: {Text: "true", Typed: true}}})
	}
	if len(writes) == 0 {
		return
	}
	if rd.dryRun(obj, todo, "mark ("+field+" = true)") {
		return
	}
	res, err := rd.dst.Write(ctx, obj, writes)
	for i, r := range todo {
		wr := resultAt(res, i, err, rd.to)
		what := rd.deletedStory(obj, r)
		switch {
		case wr.Err == nil:
			rd.settle.add.Written = append(rd.settle.add.Written, store.Written{Side: rd.to, Object: obj, ID: r.target, Fields: map[string]string{field: "true"}})
			rd.settle.done(r.items, hubforce.Applied, fmt.Sprintf("%s marked (%s = true, %s)", what, field, wr.Call), map[string]string{field: "true"}, "applied")
		case hubforce.ClassOf(wr.Err) == hubforce.NotFound:
			rd.settle.add.Unlinks = append(rd.settle.add.Unlinks, store.LinkRef{Object: obj, Side: rd.from, ID: r.id})
			rd.settle.finish(r.items, hubforce.Skipped, what+" is gone; nothing to mark")
		default:
			rd.settle.fail(r.items, wr.Err, err != nil && wr.Err == err)
		}
	}
}

// deletedStory begins a deletion's line in the timeline: "deleted in
// HubSpot → Salesforce Contact 003…".
func (rd *round) deletedStory(obj hubforce.Object, r *record) string {
	return fmt.Sprintf("deleted in %s → %s %s %s", rd.from.Title(), rd.to.Title(), objectName(rd.to, obj), r.target)
}

// dryRun settles the records with what a dry run would have done to their
// counterparts, and says whether it did.
func (rd *round) dryRun(obj hubforce.Object, rs []*record, verb string) bool {
	if !rd.e.Config.DryRun {
		return false
	}
	for _, r := range rs {
		rd.settle.finishAs(r.items, hubforce.Skipped, fmt.Sprintf("dry run: would %s %s %s %s", verb, rd.to.Title(), objectName(rd.to, obj), r.target), "dry_run")
	}
	return true
}

// unmarkRestored clears the mark the bridge set on the counterpart of a
// record deleted and now restored on its side.
func (rd *round) unmarkRestored(obj hubforce.Object, r *record, out map[string]mapping.Value) {
	d := rd.e.Mapping.Deletion(obj, rd.from)
	if d.Action != mapping.DeleteMark || r.tgt.Written[d.Field] != "true" {
		return
	}
	if slices.ContainsFunc(r.items, func(it store.Claimed) bool { return it.Change.Kind == hubforce.KindRestore }) {
		out[d.Field] = mapping.Value{Text: "false", Typed: false}
	}
}

// resultAt is the i-th result, or an error when the side answered fewer.
func resultAt(res []hubforce.WriteResult, i int, err error, to hubforce.Side) hubforce.WriteResult {
	if i < len(res) {
		return res[i]
	}
	if err == nil {
		err = fmt.Errorf("%s answered %d results for more records", to.Title(), len(res))
	}
	return hubforce.WriteResult{Err: err}
}
