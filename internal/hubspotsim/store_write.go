package hubspotsim

import (
	"strconv"
	"strings"
	"time"
)

// writeResult is what a mutation hands back: the record after the write,
// whether it was created, and the webhook events it causes.
type writeResult struct {
	rec     *record
	created bool
	events  []Event
}

func (o *objectStore) baseEvent(kind string, id int64, src Source, at time.Time) Event {
	return Event{SubscriptionType: o.t.singular + "." + kind, ObjectID: id,
		ChangeSource: src.ChangeSource, SourceID: src.SourceID, OccurredAt: at.UnixMilli()}
}

func (o *objectStore) propertyEvent(id int64, name, value string, src Source, at time.Time) Event {
	ev := o.baseEvent("propertyChange", id, src, at)
	ev.PropertyName, ev.PropertyValue = name, strPtr(value)
	return ev
}

// checkUnique returns the 409 for a unique value owned by another live
// record. Callers hold mu.
func (o *objectStore) checkUnique(props map[string]string, self int64) *APIError {
	v, ok := props[o.t.uniqueProp]
	if !ok || v == "" {
		return nil
	}
	if owner, taken := o.unique[v]; taken && owner != self {
		return conflictErr(o.t, owner)
	}
	return nil
}

func (o *objectStore) normalise(props map[string]string) map[string]string {
	out := make(map[string]string, len(props))
	for k, v := range props {
		out[k] = o.t.normaliseValue(k, v)
	}
	return out
}

// create adds a record. HubSpot sends creation plus one propertyChange per
// property set (observed in real captures: same occurredAt).
func (s *store) create(o *objectStore, props map[string]string, src Source) (writeResult, *APIError) {
	if errs := o.t.validate(props, s.portalID); len(errs) > 0 {
		return writeResult{}, propertyErrors(errs)
	}
	props = o.normalise(props)
	if err := o.checkUnique(props, 0); err != nil {
		return writeResult{}, err
	}
	at := s.stamp()
	o.nextID++
	r := &record{id: o.nextID, props: map[string]string{}, created: at, updated: at}
	idStr := strconv.FormatInt(r.id, 10)
	r.props["createdate"], r.props["hs_object_id"], r.props[o.t.modifiedProp] = isoMillis(at), idStr, isoMillis(at)
	ev := o.baseEvent("creation", r.id, src, at)
	ev.ChangeFlag = "CREATED"
	res := writeResult{rec: r, created: true, events: []Event{ev}}
	for _, k := range sortedKeys(props) {
		if props[k] == "" {
			continue
		}
		r.props[k] = props[k]
		r.addHistory(k, props[k], src, at)
		res.events = append(res.events, o.propertyEvent(r.id, k, props[k], src, at))
	}
	o.recs[r.id] = r
	if v := r.props[o.t.uniqueProp]; v != "" {
		o.unique[v] = r.id
	}
	s.index(r, at)
	return res, nil
}

// update writes changed values. Unchanged values, and lifecycle stages that
// would move backward, are no-ops; a write that changes nothing leaves the
// modification date alone.
func (s *store) update(o *objectStore, r *record, props map[string]string, src Source) (writeResult, *APIError) {
	if errs := o.t.validate(props, s.portalID); len(errs) > 0 {
		return writeResult{}, propertyErrors(errs)
	}
	props = o.normalise(props)
	if err := o.checkUnique(props, r.id); err != nil {
		return writeResult{}, err
	}
	changed := map[string]string{}
	for k, v := range props {
		cur, had := r.props[k]
		if (had && cur == v) || (!had && v == "") {
			continue
		}
		if k == "lifecyclestage" && o.t.name == "contacts" && had && v != "" &&
			lifecycleOrder[v] > 0 && lifecycleOrder[v] < lifecycleOrder[cur] {
			continue
		}
		changed[k] = v
	}
	res := writeResult{rec: r}
	if len(changed) == 0 {
		return res, nil
	}
	at := s.stamp()
	for _, k := range sortedKeys(changed) {
		s.setProp(o, r, k, changed[k])
		r.addHistory(k, changed[k], src, at)
		res.events = append(res.events, o.propertyEvent(r.id, k, changed[k], src, at))
	}
	s.touch(o, r, at)
	return res, nil
}

// setProp stores one value and keeps the unique index in step. Callers hold mu.
func (s *store) setProp(o *objectStore, r *record, k, v string) {
	if k == o.t.uniqueProp {
		if old := r.props[k]; old != "" && o.unique[old] == r.id {
			delete(o.unique, old)
		}
		if v != "" {
			o.unique[v] = r.id
		}
	}
	if v == "" {
		delete(r.props, k)
		return
	}
	r.props[k] = v
}

func (s *store) touch(o *objectStore, r *record, at time.Time) {
	r.updated = at
	r.props[o.t.modifiedProp] = isoMillis(at)
	s.index(r, at)
}

func (s *store) archive(o *objectStore, r *record, src Source) writeResult {
	at := s.stamp()
	r.archived, r.archivedAt = true, at
	if v := r.props[o.t.uniqueProp]; v != "" && o.unique[v] == r.id {
		delete(o.unique, v)
	}
	s.index(r, at)
	ev := o.baseEvent("deletion", r.id, src, at)
	ev.ChangeFlag = "DELETED"
	return writeResult{rec: r, events: []Event{ev}}
}

func (s *store) restore(o *objectStore, r *record, src Source) (writeResult, *APIError) {
	if err := o.checkUnique(r.props, r.id); err != nil {
		return writeResult{}, err
	}
	at := s.stamp()
	r.archived, r.archivedAt = false, time.Time{}
	if v := r.props[o.t.uniqueProp]; v != "" {
		o.unique[v] = r.id
	}
	s.touch(o, r, at)
	return writeResult{rec: r, events: []Event{o.baseEvent("restore", r.id, src, at)}}, nil
}

// merge folds loser into winner: the winner keeps its id and values, takes
// the loser's values where it has none, records the loser in
// hs_merged_object_ids, and the loser's id then resolves to the winner.
func (s *store) merge(o *objectStore, winner, loser *record, src Source) writeResult {
	at := s.stamp()
	moved := 0
	for k, v := range loser.props {
		if o.t.readOnly[k] || k == o.t.uniqueProp {
			continue
		}
		if _, has := winner.props[k]; !has {
			winner.props[k] = v
			winner.addHistory(k, v, src, at)
			moved++
		}
	}
	if v := loser.props[o.t.uniqueProp]; v != "" {
		extra := "hs_additional_emails"
		if o.t.name == "companies" {
			extra = "hs_additional_domains"
		}
		winner.props[extra] = joinNonEmpty(winner.props[extra], v)
		o.unique[v] = winner.id
	}
	winner.props["hs_merged_object_ids"] = joinNonEmpty(winner.props["hs_merged_object_ids"], strconv.FormatInt(loser.id, 10))
	delete(o.recs, loser.id)
	o.alias[loser.id] = winner.id
	for from, to := range o.alias {
		if to == loser.id {
			o.alias[from] = winner.id
		}
	}
	s.moveAssociations(o.t.name, loser.id, winner.id)
	s.touch(o, winner, at)
	ev := o.baseEvent("merge", winner.id, src, at)
	ev.PrimaryObjectID, ev.MergedObjectIDs, ev.NewObjectID = winner.id, []int64{loser.id}, winner.id
	ev.NumberOfPropertiesMoved = &moved
	return writeResult{rec: winner, events: []Event{ev}}
}

// privacyDelete removes a contact for good (GDPR delete): HubSpot fires
// contact.privacyDeletion and contact.deletion for it.
func (s *store) privacyDelete(o *objectStore, r *record, src Source) writeResult {
	at := s.stamp()
	if v := r.props[o.t.uniqueProp]; v != "" && o.unique[v] == r.id {
		delete(o.unique, v)
	}
	delete(o.recs, r.id)
	delete(s.assoc, r.id)
	del := o.baseEvent("deletion", r.id, src, at)
	del.ChangeFlag = "DELETED"
	return writeResult{events: []Event{o.baseEvent("privacyDeletion", r.id, src, at), del}}
}

func joinNonEmpty(list, v string) string {
	if list == "" {
		return v
	}
	for _, x := range strings.Split(list, ";") {
		if x == v {
			return list
		}
	}
	return list + ";" + v
}

// mergeByID resolves both records and merges them. Callers hold mu.
func (s *store) mergeByID(o *objectStore, primaryID, mergedID string, src Source) (writeResult, *APIError) {
	winner, err := o.find(primaryID, "", false)
	if err != nil {
		return writeResult{}, err
	}
	loser, err := o.find(mergedID, "", false)
	if err != nil {
		return writeResult{}, err
	}
	if winner.id == loser.id {
		return writeResult{}, validationErr("Cannot merge an object with itself")
	}
	return s.merge(o, winner, loser, src), nil
}
