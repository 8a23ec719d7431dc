package delivery

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// writeAll sends one object's writes (or, in a dry run, records what it
// would send) and settles every record by its own result. A call that
// failed part-way still reports the results it has; only the records
// without one take its error.
func (rd *round) writeAll(ctx context.Context, obj hubforce.Object, rs []*record) {
	if rd.e.Config.DryRun {
		for _, r := range rs {
			rd.settle.done(r.items, hubforce.Skipped, "dry run: would "+describe(rd.to, obj, r.write), textValues(r.write), "dry_run")
		}
		return
	}
	writes := make([]Write, len(rs))
	for i, r := range rs {
		writes[i] = *r.write
	}
	res, err := rd.dst.Write(ctx, obj, writes)
	for i, r := range rs {
		var wr hubforce.WriteResult
		if i < len(res) {
			wr = res[i]
		} else {
			wr.Err = fmt.Errorf("%s answered %d results for %d records", rd.to.Title(), len(res), len(rs))
		}
		rerr := wr.Err
		if rerr != nil && err != nil && rerr == err {
			// The call failed before it reached this record.
			rd.settle.fail(r.items, err, true)
			continue
		}
		if rerr == nil {
			id, verb := r.target, "updated"
			if id == "" {
				id, verb = wr.ID, "created"
				rd.settle.add.Links = append(rd.settle.add.Links, link(obj, rd.from, r.id, id, rd.e.Now()))
			}
			rd.settle.applied(r, rd.from, wr, id, verb)
			continue
		}
		switch class := hubforce.ClassOf(rerr); {
		case class == hubforce.NotFound && r.target != "":
			// Deleted on the target: forget the link; the next attempt
			// matches or creates it anew.
			rd.settle.add.Unlinks = append(rd.settle.add.Unlinks, store.LinkRef{Object: obj, Side: rd.from, ID: r.id})
			rd.settle.waitFor(r.items, fmt.Sprintf("%s %s %s is gone; matching or creating it anew", rd.to.Title(), objectName(rd.to, obj), r.target))
		case class == hubforce.Conflict && r.target == "" && wr.ID != "":
			// The target names the record that holds the unique key
			// (HubSpot's email or domain): link to it and update it next.
			rd.settle.add.Links = append(rd.settle.add.Links, link(obj, rd.from, r.id, wr.ID, rd.e.Now()))
			rd.settle.waitFor(r.items, fmt.Sprintf("linked to the existing %s %s %s; updating it next", rd.to.Title(), objectName(rd.to, obj), wr.ID))
		default:
			rd.settle.fail(r.items, rerr, false)
		}
	}
}

// batchCalls runs an adapter's create and update calls and maps their
// results back onto the writes: the records a failed call did not reach,
// and those of a call not made after a failed one, carry its error.
type batchCalls struct {
	out    []hubforce.WriteResult
	failed error
}

func (b *batchCalls) run(idx []int, name string, do func() ([]hubforce.WriteResult, error)) {
	if len(idx) == 0 {
		return
	}
	var res []hubforce.WriteResult
	err := b.failed // the side is failing: the next call would too
	if err == nil {
		res, err = do()
	}
	for j, i := range idx {
		if j < len(res) {
			b.out[i] = res[j]
		} else {
			b.out[i] = hubforce.WriteResult{Err: err}
		}
		b.out[i].Call = name
	}
	if err != nil {
		b.failed = err
	}
}

// describe says what a write would do, values included, for a dry run.
func describe(to hubforce.Side, obj hubforce.Object, w *Write) string {
	vals := textValues(w)
	var parts []string
	for _, f := range slices.Sorted(maps.Keys(vals)) {
		parts = append(parts, fmt.Sprintf("%s=%q", f, vals[f]))
	}
	what := fmt.Sprintf("create a %s %s", to.Title(), objectName(to, obj))
	if w.ID != "" {
		what = fmt.Sprintf("update %s %s %s", to.Title(), objectName(to, obj), w.ID)
	}
	return what + " with " + strings.Join(parts, ", ")
}

func textValues(w *Write) map[string]string {
	out := make(map[string]string, len(w.Values)+1)
	for f, v := range w.Values {
		out[f] = v.Text
	}
	if w.Company != nil {
		out[CompanyField] = *w.Company
	}
	return out
}

func uniq(v []string) []string {
	v = slices.Clone(v)
	slices.Sort(v)
	return slices.Compact(v)
}

// indexes is 0…n-1.
func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
