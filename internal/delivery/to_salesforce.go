package delivery

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// toSalesforce delivers HubSpot changes: read the records' current state
// with one batch read, coalesce each record's events into one write, and
// write with sObject Collections.
func (e *Engine) toSalesforce(ctx context.Context, items []store.Claimed) {
	byObj := map[hubforce.Object][]*record{}
	for _, r := range group(items) {
		if e.triageHubSpot(ctx, r) {
			byObj[r.object] = append(byObj[r.object], r)
		}
	}
	for _, obj := range []hubforce.Object{hubforce.Contact, hubforce.Company} {
		if rs := byObj[obj]; len(rs) > 0 {
			e.writeSalesforce(ctx, obj, rs)
		}
	}
}

// triageHubSpot settles what needs no write (echoes, deletions under the
// default policy, unmapped properties) and keeps the rest in r. It reports
// whether anything is left to deliver.
func (e *Engine) triageHubSpot(ctx context.Context, r *record) bool {
	to := hubforce.Salesforce
	ownApp := strconv.FormatInt(e.Config.HubSpotAppID, 10)
	var keep, echo, skipped, unmapped []store.Claimed
	for _, it := range r.items {
		c := it.Change
		switch {
		case c.ChangeSource == "INTEGRATION" && e.Config.HubSpotAppID != 0 && c.SourceID == ownApp:
			echo = append(echo, it)
		case c.Kind == hubforce.KindDelete || c.Kind == hubforce.KindPrivacyDelete:
			skipped = append(skipped, it)
		case c.Kind == hubforce.KindMerge:
			e.repointMerge(ctx, c)
			r.all = true
			keep = append(keep, it)
		case c.Kind == hubforce.KindAssociation:
			if r.object != hubforce.Contact || (!c.AssociationPrimary && !c.AssociationRemoved) {
				skipped = append(skipped, it)
				continue
			}
			cc := c
			r.assoc = &cc
			keep = append(keep, it)
		case c.Kind == hubforce.KindCreate || c.Kind == hubforce.KindRestore:
			r.all = true
			keep = append(keep, it)
		default:
			if e.markMapped(r, hubforce.HubSpot, c.Fields) {
				keep = append(keep, it)
			} else {
				unmapped = append(unmapped, it)
			}
		}
	}
	e.finish(ctx, to, echo, hubforce.Echo, "written by this bridge (changeSource INTEGRATION, sourceId = the app id)")
	e.finish(ctx, to, skipped, hubforce.Skipped, "not propagated: deletions are recorded, not mirrored (and only primary company associations are synced)")
	e.finish(ctx, to, unmapped, hubforce.Unmapped, "no mapping for this property")
	r.items = keep
	return len(keep) > 0
}

// repointMerge moves the link of a merged-away record to the survivor.
func (e *Engine) repointMerge(ctx context.Context, c hubforce.Change) {
	survivor := c.NewID
	if survivor == "" {
		survivor = c.RecordID
	}
	if _, linked, err := e.link(ctx, c.Object, hubforce.HubSpot, survivor); err != nil || linked {
		for _, id := range c.MergedIDs {
			if id != survivor {
				_ = e.Store.DeleteLink(ctx, c.Object, hubforce.HubSpot, id)
			}
		}
		return
	}
	for _, id := range c.MergedIDs {
		sf, ok, err := e.link(ctx, c.Object, hubforce.HubSpot, id)
		if err != nil || !ok {
			continue
		}
		_ = e.Store.DeleteLink(ctx, c.Object, hubforce.HubSpot, id)
		if err := e.putLink(ctx, c.Object, hubforce.HubSpot, survivor, sf); err == nil {
			return
		}
	}
}

func (e *Engine) writeSalesforce(ctx context.Context, obj hubforce.Object, rs []*record) {
	to := hubforce.Salesforce
	props := e.Mapping.HubSpotProperties(obj)
	var read []string
	for _, r := range rs {
		if r.all || len(r.fields) > 0 {
			read = append(read, r.id)
		}
	}
	current := map[string]hubforce.Record{}
	if len(read) > 0 {
		var err error
		if current, err = e.HubSpot.Read(ctx, obj, read, props); err != nil {
			e.failAll(ctx, to, rs, err)
			return
		}
	}
	live := rs[:0]
	for _, r := range rs {
		if slices.Contains(read, r.id) {
			rec, ok := current[r.id]
			if !ok {
				e.finish(ctx, to, r.items, hubforce.Skipped, "the record no longer exists in HubSpot")
				continue
			}
			r.values = rec.Fields
		}
		live = append(live, r)
	}
	rs = live
	if err := e.resolveSalesforceTargets(ctx, obj, rs); err != nil {
		e.failAll(ctx, to, rs, err)
		return
	}
	sfCurrent, err := e.salesforceCurrent(ctx, obj, rs)
	if err != nil {
		e.failAll(ctx, to, rs, err)
		return
	}

	var b batch[map[string]any]
	for _, r := range rs {
		if out, ok := e.salesforceFields(ctx, obj, r, sfCurrent[r.targetID]); ok {
			b.add(r, out)
		}
	}
	write(ctx, e, target[map[string]any]{
		side: hubforce.Salesforce, object: obj, name: obj.SalesforceName(), text: stringify,
		create: func(ctx context.Context, in []map[string]any) ([]hubforce.WriteResult, error) {
			return e.Salesforce.Create(ctx, obj, in)
		},
		update: func(ctx context.Context, ids []string, in []map[string]any) ([]hubforce.WriteResult, error) {
			return e.Salesforce.Update(ctx, obj, ids, in)
		},
		createCall: "POST /composite/sobjects", updateCall: "PATCH /composite/sobjects",
	}, b)
}

// resolveSalesforceTargets sets each record's Salesforce counterpart: its
// link, or on first sync a match on the mapping's keys (email, website,
// name) so that an existing record is updated rather than duplicated. A
// retried create finds what the lost attempt made the same way.
func (e *Engine) resolveSalesforceTargets(ctx context.Context, obj hubforce.Object, rs []*record) error {
	var unlinked []*record
	for _, r := range rs {
		id, ok, err := e.link(ctx, obj, hubforce.HubSpot, r.id)
		if err != nil {
			return fmt.Errorf("looking up link: %w", err)
		}
		if ok {
			r.targetID = id
			continue
		}
		r.all = true
		unlinked = append(unlinked, r)
	}
	if len(unlinked) == 0 {
		return nil
	}
	// One query per key field over every unlinked record.
	byField := map[string][]string{}
	for _, r := range unlinked {
		for _, m := range e.Mapping.Matches(obj, hubforce.HubSpot, r.values) {
			byField[m.Key.Salesforce] = append(byField[m.Key.Salesforce], candidates(m)...)
		}
	}
	found := map[string]map[string][]hubforce.Record{}
	for field, values := range byField {
		f, err := e.Salesforce.FindBy(ctx, obj, field, uniq(values), []string{"Id", field})
		if err != nil {
			return fmt.Errorf("matching on %s: %w", field, err)
		}
		found[field] = normalised(f, obj, field, e.Mapping)
	}
	for _, r := range unlinked {
		for _, m := range e.Mapping.Matches(obj, hubforce.HubSpot, r.values) {
			if hits := found[m.Key.Salesforce][m.Value]; len(hits) > 0 {
				r.targetID, r.matched = hits[0].ID, true
				if err := e.putLink(ctx, obj, hubforce.HubSpot, r.id, r.targetID); err != nil {
					return fmt.Errorf("linking matched record: %w", err)
				}
				break
			}
		}
	}
	return nil
}

// salesforceCurrent reads the linked Salesforce records when a decision
// needs their values: a prefer-salesforce-unless-blank field, or a
// Salesforce change newer than the HubSpot one (a possible conflict).
func (e *Engine) salesforceCurrent(ctx context.Context, obj hubforce.Object, rs []*record) (map[string]hubforce.Record, error) {
	conditional := len(e.Mapping.ConditionalFields(obj, hubforce.HubSpot)) > 0
	var ids []string
	for _, r := range rs {
		if r.targetID == "" {
			continue
		}
		if conditional || e.salesforceNewer(ctx, obj, r) {
			ids = append(ids, r.targetID)
		}
	}
	if len(ids) == 0 {
		return map[string]hubforce.Record{}, nil
	}
	return e.Salesforce.Get(ctx, obj, ids, e.Mapping.SalesforceFields(obj))
}

func (e *Engine) salesforceNewer(ctx context.Context, obj hubforce.Object, r *record) bool {
	v, err := e.Store.Versions(ctx, hubforce.Salesforce, obj, r.targetID)
	if err != nil {
		return false
	}
	sf := v["*"]
	for _, it := range r.items {
		if sf.After(it.Change.Version) {
			return true
		}
	}
	return false
}

// salesforceFields translates one record. ok is false when the record was
// settled here (nothing to write, an echo, or a validation failure).
func (e *Engine) salesforceFields(ctx context.Context, obj hubforce.Object, r *record, sf hubforce.Record) (map[string]any, bool) {
	to := hubforce.Salesforce
	src := map[string]string{}
	if r.all {
		src = r.values
	} else if len(r.fields) > 0 {
		written, _ := e.Store.LastWritten(ctx, hubforce.HubSpot, obj, r.id)
		kept, dropped := withoutEchoValues(r.fields, r.values, written)
		if len(dropped) > 0 && len(kept) == 0 && r.assoc == nil {
			e.finish(ctx, to, r.items, hubforce.Echo, fmt.Sprintf("values equal to what this bridge last wrote (%v)", dropped))
			return nil, false
		}
		for f := range kept {
			src[f] = r.values[f]
		}
	}
	var opts []mapping.Option
	if r.targetID == "" {
		opts = append(opts, mapping.Creating())
	} else if sf.Fields != nil {
		e.dropConflicts(ctx, obj, r, src, sf)
		opts = append(opts, mapping.Current(sf.Fields))
	}
	out, problems := e.Mapping.ToSalesforce(obj, src, opts...)
	if len(problems) > 0 {
		p := problems[0]
		e.settle(ctx, to, r.items, &hubforce.APIError{Side: to, Class: hubforce.Validation, Code: p.Category, Message: p.Message, Fields: []string{p.Field}}, "", nil)
		return nil, false
	}
	if r.targetID != "" && !r.matched {
		// A value equal to what the bridge last put in Salesforce is not
		// a change (a creation event carries every property).
		synced, _ := e.Store.LastWritten(ctx, hubforce.Salesforce, obj, r.targetID)
		for f, v := range stringify(out) {
			if w, ok := synced[f]; ok && w == v {
				delete(out, f)
			}
		}
	}
	if a := r.assoc; a != nil {
		if a.AssociationRemoved {
			out["AccountId"] = nil
		} else if acct, ok, err := e.link(ctx, hubforce.Company, hubforce.HubSpot, a.AssociatedID); err == nil && ok {
			out["AccountId"] = acct
		} else {
			// The company is not linked yet: its own sync will link it;
			// the association waits behind it.
			e.holdAssociation(ctx, to, r)
		}
	}
	if len(out) == 0 {
		e.finish(ctx, to, r.items, hubforce.Skipped, "nothing to change on Salesforce")
		return nil, false
	}
	return out, true
}

// holdAssociation takes the association change out of this write and
// reschedules it shortly.
func (e *Engine) holdAssociation(ctx context.Context, to hubforce.Side, r *record) {
	var keep, wait []store.Claimed
	for _, it := range r.items {
		if it.Change.Kind == hubforce.KindAssociation {
			wait = append(wait, it)
		} else {
			keep = append(keep, it)
		}
	}
	r.items = keep
	e.settle(ctx, to, wait, &hubforce.APIError{Side: to, Class: hubforce.Retryable, Message: "waiting for the company to be linked"}, "", nil)
}

// dropConflicts removes two-way fields whose Salesforce value differs and
// changed after the HubSpot change: the newer change wins.
func (e *Engine) dropConflicts(ctx context.Context, obj hubforce.Object, r *record, src map[string]string, sf hubforce.Record) {
	versions, err := e.Store.Versions(ctx, hubforce.Salesforce, obj, r.targetID)
	if err != nil {
		return
	}
	sfAt := versions["*"]
	if sfAt.IsZero() {
		sfAt = sf.Modified
	}
	// Salesforce's version may be the echo of the bridge's own write: a
	// field counts as changed there only if its value is not what the
	// bridge wrote.
	synced, _ := e.Store.LastWritten(ctx, hubforce.Salesforce, obj, r.targetID)
	for prop, v := range src {
		f, ok := e.Mapping.Field(obj, hubforce.HubSpot, prop)
		if !ok || f.Rule != mapping.TwoWay {
			continue
		}
		hsAt := fieldVersion(r.items, prop)
		winner, _ := e.Mapping.Resolve(obj, prop, v, sf.Fields[f.Salesforce], hsAt, sfAt)
		now := sf.Fields[f.Salesforce]
		if winner == hubforce.Salesforce && now != v && now != synced[f.Salesforce] {
			delete(src, prop)
			e.conflict(ctx, r, obj, prop, "Salesforce's change is newer")
		}
	}
}

func (e *Engine) conflict(ctx context.Context, r *record, obj hubforce.Object, field, why string) {
	e.Log.Info().Str("object", string(obj)).Str("record", r.id).Str("field", field).Msg("conflict: " + why)
	if e.Observe != nil {
		e.Observe.Conflict(obj, field)
	}
	e.history(ctx, r.items[len(r.items)-1:], hubforce.Conflicted, fmt.Sprintf("field %s not written: %s", field, why), nil)
}

// fieldVersion is when the record's changes last touched prop (the latest
// change when none names it: a creation carries every field).
func fieldVersion(items []store.Claimed, prop string) time.Time {
	var at time.Time
	for _, it := range items {
		if _, ok := it.Change.Fields[prop]; ok || len(it.Change.Fields) == 0 {
			if it.Change.Version.After(at) {
				at = it.Change.Version
			}
		}
	}
	return at
}

// candidates are the values a key may be stored as on Salesforce: a
// Website holds a URL, so a domain is looked for in its usual spellings.
func candidates(m mapping.MatchValue) []string {
	if m.Key.Kind != mapping.MatchDomain {
		return []string{m.Value}
	}
	d := m.Value
	return []string{d, "www." + d, "http://" + d, "https://" + d, "http://www." + d, "https://www." + d,
		"http://" + d + "/", "https://" + d + "/", "https://www." + d + "/", "http://www." + d + "/"}
}

// normalised re-keys FindBy's answer by the normalised match value.
func normalised(found map[string][]hubforce.Record, obj hubforce.Object, field string, m *mapping.Mapping) map[string][]hubforce.Record {
	out := map[string][]hubforce.Record{}
	for _, recs := range found {
		for _, rec := range recs {
			for _, mv := range m.Matches(obj, hubforce.Salesforce, map[string]string{field: rec.Fields[field]}) {
				if mv.Key.Salesforce == field {
					out[mv.Value] = append(out[mv.Value], rec)
				}
			}
		}
	}
	return out
}

func uniq(v []string) []string {
	slices.Sort(v)
	return slices.Compact(v)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
