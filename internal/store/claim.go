package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hubforce/hubforce"
)

// recordKey names a record's queue: its source side, object and id.
type recordKey struct {
	side   hubforce.Side
	object hubforce.Object
	id     string
}

func compareKeys(a, b recordKey) int {
	return cmp.Or(cmp.Compare(a.side, b.side), cmp.Compare(a.object, b.object), cmp.Compare(a.id, b.id))
}

// Claim leases whole records through record_leases, a few set-based
// statements whatever the number of records: the due records are found,
// their leases taken with one multi-row upsert that only overwrites an
// expired lease (so of two claimers racing, two replicas on PostgreSQL,
// exactly one gets each record, at any isolation level), and their changes
// marked with one update. Only records whose oldest pending change is due
// are candidates, which keeps a record's changes in order behind a
// rescheduled one; live changes go ahead of background work (priority), then
// oldest first.
func (s *sqlStore) Claim(ctx context.Context, to hubforce.Side, owner string, max int, lease time.Duration) ([]Claimed, error) {
	return s.ClaimRecords(ctx, to, owner, max, max, lease)
}

// ClaimRecords is Claim counting records and changes apart: up to records
// records, with up to changes of their changes in all. Delivery claims a
// whole API batch of records however many changes each carries (a HubSpot
// creation comes as one event per property), so that its calls stay full.
func (s *sqlStore) ClaimRecords(ctx context.Context, to hubforce.Side, owner string, records, changes int, lease time.Duration) ([]Claimed, error) {
	if to != hubforce.HubSpot && to != hubforce.Salesforce {
		return nil, fmt.Errorf("store: claim: unknown side %q", to)
	}
	if records <= 0 || changes <= 0 || lease <= 0 {
		return nil, fmt.Errorf("store: claim: records, changes and lease must be positive, got %d, %d and %s", records, changes, lease)
	}
	from := to.Other()
	now := s.now()
	until := now.Add(lease)
	token, err := newToken(owner)
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	var out []Claimed
	err = s.inTx(ctx, func(sqltx *sql.Tx) error {
		tx := s.txn(sqltx)
		out = nil
		if err := releaseExpired(ctx, tx, from, nanos(now)); err != nil {
			return err
		}
		candidates, err := dueRecords(ctx, tx, from, nanos(now), records)
		if err != nil || len(candidates) == 0 {
			return err
		}
		// Leases are taken in key order, the order every other statement
		// on record_leases uses too, so that concurrent claims on
		// PostgreSQL wait for each other but never deadlock.
		slices.SortFunc(candidates, compareKeys)
		rows := make([][]any, len(candidates))
		for i, k := range candidates {
			rows[i] = []any{k.side, k.object, k.id, token, nanos(until), nanos(now)}
		}
		leased := 0
		err = bulk(ctx, tx, `INSERT INTO record_leases (side, object, record_id, token, lease_until, claimed_at)`,
			`ON CONFLICT (side, object, record_id) DO UPDATE
			 SET token = excluded.token, lease_until = excluded.lease_until, claimed_at = excluded.claimed_at
			 WHERE record_leases.lease_until <= excluded.claimed_at
			 RETURNING record_id`, rows, func(r *sql.Rows) error {
				var id string
				leased++
				return r.Scan(&id)
			})
		if err != nil {
			return fmt.Errorf("lease records: %w", err)
		}
		if leased == 0 {
			return nil
		}
		out, err = takeChanges(ctx, tx, from, token, until, changes)
		if err != nil {
			return err
		}
		return releaseEmpty(ctx, tx, token)
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	return out, nil
}

// releaseExpired frees the changes held under leases that have expired (a
// round that died with its process, or outlived its lease), so that
// dueRecords, which looks only at free changes, sees them again.
func releaseExpired(ctx context.Context, tx txn, from hubforce.Side, now int64) error {
	if _, err := tx.ExecContext(ctx,
		// Led by the expired leases (usually none), each found by its
		// record's changes.
		`UPDATE pending SET lease_token = NULL
		 WHERE (side, object, record_id, lease_token) IN (
		     SELECT l.side, l.object, l.record_id, l.token FROM record_leases l WHERE l.side = $1 AND l.lease_until <= $2)`, from, now); err != nil {
		return fmt.Errorf("release expired leases: %w", err)
	}
	return nil
}

// dueRecords finds up to max records whose first pending change is due and
// free, and which no unexpired lease holds.
func dueRecords(ctx context.Context, tx txn, from hubforce.Side, now int64, max int) ([]recordKey, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT p.object, p.record_id FROM pending p
		 WHERE p.side = $1 AND p.due_at <= $2 AND p.lease_token IS NULL
		 AND NOT EXISTS (SELECT 1 FROM pending q
		     WHERE q.side = p.side AND q.object = p.object AND q.record_id = p.record_id AND q.seq < p.seq)
		 AND NOT EXISTS (SELECT 1 FROM record_leases l
		     WHERE l.side = p.side AND l.object = p.object AND l.record_id = p.record_id AND l.lease_until > $2)
		 ORDER BY p.priority, p.seq LIMIT $3`, from, now, max)
	if err != nil {
		return nil, fmt.Errorf("find due records: %w", err)
	}
	defer rows.Close()
	var out []recordKey
	for rows.Next() {
		k := recordKey{side: from}
		if err := rows.Scan(&k.object, &k.id); err != nil {
			return nil, fmt.Errorf("find due records: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find due records: %w", err)
	}
	return out, nil
}

// takeChanges marks the pending changes of the records leased under token,
// each record's oldest first and records in the order they were queued, up
// to max changes in all. A record's changes left over stay pending under
// its lease and go with its next claim.
func takeChanges(ctx context.Context, tx txn, from hubforce.Side, token string, until time.Time, max int) ([]Claimed, error) {
	// One statement: the records in the order of their first change, each
	// record's changes in order, so that the cap cuts the last record
	// short, never one in between.
	rows, err := tx.QueryContext(ctx,
		`UPDATE pending SET lease_token = $1 WHERE seq IN (
		     SELECT seq FROM (
		         SELECT p.seq, MIN(p.seq) OVER (PARTITION BY p.object, p.record_id) AS first
		         FROM pending p JOIN record_leases l
		             ON l.side = p.side AND l.object = p.object AND l.record_id = p.record_id
		         WHERE l.token = $1 AND p.side = $2) AS t
		     ORDER BY first, seq LIMIT $3)
		 RETURNING seq, object, record_id, payload, attempts, last_error, enqueued_at`, token, from, max)
	if err != nil {
		return nil, fmt.Errorf("take changes: %w", err)
	}
	defer rows.Close()
	type taken struct {
		c Claimed
		k recordKey
	}
	var all []taken
	first := map[recordKey]int64{}
	for rows.Next() {
		t := taken{c: Claimed{Lease: token, LeaseUntil: until}, k: recordKey{side: from}}
		var payload string
		var enqueued int64
		if err := rows.Scan(&t.c.Seq, &t.k.object, &t.k.id, &payload, &t.c.Attempts, &t.c.LastError, &enqueued); err != nil {
			return nil, fmt.Errorf("take changes: %w", err)
		}
		if err := json.Unmarshal([]byte(payload), &t.c.Change); err != nil {
			return nil, fmt.Errorf("take changes: change %d: decode: %w", t.c.Seq, err)
		}
		t.c.EnqueuedAt = fromNanos(enqueued)
		if f, ok := first[t.k]; !ok || t.c.Seq < f {
			first[t.k] = t.c.Seq
		}
		all = append(all, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("take changes: %w", err)
	}
	// RETURNING gives no order: put it back.
	slices.SortFunc(all, func(a, b taken) int {
		return cmp.Or(cmp.Compare(first[a.k], first[b.k]), cmp.Compare(a.c.Seq, b.c.Seq))
	})
	out := make([]Claimed, len(all))
	for i, t := range all {
		out[i] = t.c
	}
	return out, nil
}

// releaseEmpty drops the leases under token that no longer cover any
// change (all completed, or none taken because of the cap).
func releaseEmpty(ctx context.Context, tx txn, token string) error {
	if _, err := tx.ExecContext(ctx,
		`DELETE FROM record_leases WHERE token = $1
		 AND NOT EXISTS (SELECT 1 FROM pending p
		     WHERE p.side = record_leases.side AND p.object = record_leases.object
		     AND p.record_id = record_leases.record_id AND p.lease_token = $1)`, token); err != nil {
		return fmt.Errorf("release leases: %w", err)
	}
	return nil
}

func newToken(owner string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("lease token: %w", err)
	}
	return owner + "/" + hex.EncodeToString(b), nil
}
