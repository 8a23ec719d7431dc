package delivery

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// record is one source record's claimed changes, coalesced, and what the
// round decided for it.
type record struct {
	obj   hubforce.Object
	id    string          // on the source side
	items []store.Claimed // not settled yet, in order

	src store.RecordState // what the store knows of the source record

	// What the changes ask for: every mapped field (a creation, restore,
	// merge, a first sync, a read-back), the fields they name, and whether
	// the primary company is part of it.
	all     bool
	fields  map[string]bool
	company bool

	values  map[string]string // the source's current values
	version time.Time         // the source record's version
	// byBridge: the source record was last modified by the bridge.
	byBridge bool
	// seen are read-back values that are news, remembered once the record
	// is settled (SPEC §3.2).
	seen map[string]string

	target  string // the counterpart's id; "" creates one
	matched bool   // found by a match key in this round
	tgt     store.RecordState
	current map[string]string // the target's current values, when read

	write   *Write
	changed []string // source fields written, for the story line
	// waitCompany: the company is not linked yet; the changes that carried
	// it wait for it once the rest is written.
	waitCompany bool
}

// round is one claim's trip through the pipeline.
type round struct {
	e        *Engine
	to, from hubforce.Side
	src, dst Adapter
	log      zerolog.Logger
	settle   settlement
}

// round delivers one claim: coalesce, look up, read the source, resolve the
// targets, translate, write, settle. Each stage settles what it can decide
// (an echo, a deletion, a validation failure) so that the next one only
// sees what is still to be written.
func (e *Engine) round(ctx context.Context, to hubforce.Side, items []store.Claimed) {
	stop := e.holdLease(ctx, items)
	defer stop()
	rd := &round{e: e, to: to, from: to.Other(), src: e.adapter(to.Other()), dst: e.adapter(to),
		log: e.Log.With().Str("to", string(to)).Logger()}
	rd.settle.e, rd.settle.ctx, rd.settle.to = e, ctx, to
	defer rd.settle.flush(ctx)

	recs := rd.triage(ctx, coalesce(items))
	if len(recs) == 0 {
		return
	}
	if err := rd.lookup(ctx, recs); err != nil {
		rd.failAll(recs, err)
		return
	}
	byObj := map[hubforce.Object][]*record{}
	var order []hubforce.Object
	for _, r := range recs {
		if _, ok := byObj[r.obj]; !ok {
			order = append(order, r.obj)
		}
		byObj[r.obj] = append(byObj[r.obj], r)
	}
	for _, obj := range order {
		rd.object(ctx, obj, byObj[obj])
		rd.settle.flush(ctx)
	}
}

// object runs the stages after the lookup for one object's records.
func (rd *round) object(ctx context.Context, obj hubforce.Object, rs []*record) {
	stages := []func(context.Context, hubforce.Object, []*record) ([]*record, error){
		rd.readSource, rd.resolveTargets, rd.selectFields, rd.readTargets, rd.translate,
	}
	for _, stage := range stages {
		// A failed stage settles every record it was given: the records it
		// returns alongside an error are not the ones left to retry.
		next, err := stage(ctx, obj, rs)
		if err != nil {
			rd.failAll(rs, err)
			return
		}
		if rs = next; len(rs) == 0 {
			return
		}
	}
	rd.writeAll(ctx, obj, rs)
}

// coalesce groups claimed changes by record, keeping each record's order.
func coalesce(items []store.Claimed) []*record {
	var out []*record
	idx := map[[2]string]*record{}
	for _, it := range items {
		k := [2]string{string(it.Change.Object), it.Change.RecordID}
		r, ok := idx[k]
		if !ok {
			r = &record{obj: it.Change.Object, id: it.Change.RecordID, fields: map[string]bool{}}
			idx[k] = r
			out = append(out, r)
		}
		r.items = append(r.items, it)
	}
	return out
}

// take removes the items matching keep from r and returns them.
func take(r *record, match func(hubforce.Change) bool) []store.Claimed {
	var out, rest []store.Claimed
	for _, it := range r.items {
		if match(it.Change) {
			out = append(out, it)
		} else {
			rest = append(rest, it)
		}
	}
	r.items = rest
	return out
}

// triage settles the changes that need no read (the bridge's own echoes by
// their marker, deletions, unmapped properties, associations other than the
// primary company) and notes what the rest ask for. It returns the records
// with something left to deliver.
func (rd *round) triage(ctx context.Context, recs []*record) []*record {
	var live, deleted []*record
	var merges []store.Claimed
	for _, r := range recs {
		echo := take(r, func(c hubforce.Change) bool { return rd.src.Triage(ctx, c) == Own })
		rd.settle.finish(echo, hubforce.Echo, fmt.Sprintf("written by this bridge (%s)", ownMarker(rd.from)))
		if d := take(r, isDeletion); len(d) > 0 {
			deleted = append(deleted, &record{obj: r.obj, id: r.id, items: d, fields: map[string]bool{}})
		}
		other := take(r, func(c hubforce.Change) bool {
			return c.Kind == hubforce.KindAssociation && (r.obj != hubforce.Contact || (!c.AssociationPrimary && !c.AssociationRemoved))
		})
		rd.settle.finish(other, hubforce.Skipped, "only a contact's primary company is synced")
		unmapped := take(r, func(c hubforce.Change) bool { return !rd.note(r, c) })
		rd.settle.finish(unmapped, hubforce.Unmapped, "no mapped field in the change")
		for _, it := range r.items {
			if it.Change.Kind == hubforce.KindMerge {
				merges = append(merges, it)
			}
		}
		if len(r.items) > 0 {
			live = append(live, r)
		}
	}
	if len(merges) > 0 {
		if err := rd.repointMerges(ctx, merges); err != nil {
			rd.failAll(append(live, deleted...), err)
			return nil
		}
	}
	// After the merges: a merged-away record's deletion finds its link
	// already moved to the survivor, and deletes nothing.
	rd.deletions(ctx, deleted)
	return live
}

// note records what a change asks of its record, and says whether it asks
// for anything the mapping delivers.
func (rd *round) note(r *record, c hubforce.Change) bool {
	switch c.Kind {
	case hubforce.KindCreate, hubforce.KindRestore, hubforce.KindMerge:
		r.all = true
		return true
	case hubforce.KindAssociation:
		r.company = true
		return true
	}
	if rd.src.Source() == ReadBack {
		// The notification says that the record changed, not how: it is
		// read back whole and compared with what was seen before.
		r.all = true
		return true
	}
	mapped := false
	for f := range rd.src.Values(c) {
		switch {
		case f == CompanyField:
			if r.obj == hubforce.Contact {
				r.company, mapped = true, true
			}
		case rd.e.Mapping.Mapped(r.obj, rd.from, f):
			r.fields[f], mapped = true, true
		}
	}
	return mapped
}

// ownMarker says how the bridge recognises its own writes on side s.
func ownMarker(s hubforce.Side) string {
	if s == hubforce.HubSpot {
		return "changeSource INTEGRATION, sourceId = the app id"
	}
	return "LastModifiedById is the integration user"
}

// repointMerges moves the link of a merged-away record to the survivor,
// unless the survivor has one of its own, and tells the story.
func (rd *round) repointMerges(ctx context.Context, merges []store.Claimed) error {
	var refs []store.RecordRef
	for _, it := range merges {
		c := it.Change
		refs = append(refs, store.RecordRef{Side: rd.from, Object: c.Object, ID: survivor(c)})
		for _, id := range c.MergedIDs {
			refs = append(refs, store.RecordRef{Side: rd.from, Object: c.Object, ID: id})
		}
	}
	states, err := rd.e.Store.Lookup(ctx, refs)
	if err != nil {
		return fmt.Errorf("looking up merged records: %w", err)
	}
	for _, it := range merges {
		c := it.Change
		keep := survivor(c)
		linked := states[store.RecordRef{Side: rd.from, Object: c.Object, ID: keep}].Linked()
		for _, id := range c.MergedIDs {
			if id == keep {
				continue
			}
			st := states[store.RecordRef{Side: rd.from, Object: c.Object, ID: id}]
			if !st.Linked() {
				continue
			}
			other := st.Link.ID(rd.to)
			rd.settle.add.Unlinks = append(rd.settle.add.Unlinks, store.LinkRef{Object: c.Object, Side: rd.from, ID: id})
			story := fmt.Sprintf("%s %s merged into %s in %s: its link to %s %s %s is dropped (%s has its own)",
				objectName(rd.from, c.Object), id, keep, rd.from.Title(), rd.to.Title(), objectName(rd.to, c.Object), other, keep)
			if !linked {
				linked = true
				rd.settle.add.Links = append(rd.settle.add.Links, link(c.Object, rd.from, keep, other, rd.e.Now()))
				story = fmt.Sprintf("%s %s merged into %s in %s: the link to %s %s %s moves to %s",
					objectName(rd.from, c.Object), id, keep, rd.from.Title(), rd.to.Title(), objectName(rd.to, c.Object), other, keep)
			}
			// Told on the merged-away record's timeline too.
			gone := it
			gone.Change.RecordID = id
			rd.settle.note(gone, hubforce.Applied, story)
		}
	}
	// The survivor's link must be in place before its values are written.
	return rd.settle.flushNow(ctx)
}

func survivor(c hubforce.Change) string {
	if c.NewID != "" {
		return c.NewID
	}
	return c.RecordID
}

// link pairs sourceID on side `from` with targetID.
func link(obj hubforce.Object, from hubforce.Side, sourceID, targetID string, now time.Time) hubforce.Link {
	l := hubforce.Link{Object: obj, CreatedAt: now}
	if from == hubforce.HubSpot {
		l.HubSpotID, l.SalesforceID = sourceID, targetID
	} else {
		l.HubSpotID, l.SalesforceID = targetID, sourceID
	}
	return l
}

// lookup reads what the store knows of every record and its counterpart in
// one call.
func (rd *round) lookup(ctx context.Context, recs []*record) error {
	refs := make([]store.RecordRef, len(recs))
	for i, r := range recs {
		refs[i] = store.RecordRef{Side: rd.from, Object: r.obj, ID: r.id}
	}
	states, err := rd.e.Store.Lookup(ctx, refs)
	if err != nil {
		return fmt.Errorf("looking up records: %w", err)
	}
	for i, r := range recs {
		r.src = states[refs[i]]
		if r.src.Linked() {
			r.target = r.src.Link.ID(rd.to)
			r.tgt = states[store.RecordRef{Side: rd.to, Object: r.obj, ID: r.target}]
		}
	}
	return nil
}

// readSource reads the records' current state from the source, one batch
// call per chunk of the API's limit. A record gone from the source writes
// nothing.
func (rd *round) readSource(ctx context.Context, obj hubforce.Object, rs []*record) ([]*record, error) {
	if rd.src.Source() == Carried {
		for _, r := range rs {
			r.values = map[string]string{}
			for _, it := range r.items {
				maps.Copy(r.values, rd.src.Values(it.Change))
				r.version = later(r.version, it.Change.Version)
			}
		}
		return rs, nil
	}
	ids := make([]string, len(rs))
	company := false
	for i, r := range rs {
		ids[i] = r.id
		company = company || (obj == hubforce.Contact && (r.company || rd.src.Source() == ReadBack))
	}
	current, err := rd.src.Read(ctx, obj, ids, rd.e.Mapping.Names(obj, rd.from), company)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", rd.from.Title(), err)
	}
	live := rs[:0]
	for _, r := range rs {
		rec, ok := current[r.id]
		if !ok {
			what := "the record no longer exists in " + rd.from.Title()
			if rd.src.Source() == ReadBack {
				// A notification for an id the org does not have: deleted
				// before delivery, or forged.
				what = "refused: no such record in " + rd.from.Title() + " (deleted since, or a forged notification)"
				rd.log.Warn().Str("object", string(obj)).Str("record", r.id).Msg("notification for a record " + rd.from.Title() + " does not have: nothing written")
				rd.settle.finishAs(r.items, hubforce.Skipped, what, "refused")
				continue
			}
			rd.settle.finish(r.items, hubforce.Skipped, what)
			continue
		}
		r.values, r.version, r.byBridge = rec.Fields, rec.Modified, rd.src.ByBridge(ctx, rec)
		for _, it := range r.items {
			r.version = later(r.version, it.Change.Version)
		}
		live = append(live, r)
	}
	return live, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// resolveTargets sets each record's counterpart: its link, or on first sync
// a match on the mapping's keys (email, domain, name), so that an existing
// record is updated rather than duplicated. A retried create finds what the
// lost attempt made the same way.
func (rd *round) resolveTargets(ctx context.Context, obj hubforce.Object, rs []*record) ([]*record, error) {
	// The bridge's own record, unlinked when the round began: the round
	// that made it may have recorded its link since (its echo often
	// arrives before that round commits), and looking again costs one
	// query where waiting costs another read of every such record.
	var late []*record
	for _, r := range rs {
		if r.target == "" && r.byBridge && r.items[0].Attempts < linkGrace {
			late = append(late, r)
		}
	}
	if len(late) > 0 {
		if err := rd.lookup(ctx, late); err != nil {
			return rs, err
		}
	}
	var unlinked []*record
	byKey := map[mapping.MatchKey][]string{}
	live := rs[:0]
	for _, r := range rs {
		if r.target != "" {
			live = append(live, r)
			continue
		}
		if r.byBridge && r.items[0].Attempts < linkGrace {
			// The bridge made this record a moment ago and its link is
			// being recorded: matching now would write it back.
			rd.settle.waitFor(r.items, "written by this bridge a moment ago; its link is being recorded")
			continue
		}
		live = append(live, r)
		r.all = true
		unlinked = append(unlinked, r)
		for _, m := range rd.e.Mapping.Matches(obj, rd.from, r.values) {
			byKey[m.Key] = append(byKey[m.Key], m.Value)
		}
	}
	found := map[mapping.MatchKey]map[string]string{}
	for _, key := range slices.SortedFunc(maps.Keys(byKey), compareKeys) {
		hits, err := rd.dst.Find(ctx, obj, key, uniq(byKey[key]))
		if err != nil {
			return rs, fmt.Errorf("matching on %s: %w", keyName(key, rd.to), err)
		}
		found[key] = hits
	}
	for _, r := range unlinked {
		for _, m := range rd.e.Mapping.Matches(obj, rd.from, r.values) {
			if id, ok := found[m.Key][m.Value]; ok {
				r.target, r.matched = id, true
				rd.settle.add.Links = append(rd.settle.add.Links, link(obj, rd.from, r.id, id, rd.e.Now()))
				break
			}
		}
	}
	return live, nil
}

// linkGrace is how many times an unlinked record the bridge itself last
// modified waits for its link before it is matched like any other.
const linkGrace = 3

func compareKeys(a, b mapping.MatchKey) int {
	return strings.Compare(a.HubSpot+"\x00"+a.Salesforce, b.HubSpot+"\x00"+b.Salesforce)
}

func keyName(k mapping.MatchKey, s hubforce.Side) string {
	if s == hubforce.HubSpot {
		return k.HubSpot
	}
	return k.Salesforce
}

// selectFields decides which of each record's source fields to write: the
// fields its changes name (every mapped one for a creation or a first
// sync), less the values the bridge wrote there itself (the echo backstop,
// SPEC §3.3); for a read-back, only the values that are news since the
// record was last seen (SPEC §3.2).
func (rd *round) selectFields(_ context.Context, obj hubforce.Object, rs []*record) ([]*record, error) {
	live := rs[:0]
	for _, r := range rs {
		candidates := map[string]bool{}
		if r.all {
			for _, f := range rd.e.Mapping.Names(obj, rd.from) {
				if rd.e.Mapping.Mapped(obj, rd.from, f) {
					candidates[f] = true
				}
			}
			r.company = r.company || (obj == hubforce.Contact && rd.src.Source() == ReadBack)
		} else {
			maps.Copy(candidates, r.fields)
		}
		if r.company && obj == hubforce.Contact {
			candidates[CompanyField] = true
		}
		var echoes []string
		r.fields = map[string]bool{}
		for f := range candidates {
			v := r.values[f]
			if w, ok := r.src.Written[f]; ok && w == v && !r.matched {
				echoes = append(echoes, f)
				continue
			}
			if rd.src.Source() == ReadBack && !news(r.src, f, v, r.version) {
				continue
			}
			r.fields[f] = true
			if rd.src.Source() == ReadBack {
				if r.seen == nil {
					r.seen = map[string]string{}
				}
				r.seen[f] = v
			}
		}
		r.company = r.fields[CompanyField]
		if len(r.fields) == 0 {
			if len(echoes) > 0 {
				slices.Sort(echoes)
				rd.settle.finish(r.items, hubforce.Echo, fmt.Sprintf("values equal to what this bridge last wrote (%s)", strings.Join(echoes, ", ")))
			} else {
				rd.settle.finish(r.items, hubforce.Skipped, "no field changed since it was last seen")
			}
			continue
		}
		live = append(live, r)
	}
	return live, nil
}

// news says whether value v of field f, read at version, is news: not seen
// at all, or not the value last seen or written there (SPEC §3.2: an equal
// version is not proof of staleness; a read older than what was seen is).
func news(st store.RecordState, f, v string, version time.Time) bool {
	h, known := st.Hashes[f]
	if !known {
		return true
	}
	if version.Before(st.Versions[f]) {
		return false
	}
	return store.ValueHash(v) != h
}

// readTargets reads the counterparts' current values when a decision needs
// them: a prefer-X-unless-blank field, or a two-way field the target changed
// after the source did (a possible conflict).
func (rd *round) readTargets(ctx context.Context, obj hubforce.Object, rs []*record) ([]*record, error) {
	conditional := len(rd.e.Mapping.ConditionalFields(obj, rd.from)) > 0
	var ids []string
	for _, r := range rs {
		if r.target != "" && (conditional || len(rd.suspects(obj, r)) > 0) {
			ids = append(ids, r.target)
		}
	}
	if len(ids) == 0 {
		return rs, nil
	}
	current, err := rd.dst.Read(ctx, obj, ids, rd.e.Mapping.Names(obj, rd.to), false)
	if err != nil {
		return rs, fmt.Errorf("reading %s: %w", rd.to.Title(), err)
	}
	for _, r := range rs {
		if rec, ok := current[r.target]; ok {
			r.current = rec.Fields
		}
	}
	return rs, nil
}

// suspects lists the record's two-way fields whose target version is newer
// than the source's change, target name to source name: the target may have
// changed them since, and the newer change wins.
func (rd *round) suspects(obj hubforce.Object, r *record) map[string]string {
	out := map[string]string{}
	for f := range r.fields {
		mf, ok := rd.e.Mapping.Field(obj, rd.from, f)
		if !ok || mf.Rule != mapping.TwoWay {
			continue
		}
		t := mf.Name(rd.to)
		if r.tgt.Versions[t].After(rd.fieldVersion(r, f)) {
			out[t] = f
		}
	}
	return out
}

// fieldVersion is when the source changed field f: the latest change that
// names it (or names none: a creation carries every field), else the
// record's version.
func (rd *round) fieldVersion(r *record, f string) time.Time {
	var at time.Time
	if rd.src.Source() != ReadBack {
		for _, it := range r.items {
			fields := rd.src.Values(it.Change)
			if _, ok := fields[f]; ok || len(fields) == 0 {
				at = later(at, it.Change.Version)
			}
		}
	}
	if at.IsZero() {
		at = r.version
	}
	return at
}

// translate turns each record's selected source values into a write,
// settling what it cannot write (a validation problem) or need not (nothing
// left to change).
func (rd *round) translate(ctx context.Context, obj hubforce.Object, rs []*record) ([]*record, error) {
	companies, err := rd.companies(ctx, rs)
	if err != nil {
		return rs, err
	}
	live := rs[:0]
	for _, r := range rs {
		src := map[string]string{}
		for f := range r.fields {
			if f != CompanyField {
				src[f] = r.values[f]
			}
		}
		var opts []mapping.Option
		if r.target == "" {
			opts = append(opts, mapping.Creating())
		} else if r.current != nil {
			opts = append(opts, mapping.Current(r.current))
		}
		out, problems := rd.e.Mapping.Translate(obj, rd.from, src, opts...)
		if len(problems) > 0 {
			p := problems[0]
			rd.settle.fail(r.items, &hubforce.APIError{Side: rd.to, Class: hubforce.Validation, Code: p.Category, Message: p.Message, Fields: []string{p.Field}}, false)
			continue
		}
		if r.target != "" && !r.matched {
			// A value equal to what the bridge last put there is not a
			// change, and must neither be written nor conflict.
			for f, v := range out {
				if w, ok := r.tgt.Written[f]; ok && w == v.Text {
					delete(out, f)
				}
			}
			rd.dropConflicts(obj, r, out)
			rd.unmarkRestored(obj, r, out)
		}
		w := &Write{ID: r.target, Values: out}
		if r.company {
			source := r.values[CompanyField]
			switch target, ok := companies[source]; {
			case source == "":
				w.Company = new("")
			case ok:
				if r.tgt.Written[CompanyField] != target || r.matched || r.target == "" {
					w.Company = &target
				}
			default:
				// Its own sync links it; the change that carried it waits.
				r.waitCompany = true
			}
		}
		if len(w.Values) == 0 && w.Company == nil {
			if r.waitCompany {
				rd.settle.waitFor(r.items, "waiting for the company to be linked")
			} else {
				rd.settle.finish(r.items, hubforce.Skipped, "nothing to change on "+rd.to.Title())
			}
			continue
		}
		r.write = w
		for f := range r.fields {
			// A create names what it filled in; an update names blanks too.
			if r.target != "" || r.values[f] != "" {
				r.changed = append(r.changed, f)
			}
		}
		slices.Sort(r.changed)
		live = append(live, r)
	}
	return live, nil
}

// companies maps the source company ids the records point to onto their
// linked counterparts.
func (rd *round) companies(ctx context.Context, rs []*record) (map[string]string, error) {
	var refs []store.RecordRef
	for _, r := range rs {
		if id := r.values[CompanyField]; r.company && id != "" {
			refs = append(refs, store.RecordRef{Side: rd.from, Object: hubforce.Company, ID: id})
		}
	}
	out := map[string]string{}
	if len(refs) == 0 {
		return out, nil
	}
	states, err := rd.e.Store.Lookup(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("looking up companies: %w", err)
	}
	for _, ref := range refs {
		if st := states[ref]; st.Linked() {
			out[ref.ID] = st.Link.ID(rd.to)
		}
	}
	return out, nil
}

// dropConflicts removes the two-way fields the target changed after the
// source did, to a value that is neither the incoming one nor the bridge's
// own write there: the newer change wins (SPEC §1, rule two-way).
//
// Versions alone cannot always tell: Salesforce's have whole seconds, so a
// Salesforce edit made in the same second as a HubSpot change the bridge
// wrote there looks older than it (HubSpot's have milliseconds). Causality
// can: when the target still holds the value the bridge last copied onto
// the source, the source's different value was set after that copy, so it
// is the newer change.
func (rd *round) dropConflicts(obj hubforce.Object, r *record, out map[string]mapping.Value) {
	if r.current == nil {
		return
	}
	for t, f := range rd.suspects(obj, r) {
		v, ok := out[t]
		if !ok {
			continue
		}
		now := r.current[t]
		if now == v.Text || now == r.tgt.Written[t] || rd.copiedToSource(obj, r, t, f, now) {
			continue
		}
		delete(out, t)
		rd.e.Log.Info().Str("object", string(obj)).Str("record", r.id).Str("field", t).
			Msgf("conflict: %s changed %s more recently; its value stays", rd.to.Title(), t)
		if rd.e.Observe != nil {
			rd.e.Observe.Conflict(obj, t)
		}
		rd.settle.note(r.items[len(r.items)-1], hubforce.Conflicted, fmt.Sprintf("field %s not written: %s's change is newer", t, rd.to.Title()))
	}
}

// copiedToSource says whether the target's current value of t is what the
// bridge last wrote to the source's field f: the target has not changed it
// since the bridge copied it across.
func (rd *round) copiedToSource(obj hubforce.Object, r *record, t, f, now string) bool {
	w, ok := r.src.Written[f]
	if !ok {
		return false
	}
	back, problems := rd.e.Mapping.Translate(obj, rd.to, map[string]string{t: now})
	got, ok := back[f]
	return len(problems) == 0 && ok && got.Text == w
}

// failAll settles every record with the same error: a call failed before
// any of them was written.
func (rd *round) failAll(rs []*record, err error) {
	for _, r := range rs {
		rd.settle.fail(r.items, err, true)
	}
}
