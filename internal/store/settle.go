package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hubforce/hubforce"
)

// Settlement is what a delivery round decided about the changes it claimed
// and what it learnt on the way, committed in one transaction: a few
// set-based statements however many records the round held.
type Settlement struct {
	// Complete removes delivered (or deliberately dropped) changes.
	Complete []Claimed
	// Retry releases changes for another attempt.
	Retry []Retry
	// Dead moves changes to the dead letters (their history entry is
	// written with them).
	Dead []Dead
	// History is appended as given.
	History []HistoryEntry
	// Unlinks are applied before Links, so that a merge can move a link.
	Unlinks []LinkRef
	Links   []hubforce.Link
	// Written records what the bridge wrote (the echo backstop).
	Written []Written
	// Seen records field values observed at a version (SPEC §3.2), for
	// sources whose values are read back rather than carried by the
	// webhook.
	Seen []Seen
}

// Retry is a group of changes rescheduled alike.
type Retry struct {
	Items  []Claimed
	At     time.Time
	Reason string
	// OnSide says the changes wait for their side to recover (an outage,
	// refused credentials, a spent budget) rather than for something of
	// their own record: Expedite brings them forward when the side is back.
	OnSide bool
}

// Dead is a group of changes dead-lettered for one reason.
type Dead struct {
	Items   []Claimed
	Failure Failure
}

// LinkRef names the link holding id on side.
type LinkRef struct {
	Object hubforce.Object
	Side   hubforce.Side
	ID     string
}

// Written is what the bridge wrote to one record.
type Written struct {
	Side   hubforce.Side
	Object hubforce.Object
	ID     string
	Fields map[string]string
}

// Seen is one record's field values as observed on its side at Version.
type Seen struct {
	Side    hubforce.Side
	Object  hubforce.Object
	ID      string
	Version time.Time
	Fields  map[string]string
}

func (st Settlement) empty() bool {
	return len(st.Complete) == 0 && len(st.Retry) == 0 && len(st.Dead) == 0 && len(st.History) == 0 &&
		len(st.Unlinks) == 0 && len(st.Links) == 0 && len(st.Written) == 0 && len(st.Seen) == 0
}

// Settle commits st. Changes whose lease was lost (it expired and another
// claimer took the record) are left to that claimer and reported with
// ErrLeaseLost; everything else is committed, links and written values
// included, since the writes they record did happen.
func (s *sqlStore) Settle(ctx context.Context, st Settlement) error {
	if st.empty() {
		return nil
	}
	for _, l := range st.Links {
		if l.Object == "" || l.HubSpotID == "" || l.SalesforceID == "" {
			return fmt.Errorf("store: settle: a link needs its object and both ids, got %+v", l)
		}
	}
	for _, w := range st.Written {
		if w.Side == "" || w.Object == "" || w.ID == "" {
			return fmt.Errorf("store: settle: written values need side, object and id")
		}
	}
	now := s.now()
	var lost, total int
	err := s.inTx(ctx, func(sqltx *sql.Tx) error {
		tx := s.txn(sqltx)
		var err error
		lost, total, err = settle(ctx, tx, st, now)
		return err
	})
	return leaseResult("settle", err, lost, total)
}

func settle(ctx context.Context, tx txn, st Settlement, now time.Time) (lost, total int, err error) {
	held, err := holdLeases(ctx, tx, st)
	if err != nil {
		return 0, 0, err
	}
	keep := func(items []Claimed) []Claimed {
		out := items[:0:0]
		for _, c := range items {
			total++
			if held[leaseOf(c)] {
				out = append(out, c)
			} else {
				lost++
			}
		}
		return out
	}
	if err := completeChanges(ctx, tx, keep(st.Complete)); err != nil {
		return 0, 0, err
	}
	for _, r := range st.Retry {
		if err := retryChanges(ctx, tx, keep(r.Items), r); err != nil {
			return 0, 0, err
		}
	}
	for _, d := range st.Dead {
		if err := deadLetterChanges(ctx, tx, keep(d.Items), d.Failure, nanos(now)); err != nil {
			return 0, 0, err
		}
	}
	for _, u := range st.Unlinks {
		if err := deleteLink(ctx, tx, u); err != nil {
			return 0, 0, err
		}
	}
	if err := putLinks(ctx, tx, st.Links, now); err != nil {
		return 0, 0, err
	}
	if err := setWritten(ctx, tx, st.Written, nanos(now)); err != nil {
		return 0, 0, err
	}
	if err := recordSeen(ctx, tx, st.Seen); err != nil {
		return 0, 0, err
	}
	if err := appendHistory(ctx, tx, st.History, nanos(now)); err != nil {
		return 0, 0, err
	}
	tokens := map[string]bool{}
	for k := range held {
		tokens[k.token] = true
	}
	for _, t := range slices.Sorted(maps.Keys(tokens)) {
		if err := releaseEmpty(ctx, tx, t); err != nil {
			return 0, 0, err
		}
	}
	return lost, total, nil
}

type heldLease struct {
	k     recordKey
	token string
}

func leaseOf(c Claimed) heldLease {
	return heldLease{recordKey{c.Change.Side, c.Change.Object, c.Change.RecordID}, c.Lease}
}

// holdLeases locks the leases of the settlement's changes that their
// tokens still hold, so that no claimer can take those records until the
// settlement commits, and says which they are.
func holdLeases(ctx context.Context, tx txn, st Settlement) (map[heldLease]bool, error) {
	tokens := map[string]bool{}
	each := func(items []Claimed) {
		for _, c := range items {
			tokens[c.Lease] = true
		}
	}
	each(st.Complete)
	for _, r := range st.Retry {
		each(r.Items)
	}
	for _, d := range st.Dead {
		each(d.Items)
	}
	held := map[heldLease]bool{}
	for _, t := range slices.Sorted(maps.Keys(tokens)) {
		rows, err := tx.QueryContext(ctx,
			`UPDATE record_leases SET lease_until = lease_until WHERE token = $1 RETURNING side, object, record_id`, t)
		if err != nil {
			return nil, fmt.Errorf("check leases: %w", err)
		}
		for rows.Next() {
			h := heldLease{token: t}
			if err := rows.Scan(&h.k.side, &h.k.object, &h.k.id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("check leases: %w", err)
			}
			held[h] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("check leases: %w", err)
		}
	}
	return held, nil
}

// byToken groups the changes' sequence numbers by lease token, in token
// order.
func byToken(items []Claimed) ([]string, map[string][]any) {
	seqs := map[string][]any{}
	for _, c := range items {
		seqs[c.Lease] = append(seqs[c.Lease], c.Seq)
	}
	return slices.Sorted(maps.Keys(seqs)), seqs
}

func completeChanges(ctx context.Context, tx txn, items []Claimed) error {
	tokens, seqs := byToken(items)
	for _, t := range tokens {
		if err := bulkIn(ctx, tx, `DELETE FROM pending WHERE lease_token = $1 AND seq IN`, "", []any{t}, seqs[t], nil); err != nil {
			return fmt.Errorf("complete changes: %w", err)
		}
	}
	return nil
}

func retryChanges(ctx context.Context, tx txn, items []Claimed, r Retry) error {
	waiting := ""
	if r.OnSide {
		waiting = "side"
	}
	tokens, seqs := byToken(items)
	for _, t := range tokens {
		if err := bulkIn(ctx, tx,
			`UPDATE pending SET due_at = $1, attempts = attempts + 1, last_error = $2, waiting_on = $3, lease_token = NULL
			 WHERE lease_token = $4 AND seq IN`, "",
			[]any{nanos(r.At), r.Reason, waiting, t}, seqs[t], nil); err != nil {
			return fmt.Errorf("reschedule changes: %w", err)
		}
	}
	return nil
}

func deadLetterChanges(ctx context.Context, tx txn, items []Claimed, f Failure, now int64) error {
	for _, c := range items {
		var kind, deliveryID, payload string
		var version, enqueued int64
		var attempts int
		err := tx.QueryRowContext(ctx,
			`DELETE FROM pending WHERE seq = $1 AND lease_token = $2
			 RETURNING kind, delivery_id, version, payload, attempts, enqueued_at`, c.Seq, c.Lease).
			Scan(&kind, &deliveryID, &version, &payload, &attempts, &enqueued)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already gone: settled by this same lease earlier
		}
		if err != nil {
			return fmt.Errorf("dead-letter change %d: %w", c.Seq, err)
		}
		ch := c.Change
		// The attempt that failed for good counts too.
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO dead_letters (side, object, record_id, kind, delivery_id, version, payload,
			     category, code, message, attempts, enqueued_at, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			ch.Side, ch.Object, ch.RecordID, kind, deliveryID, version, payload,
			f.Category, f.Code, f.Message, attempts+1, enqueued, now); err != nil {
			return fmt.Errorf("dead-letter change %d: %w", c.Seq, err)
		}
		if err := insertHistory(ctx, tx, HistoryEntry{
			DeliveryID: deliveryID, Side: ch.Side, Object: ch.Object, RecordID: ch.RecordID,
			Kind: hubforce.ChangeKind(kind), Version: fromNanos(version), Decision: hubforce.DeadLettered,
			Detail: failureDetail(f), Fields: ch.Fields,
		}, now); err != nil {
			return err
		}
	}
	return nil
}

func failureDetail(f Failure) string {
	return fmt.Sprintf("%s %s: %s", f.Category, f.Code, f.Message)
}

func appendHistory(ctx context.Context, tx txn, entries []HistoryEntry, now int64) error {
	rows := make([][]any, len(entries))
	for i, e := range entries {
		row, err := historyRow(e, now)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	if err := bulk(ctx, tx, historyInsert, "", rows, nil); err != nil {
		return fmt.Errorf("record history: %w", err)
	}
	return nil
}

// putLinks replaces rather than fails on a link holding either id: after a
// merge or a re-creation the newest pairing is the true one.
func putLinks(ctx context.Context, tx txn, links []hubforce.Link, now time.Time) error {
	if len(links) == 0 {
		return nil
	}
	// The last link given for an id wins.
	byHS := map[[2]string]hubforce.Link{}
	for _, l := range links {
		byHS[[2]string{string(l.Object), l.HubSpotID}] = l
	}
	objects := map[hubforce.Object]bool{}
	hs := map[hubforce.Object][]any{}
	sf := map[hubforce.Object][]any{}
	var rows [][]any
	for _, k := range slices.SortedFunc(maps.Keys(byHS), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		l := byHS[k]
		created := l.CreatedAt
		if created.IsZero() {
			created = now
		}
		objects[l.Object] = true
		hs[l.Object] = append(hs[l.Object], l.HubSpotID)
		sf[l.Object] = append(sf[l.Object], l.SalesforceID)
		rows = append(rows, []any{l.Object, l.HubSpotID, l.SalesforceID, nanos(created)})
	}
	for _, obj := range slices.Sorted(maps.Keys(objects)) {
		if err := bulkIn(ctx, tx, `DELETE FROM links WHERE object = $1 AND hubspot_id IN`, "", []any{obj}, hs[obj], nil); err != nil {
			return fmt.Errorf("put links: %w", err)
		}
		if err := bulkIn(ctx, tx, `DELETE FROM links WHERE object = $1 AND salesforce_id IN`, "", []any{obj}, sf[obj], nil); err != nil {
			return fmt.Errorf("put links: %w", err)
		}
	}
	if err := bulk(ctx, tx, `INSERT INTO links (object, hubspot_id, salesforce_id, created_at)`, "", rows, nil); err != nil {
		return fmt.Errorf("put links: %w", err)
	}
	return nil
}

// deleteLink also forgets what the bridge wrote to the link's records (or
// to the id alone, unlinked): an echo can no longer be told from a write to
// a record that was deleted or merged away, and a re-created record starts
// afresh.
func deleteLink(ctx context.Context, tx txn, u LinkRef) error {
	col, err := linkColumn(u.Side)
	if err != nil {
		return fmt.Errorf("delete link: %w", err)
	}
	records := map[hubforce.Side]string{u.Side: u.ID}
	var hs, sf string
	err = tx.QueryRowContext(ctx,
		`DELETE FROM links WHERE object = $1 AND `+col+` = $2 RETURNING hubspot_id, salesforce_id`,
		u.Object, u.ID).Scan(&hs, &sf)
	switch {
	case err == nil:
		records[hubforce.HubSpot], records[hubforce.Salesforce] = hs, sf
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("delete link: %w", err)
	}
	for _, sd := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		rid, ok := records[sd]
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM written WHERE side = $1 AND object = $2 AND record_id = $3`, sd, u.Object, rid); err != nil {
			return fmt.Errorf("delete link: %w", err)
		}
	}
	return nil
}

func setWritten(ctx context.Context, tx txn, written []Written, now int64) error {
	type key struct {
		side   hubforce.Side
		object hubforce.Object
		id     string
		field  string
	}
	// One statement per table for the whole settlement: a round writes
	// hundreds of records, and a statement per record kept PostgreSQL
	// waiting on round trips (issue 7). A later entry for the same field
	// wins, as it would written one after the other; ON CONFLICT may not
	// touch a row twice in one statement.
	values := map[key]string{}
	for _, w := range written {
		for f, v := range w.Fields {
			values[key{w.Side, w.Object, w.ID, f}] = v
		}
	}
	if len(values) == 0 {
		return nil
	}
	// Sorted so that two replicas writing one record lock its rows in the
	// same order.
	keys := slices.SortedFunc(maps.Keys(values), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.side, b.side), cmp.Compare(a.object, b.object), cmp.Compare(a.id, b.id), cmp.Compare(a.field, b.field))
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{k.side, k.object, k.id, k.field, values[k], now}
	}
	if err := bulk(ctx, tx, `INSERT INTO written (side, object, record_id, field, value, updated_at)`,
		`ON CONFLICT (side, object, record_id, field) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		rows, nil); err != nil {
		return fmt.Errorf("set written: %w", err)
	}
	// The record's field now holds what the bridge wrote: the memory of
	// values seen takes it, at the version it had, so that a later
	// observation of this value (the echo) is no news, and one of another
	// value is, even within the same second (SPEC §3.2, §3.3).
	for i, k := range keys {
		rows[i] = []any{k.side, k.object, k.id, k.field, int64(0), ValueHash(values[k])}
	}
	if err := bulk(ctx, tx, `INSERT INTO record_versions (side, object, record_id, version_key, version, value_hash)`,
		`ON CONFLICT (side, object, record_id, version_key) DO UPDATE SET value_hash = excluded.value_hash`,
		rows, nil); err != nil {
		return fmt.Errorf("set written: remember values: %w", err)
	}
	return nil
}

// Expedite makes the changes going to side `to` that wait for that side to
// recover due now, for when it has: they go out within seconds instead of
// at their next backoff time. It returns how many it moved.
func (s *sqlStore) Expedite(ctx context.Context, to hubforce.Side) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE pending SET due_at = $1, waiting_on = '' WHERE side = $2 AND waiting_on = 'side' AND due_at > $1`,
			nanos(s.now()), to.Other())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: expedite: %w", err)
	}
	return n, nil
}

// ProbeSide makes one record's changes waiting for side `to` due now, so
// that one attempt tells whether the side is back; false when none waits.
func (s *sqlStore) ProbeSide(ctx context.Context, to hubforce.Side) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE pending SET due_at = $1 WHERE seq = (
			     SELECT MIN(p.seq) FROM pending p WHERE p.side = $2 AND p.waiting_on = 'side' AND p.due_at > $1
			     AND NOT EXISTS (SELECT 1 FROM pending q
			         WHERE q.side = p.side AND q.object = p.object AND q.record_id = p.record_id AND q.seq < p.seq))`,
			nanos(s.now()), to.Other())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: probe side: %w", err)
	}
	return n > 0, nil
}

// recordSeen advances the version slots of the observed fields (SPEC §3.2):
// a newer version, or the same version with another value.
func recordSeen(ctx context.Context, tx txn, seen []Seen) error {
	var rows [][]any
	for _, s := range seen {
		if s.Version.IsZero() {
			continue
		}
		for _, f := range slices.Sorted(maps.Keys(s.Fields)) {
			rows = append(rows, []any{s.Side, s.Object, s.ID, f, nanos(s.Version), ValueHash(s.Fields[f])})
		}
	}
	slices.SortFunc(rows, func(a, b []any) int {
		return cmp.Or(cmp.Compare(a[0].(hubforce.Side), b[0].(hubforce.Side)), cmp.Compare(a[1].(hubforce.Object), b[1].(hubforce.Object)),
			cmp.Compare(a[2].(string), b[2].(string)), cmp.Compare(a[3].(string), b[3].(string)))
	})
	rows = slices.CompactFunc(rows, func(a, b []any) bool { return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] })
	if err := bulk(ctx, tx, `INSERT INTO record_versions (side, object, record_id, version_key, version, value_hash)`,
		`ON CONFLICT (side, object, record_id, version_key) DO UPDATE
		 SET version = excluded.version, value_hash = excluded.value_hash
		 WHERE `+advances, rows, nil); err != nil {
		return fmt.Errorf("record seen values: %w", err)
	}
	return nil
}
