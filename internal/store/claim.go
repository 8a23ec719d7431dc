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

// Claim leases whole records through record_leases: the lease row is
// taken with an upsert that only overwrites an expired lease, so of two
// claimers racing (two replicas on PostgreSQL) exactly one gets the record,
// at any isolation level. Only records whose oldest pending change is due are
// candidates, which keeps a record's changes in order behind a rescheduled
// one.
func (s *sqlStore) Claim(ctx context.Context, to hubforce.Side, owner string, max int, lease time.Duration) ([]Claimed, error) {
	if to != hubforce.HubSpot && to != hubforce.Salesforce {
		return nil, fmt.Errorf("store: claim: unknown side %q", to)
	}
	if max <= 0 || lease <= 0 {
		return nil, fmt.Errorf("store: claim: max and lease must be positive, got %d and %s", max, lease)
	}
	from := to.Other()
	now := s.now()
	until := now.Add(lease)
	token, err := newToken(owner)
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	var out []Claimed
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		candidates, err := dueRecords(ctx, tx, from, nanos(now), max)
		if err != nil {
			return err
		}
		// Leases are taken in key order, the order Complete and the
		// other claimers use too, so that concurrent claims on
		// PostgreSQL wait for each other but never deadlock.
		slices.SortFunc(candidates, func(a, b recordKey) int {
			return cmp.Or(cmp.Compare(a.object, b.object), cmp.Compare(a.id, b.id))
		})
		for _, k := range candidates {
			if len(out) >= max {
				break
			}
			res, err := tx.ExecContext(ctx,
				`INSERT INTO record_leases (side, object, record_id, token, lease_until) VALUES ($1, $2, $3, $4, $5)
				 ON CONFLICT (side, object, record_id) DO UPDATE
				 SET token = excluded.token, lease_until = excluded.lease_until
				 WHERE record_leases.lease_until <= $6`,
				k.side, k.object, k.id, token, nanos(until), nanos(now))
			if err != nil {
				return fmt.Errorf("lease record: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("lease record: %w", err)
			} else if n == 0 {
				continue // another claimer holds it
			}
			got, err := takeRecord(ctx, tx, k, token, until, max-len(out))
			if err != nil {
				return err
			}
			out = append(out, got...)
			if len(got) == 0 {
				if err := releaseLease(ctx, tx, k, token); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	return out, nil
}

func dueRecords(ctx context.Context, tx *sql.Tx, from hubforce.Side, now int64, max int) ([]recordKey, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT p.object, p.record_id FROM pending p
		 WHERE p.side = $1 AND p.due_at <= $2
		 AND NOT EXISTS (SELECT 1 FROM pending q
		     WHERE q.side = p.side AND q.object = p.object AND q.record_id = p.record_id AND q.seq < p.seq)
		 AND NOT EXISTS (SELECT 1 FROM record_leases l
		     WHERE l.side = p.side AND l.object = p.object AND l.record_id = p.record_id AND l.lease_until > $2)
		 ORDER BY p.seq LIMIT $3`, from, now, max)
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

// takeRecord marks up to limit of a leased record's changes, oldest first.
func takeRecord(ctx context.Context, tx *sql.Tx, k recordKey, token string, until time.Time, limit int) ([]Claimed, error) {
	rows, err := tx.QueryContext(ctx,
		`UPDATE pending SET lease_token = $4 WHERE seq IN (
		     SELECT seq FROM pending WHERE side = $1 AND object = $2 AND record_id = $3 ORDER BY seq LIMIT $5)
		 RETURNING seq, payload, attempts, last_error, enqueued_at`,
		k.side, k.object, k.id, token, limit)
	if err != nil {
		return nil, fmt.Errorf("take changes: %w", err)
	}
	defer rows.Close()
	var out []Claimed
	for rows.Next() {
		c := Claimed{Lease: token, LeaseUntil: until}
		var payload string
		var enqueued int64
		if err := rows.Scan(&c.Seq, &payload, &c.Attempts, &c.LastError, &enqueued); err != nil {
			return nil, fmt.Errorf("take changes: %w", err)
		}
		if err := json.Unmarshal([]byte(payload), &c.Change); err != nil {
			return nil, fmt.Errorf("take change %d: decode: %w", c.Seq, err)
		}
		c.EnqueuedAt = fromNanos(enqueued)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("take changes: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(out, func(a, b Claimed) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// releaseLease drops the record's lease once none of its changes is still
// held under token.
func releaseLease(ctx context.Context, tx *sql.Tx, k recordKey, token string) error {
	if _, err := tx.ExecContext(ctx,
		`DELETE FROM record_leases WHERE side = $1 AND object = $2 AND record_id = $3 AND token = $4
		 AND NOT EXISTS (SELECT 1 FROM pending
		     WHERE side = $1 AND object = $2 AND record_id = $3 AND lease_token = $4)`,
		k.side, k.object, k.id, token); err != nil {
		return fmt.Errorf("release lease: %w", err)
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
