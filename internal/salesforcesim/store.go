package salesforcesim

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// store holds the org's records. Writes go through a txn so that an
// allOrNone collection call can roll back, and so that Outbound Messages are
// queued only for committed changes.
type store struct {
	mu      sync.Mutex
	schemas map[string]*schema
	rows    map[string]map[string]*record // sObject → 18-char id → record
	order   map[string][]string           // creation order, for stable listings
	seq     uint64
	now     func() time.Time
	// onChange is called after a commit for every created or updated record
	// (workflow rules, which fire Outbound Messages, evaluate on create and
	// edit only — never on delete).
	onChange func(sobject, id string)
}

func newStore(schemas map[string]*schema, now func() time.Time) *store {
	st := &store{schemas: schemas, rows: map[string]map[string]*record{}, order: map[string][]string{}, now: now}
	for name := range schemas {
		st.rows[name] = map[string]*record{}
	}
	return st
}

// txn is a unit of writes under st.mu.
type txn struct {
	st      *store
	saved   map[string]*record // key type/id → state before the txn; nil = created in it
	changed []string           // type/id, in order, to notify on commit
}

func (st *store) begin() *txn {
	st.mu.Lock()
	return &txn{st: st, saved: map[string]*record{}}
}

func (t *txn) remember(r *record) {
	k := r.typ + "/" + r.id
	if _, ok := t.saved[k]; !ok {
		t.saved[k] = r.clone()
	}
}

// commit ends the txn and notifies the changes.
func (t *txn) commit() {
	changed := t.changed
	t.st.mu.Unlock()
	if t.st.onChange == nil {
		return
	}
	for _, k := range changed {
		typ, id, _ := strings.Cut(k, "/")
		t.st.onChange(typ, id)
	}
}

// rollback restores every record the txn touched and ends it.
func (t *txn) rollback() {
	for k, old := range t.saved {
		typ, id, _ := strings.Cut(k, "/")
		if old == nil {
			delete(t.st.rows[typ], id)
			ord := t.st.order[typ]
			for i, x := range ord {
				if x == id {
					t.st.order[typ] = append(ord[:i:i], ord[i+1:]...)
					break
				}
			}
			continue
		}
		t.st.rows[typ][id] = old
	}
	t.st.mu.Unlock()
}

// lookup finds a live or deleted record by a 15/18-char id.
func (t *txn) lookup(typ, rawID string) (*record, *recError) {
	id, ok := normaliseID(rawID)
	if !ok || id[:3] != prefixOf(typ) {
		return nil, errMalformedID(typ, rawID, "Id")
	}
	r, ok := t.st.rows[typ][id]
	if !ok {
		// A well-formed id of the right type that no record has.
		return nil, recErr("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
	}
	return r, nil
}

// insert creates a record from coerced values.
func (t *txn) insert(typ string, vals map[string]any, user string) (string, *recError) {
	sch := t.st.schemas[typ]
	if _, ok := vals["Id"]; ok {
		return "", recErr("INVALID_FIELD", "cannot specify Id in an insert call", "Id")
	}
	r := &record{typ: typ, fields: map[string]any{}, createdBy: user, modifiedBy: user}
	if e := t.apply(sch, r, vals); e != nil {
		return "", e
	}
	t.st.seq++
	r.id = newID(prefixOf(typ), t.st.seq)
	now := nextStamp(time.Time{}, t.st.now())
	r.created, r.modified, r.modstamp = now, now, now
	if _, ok := r.fields["OwnerId"]; !ok {
		r.fields["OwnerId"] = user
	}
	t.st.rows[typ][r.id] = r
	t.st.order[typ] = append(t.st.order[typ], r.id)
	t.saved[typ+"/"+r.id] = nil
	t.changed = append(t.changed, typ+"/"+r.id)
	return r.id, nil
}

// update writes coerced values to an existing record.
func (t *txn) update(r *record, vals map[string]any, user string) *recError {
	if r.deleted {
		return errDeleted()
	}
	t.remember(r)
	next := r.clone()
	delete(vals, "Id")
	if e := t.apply(t.st.schemas[r.typ], next, vals); e != nil {
		return e
	}
	stamp := nextStamp(r.modstamp, t.st.now())
	next.modified, next.modstamp, next.modifiedBy = stamp, stamp, user
	t.st.rows[r.typ][r.id] = next
	t.changed = append(t.changed, r.typ+"/"+r.id)
	return nil
}

// remove moves a record to the recycle bin (IsDeleted, visible to queryAll).
func (t *txn) remove(r *record, user string) *recError {
	if r.deleted {
		return errDeleted()
	}
	t.remember(r)
	next := r.clone()
	next.deleted = true
	stamp := nextStamp(r.modstamp, t.st.now())
	next.modified, next.modstamp, next.modifiedBy = stamp, stamp, user
	t.st.rows[r.typ][r.id] = next
	if r.typ == "Account" {
		// Deleting an account deletes its contacts too (Salesforce Help,
		// "Delete Accounts"); no workflow rule fires for them either.
		for _, id := range t.st.order["Contact"] {
			if c := t.st.rows["Contact"][id]; !c.deleted && c.fields["AccountId"] == r.id {
				_ = t.remove(c, user)
			}
		}
	}
	return nil
}

// apply merges vals into r and validates the result as Salesforce does on
// save: required fields, email format, references, unique external ids.
func (t *txn) apply(sch *schema, r *record, vals map[string]any) *recError {
	for k, v := range vals {
		if v == nil {
			delete(r.fields, k)
		} else {
			r.fields[k] = v
		}
	}
	var missing []string
	for _, f := range sch.fields {
		if f.required && r.fields[f.name] == nil {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return errRequiredMissing(missing)
	}
	for _, f := range sch.fields {
		v, ok := r.fields[f.name].(string)
		if !ok {
			continue
		}
		if f.email && !emailRE.MatchString(v) {
			return recErr("INVALID_EMAIL_ADDRESS", f.name+": invalid email address: "+v, f.name)
		}
		if f.ref != "" && f.ref != "User" {
			if ref, ok := t.st.rows[f.ref][v]; !ok || ref.deleted {
				return recErr("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", f.name)
			}
		}
		if sch.extIDs[f.name] {
			for _, other := range t.st.rows[sch.name] {
				if other.id != r.id && !other.deleted && other.fields[f.name] == v {
					return recErr("DUPLICATE_VALUE", fmt.Sprintf(
						"duplicate value found: %s duplicates value on record with id: %s", f.name, other.id), f.name)
				}
			}
		}
	}
	return nil
}

// match finds the live records whose key field equals value, for upserts.
// Email matches case-insensitively; custom external ids exactly (they are
// case-sensitive unless defined otherwise).
func (t *txn) match(typ string, key field, value string) []*record {
	var out []*record
	for _, id := range t.st.order[typ] {
		r := t.st.rows[typ][id]
		if r.deleted {
			continue
		}
		v, _ := r.value(key.name).(string)
		if v == value || (key.email || key.name == "Name") && strings.EqualFold(v, value) {
			out = append(out, r)
		}
	}
	return out
}
