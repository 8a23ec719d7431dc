package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// item is one change of a group with the slot its decision goes to.
type item struct {
	c          *hubforce.Change
	dec        *hubforce.Decision
	receivedAt time.Time // when it was acknowledged, if before this commit (inbox)
	// received is the change's fields as delivered, for its history; c's
	// own lose those judged duplicate or stale (judgeVersions).
	received map[string]string
	// detail says why a change was judged a duplicate or stale.
	detail string
}

// commitGroup judges and records a group's changes in one transaction, a
// few multi-row statements per phase rather than one per change (a round
// trip each on PostgreSQL).
//
// Each phase takes its row locks in one global order (sorted keys), so that
// the groups of several replicas on one PostgreSQL database wait for each
// other but never deadlock:
//  1. delivery ids, INSERT … ON CONFLICT DO NOTHING RETURNING: an id not
//     returned is a duplicate, and so is a repeat within the group;
//  2. one row per record, upserted to lock it, so that two groups touching
//     the same record commit its pending changes in sequence order;
//  3. versions, upserted only WHERE the new one is greater: a key not
//     returned is stale. A key occurring twice in the group is judged in
//     rounds, in delivery order;
//  4. pending changes and history, plain inserts in delivery order (which
//     gives a record's changes increasing sequence numbers).
func (s *sqlStore) commitGroup(ctx context.Context, group []*request) error {
	var judged, received []*request
	for _, r := range group {
		if r.inbox != nil {
			received = append(received, r)
		} else {
			judged = append(judged, r)
		}
	}
	now := nanos(s.now())
	err := s.inTx(ctx, func(sqltx *sql.Tx) error {
		tx := s.txn(sqltx)
		if err := appendInbox(ctx, tx, received, now); err != nil {
			return err
		}
		if err := judge(ctx, tx, judged, now); err != nil {
			return err
		}
		return s.beforeCommit(ctx, group)
	})
	if err == nil {
		s.reportDecisions(judged)
	}
	return err
}

// judge decides on every change of reqs, filling their decisions, and
// records them: delivery ids, versions, pending changes and history.
func judge(ctx context.Context, tx txn, reqs []*request, now int64) error {
	var items []item
	for _, r := range reqs {
		r.decisions = make([]hubforce.Decision, len(r.changes))
		for i := range r.changes {
			r.decisions[i] = hubforce.Accepted
			items = append(items, item{c: &r.changes[i], dec: &r.decisions[i], receivedAt: r.receivedAt,
				received: r.changes[i].Fields})
		}
	}
	if len(items) == 0 {
		return nil
	}
	if err := markDuplicates(ctx, tx, items, now); err != nil {
		return fmt.Errorf("record delivery ids: %w", err)
	}
	if err := lockRecords(ctx, tx, items, now); err != nil {
		return fmt.Errorf("lock records: %w", err)
	}
	if err := judgeVersions(ctx, tx, items); err != nil {
		return fmt.Errorf("record versions: %w", err)
	}
	return insertIngested(ctx, tx, items, now)
}

func (s *sqlStore) beforeCommit(ctx context.Context, reqs []*request) error {
	if s.cfg.beforeCommit == nil {
		return nil
	}
	var all []hubforce.Change
	for _, r := range reqs {
		all = append(all, r.changes...)
	}
	if err := s.cfg.beforeCommit(ctx, all); err != nil {
		return fmt.Errorf("before commit: %w", err)
	}
	return nil
}

// reportDecisions tells the OnIngested hook what committed requests decided.
func (s *sqlStore) reportDecisions(reqs []*request) {
	if s.cfg.onIngested == nil || len(reqs) == 0 {
		return
	}
	counts := map[hubforce.Side]map[hubforce.Decision]int{}
	for _, r := range reqs {
		for i, d := range r.decisions {
			side := r.changes[i].Side
			if counts[side] == nil {
				counts[side] = map[hubforce.Decision]int{}
			}
			counts[side][d]++
		}
	}
	s.cfg.onIngested(counts)
}

type deliveryKey struct {
	side hubforce.Side
	id   string
}

func markDuplicates(ctx context.Context, tx txn, items []item, now int64) error {
	var keys []deliveryKey
	for _, it := range items {
		if it.c.DeliveryID != "" { // else nothing to recognise it by; versions alone judge it
			keys = append(keys, deliveryKey{it.c.Side, it.c.DeliveryID})
		}
	}
	slices.SortFunc(keys, func(a, b deliveryKey) int {
		return cmp.Or(cmp.Compare(a.side, b.side), cmp.Compare(a.id, b.id))
	})
	keys = slices.Compact(keys)
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{k.side, k.id, now}
	}
	inserted := map[deliveryKey]bool{}
	err := bulk(ctx, tx, `INSERT INTO deliveries (side, delivery_id, received_at)`,
		`ON CONFLICT (side, delivery_id) DO NOTHING RETURNING side, delivery_id`, rows,
		func(r *sql.Rows) error {
			var k deliveryKey
			if err := r.Scan(&k.side, &k.id); err != nil {
				return err
			}
			inserted[k] = true
			return nil
		})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.c.DeliveryID == "" {
			continue
		}
		k := deliveryKey{it.c.Side, it.c.DeliveryID}
		if inserted[k] {
			inserted[k] = false // the first of the group is the delivery; repeats are duplicates
		} else {
			*it.dec = hubforce.Duplicate
		}
	}
	return nil
}

func lockRecords(ctx context.Context, tx txn, items []item, now int64) error {
	var live []item
	for _, it := range items {
		if *it.dec != hubforce.Duplicate && it.c.Kind != hubforce.KindMalformed {
			live = append(live, it)
		}
	}
	slices.SortFunc(live, compareRecord)
	live = slices.CompactFunc(live, func(a, b item) bool { return compareRecord(a, b) == 0 })
	rows := make([][]any, len(live))
	for i, it := range live {
		rows[i] = []any{it.c.Side, it.c.Object, it.c.RecordID, now}
	}
	return bulk(ctx, tx, `INSERT INTO records (side, object, record_id, last_received_at)`,
		`ON CONFLICT (side, object, record_id) DO UPDATE SET last_received_at = excluded.last_received_at`,
		rows, nil)
}

type versionSlot struct {
	side         hubforce.Side
	object       hubforce.Object
	record, vkey string
}

// slotState is a version slot's content: the newest version and, for a
// field, the hash of the value seen at it ("" when none is known).
type slotState struct {
	version int64
	hash    string
}

// judgeVersions applies SPEC §3.2 to the group's changes, one at a time in
// delivery order, against the stored version slots (read once, after
// lockRecords made this transaction the only one judging those records):
// a slot takes a change that is newer, or as new with another value. A
// change none of whose slots advance is stale (one of them holds a newer
// version) or a duplicate (the same values at the same version); a change
// some of whose fields do not advance is queued without them.
func judgeVersions(ctx context.Context, tx txn, items []item) error {
	var todo []*item
	for i := range items {
		// A change without a version cannot be judged stale, and a
		// trigger's version and values are claims the delivery checks.
		if it := &items[i]; *it.dec != hubforce.Duplicate && !it.c.Version.IsZero() && !it.c.Trigger {
			todo = append(todo, it)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	stored, err := readSlots(ctx, tx, todo)
	if err != nil {
		return err
	}
	touched := map[versionSlot]bool{}
	for _, it := range todo {
		c := it.c
		v := nanos(c.Version)
		keys := VersionKeys(*c)
		if tx.noValueHashes {
			for i := range keys {
				keys[i].Hash = ""
			}
		}
		var advanced []string
		newer := false
		for _, k := range keys {
			sl := versionSlot{c.Side, c.Object, c.RecordID, k.Key}
			cur, ok := stored[sl]
			switch {
			case !ok || v > cur.version || (v == cur.version && k.Hash != "" && k.Hash != cur.hash):
				stored[sl] = slotState{version: v, hash: k.Hash}
				touched[sl] = true
				advanced = append(advanced, k.Key)
			case cur.version > v:
				newer = true
			}
		}
		switch {
		case len(advanced) == 0 && newer:
			*it.dec = hubforce.Stale
			it.detail = fmt.Sprintf("older than the version already accepted for %s", keyList(keys))
		case len(advanced) == 0:
			*it.dec = hubforce.Duplicate
			it.detail = "the same values at the same version were accepted before"
		case len(advanced) < len(keys) && len(c.Fields) > 0:
			kept := make(map[string]string, len(advanced))
			for _, f := range advanced {
				kept[f] = c.Fields[f]
			}
			c.Fields = kept
		}
	}
	var rows [][]any
	for _, sl := range slices.SortedFunc(maps.Keys(touched), compareSlots) {
		st := stored[sl]
		var h any
		if st.hash != "" {
			h = st.hash
		}
		rows = append(rows, []any{sl.side, sl.object, sl.record, sl.vkey, st.version, h})
	}
	// The condition guards against a delivery that recorded values at a
	// newer version meanwhile (it does not lock the record's row).
	return bulk(ctx, tx, `INSERT INTO record_versions (side, object, record_id, version_key, version, value_hash)`,
		`ON CONFLICT (side, object, record_id, version_key) DO UPDATE
		 SET version = excluded.version, value_hash = excluded.value_hash WHERE `+advances, rows, nil)
}

func compareSlots(a, b versionSlot) int {
	return cmp.Or(cmp.Compare(a.side, b.side), cmp.Compare(a.object, b.object), cmp.Compare(a.record, b.record), cmp.Compare(a.vkey, b.vkey))
}

func keyList(keys []SlotKey) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = strconv.Quote(k.Key)
	}
	return strings.Join(names, ", ")
}

// readSlots reads the stored version slots of the items' records.
func readSlots(ctx context.Context, tx txn, items []*item) (map[versionSlot]slotState, error) {
	ids := map[RecordRef][]any{}
	seen := map[RecordRef]bool{}
	for _, it := range items {
		g := RecordRef{Side: it.c.Side, Object: it.c.Object}
		r := RecordRef{Side: it.c.Side, Object: it.c.Object, ID: it.c.RecordID}
		if !seen[r] {
			seen[r] = true
			ids[g] = append(ids[g], it.c.RecordID)
		}
	}
	out := map[versionSlot]slotState{}
	for g, list := range ids {
		err := bulkIn(ctx, tx, `SELECT record_id, version_key, version, value_hash FROM record_versions
			 WHERE side = $1 AND object = $2 AND record_id IN`, "", []any{g.Side, g.Object}, list,
			func(rows *sql.Rows) error {
				var id, key string
				var st slotState
				var h sql.NullString
				if err := rows.Scan(&id, &key, &st.version, &h); err != nil {
					return err
				}
				st.hash = h.String
				out[versionSlot{g.Side, g.Object, id, key}] = st
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("read versions: %w", err)
		}
	}
	return out, nil
}

const (
	pendingInsert = `INSERT INTO pending (side, object, record_id, kind, delivery_id, version, payload, enqueued_at, due_at)`
	historyInsert = `INSERT INTO history (delivery_id, side, object, record_id, kind, version, decision, detail, fields, received_at)`
)

func pendingRow(c *hubforce.Change, now int64) ([]any, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode change %q: %w", c.DeliveryID, err)
	}
	return []any{c.Side, c.Object, c.RecordID, c.Kind, c.DeliveryID, nanos(c.Version), string(payload), now, now}, nil
}

func historyRow(e HistoryEntry, now int64) ([]any, error) {
	fields, err := fieldsJSON(e.Fields)
	if err != nil {
		return nil, err
	}
	at := now
	if !e.At.IsZero() {
		at = nanos(e.At)
	}
	return []any{e.DeliveryID, e.Side, e.Object, e.RecordID, e.Kind, nanos(e.Version), e.Decision, e.Detail, fields, at}, nil
}

func insertIngested(ctx context.Context, tx txn, items []item, now int64) error {
	var pending, history, malformed [][]any
	for _, it := range items {
		c := it.c
		if c.Kind == hubforce.KindMalformed {
			// Straight to the dead letters: there is nothing to deliver,
			// and no record whose history it would belong to.
			if *it.dec == hubforce.Accepted {
				*it.dec = hubforce.DeadLettered
				row, err := malformedRow(c, it.receivedAt, now)
				if err != nil {
					return err
				}
				malformed = append(malformed, row)
			}
			continue
		}
		if *it.dec == hubforce.Accepted {
			row, err := pendingRow(c, now)
			if err != nil {
				return err
			}
			pending = append(pending, row)
		}
		row, err := historyRow(HistoryEntry{
			DeliveryID: c.DeliveryID, Side: c.Side, Object: c.Object, RecordID: c.RecordID, Kind: c.Kind,
			Version: c.Version, Decision: *it.dec, Detail: it.detail, Fields: it.received,
			At: it.receivedAt,
		}, now)
		if err != nil {
			return err
		}
		history = append(history, row)
	}
	if err := bulk(ctx, tx, pendingInsert, "", pending, nil); err != nil {
		return fmt.Errorf("queue changes: %w", err)
	}
	if err := bulk(ctx, tx, historyInsert, "", history, nil); err != nil {
		return fmt.Errorf("record history: %w", err)
	}
	if err := bulk(ctx, tx, deadLetterInsert, "", malformed, nil); err != nil {
		return fmt.Errorf("keep malformed deliveries: %w", err)
	}
	return nil
}

const deadLetterInsert = `INSERT INTO dead_letters (side, object, record_id, kind, delivery_id, version, payload,
	category, code, message, attempts, enqueued_at, created_at)`

// MalformedCategory is the dead-letter category of the parts of a request
// that could not be read (SPEC §4).
const MalformedCategory = "malformed"

func malformedRow(c *hubforce.Change, receivedAt time.Time, now int64) ([]any, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode malformed delivery %q: %w", c.DeliveryID, err)
	}
	enqueued := now
	if !receivedAt.IsZero() {
		enqueued = nanos(receivedAt)
	}
	return []any{c.Side, c.Object, c.RecordID, c.Kind, c.DeliveryID, int64(0), string(payload),
		MalformedCategory, "", c.Problem, 0, enqueued, now}, nil
}

func fieldsJSON(f map[string]string) (string, error) {
	if f == nil {
		return "{}", nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encode fields: %w", err)
	}
	return string(b), nil
}

func compareRecord(a, b item) int {
	return cmp.Or(cmp.Compare(a.c.Side, b.c.Side), cmp.Compare(a.c.Object, b.c.Object),
		cmp.Compare(a.c.RecordID, b.c.RecordID))
}
