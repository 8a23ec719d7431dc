package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hubforce/hubforce"
)

func (s *sqlStore) Complete(ctx context.Context, items []Claimed) error {
	return s.underLease(ctx, "complete", items, func(tx *sql.Tx, c Claimed, _ int64) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM pending WHERE seq = $1 AND lease_token = $2`, c.Seq, c.Lease)
		return err
	})
}

func (s *sqlStore) Reschedule(ctx context.Context, items []Claimed, at time.Time, reason string) error {
	return s.underLease(ctx, "reschedule", items, func(tx *sql.Tx, c Claimed, _ int64) error {
		_, err := tx.ExecContext(ctx,
			`UPDATE pending SET due_at = $3, attempts = attempts + 1, last_error = $4, lease_token = NULL
			 WHERE seq = $1 AND lease_token = $2`, c.Seq, c.Lease, nanos(at), reason)
		return err
	})
}

func (s *sqlStore) DeadLetter(ctx context.Context, items []Claimed, f Failure) error {
	return s.underLease(ctx, "dead-letter", items, func(tx *sql.Tx, c Claimed, now int64) error {
		var kind, deliveryID, payload string
		var version, enqueued int64
		var attempts int
		err := tx.QueryRowContext(ctx,
			`DELETE FROM pending WHERE seq = $1 AND lease_token = $2
			 RETURNING kind, delivery_id, version, payload, attempts, enqueued_at`, c.Seq, c.Lease).
			Scan(&kind, &deliveryID, &version, &payload, &attempts, &enqueued)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // already gone: completed by this same lease earlier
		}
		if err != nil {
			return err
		}
		ch := c.Change
		// The attempt that failed for good counts too.
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO dead_letters (side, object, record_id, kind, delivery_id, version, payload,
			     category, code, message, attempts, enqueued_at, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			ch.Side, ch.Object, ch.RecordID, kind, deliveryID, version, payload,
			f.Category, f.Code, f.Message, attempts+1, enqueued, now); err != nil {
			return err
		}
		return insertHistory(ctx, s.txn(tx), HistoryEntry{
			DeliveryID: deliveryID, Side: ch.Side, Object: ch.Object, RecordID: ch.RecordID,
			Kind: hubforce.ChangeKind(kind), Version: fromNanos(version), Decision: hubforce.DeadLettered,
			Detail: failureDetail(f), Fields: ch.Fields,
		}, now)
	})
}

func failureDetail(f Failure) string {
	return fmt.Sprintf("%s %s: %s", f.Category, f.Code, f.Message)
}

// leaseGroup is the claimed changes of one record under one lease.
type leaseGroup struct {
	k     recordKey
	token string
	items []Claimed
}

// groupByLease groups items by record and lease, in key order, the order
// Claim takes leases in, so that concurrent calls lock rows in one order.
func groupByLease(items []Claimed) []*leaseGroup {
	var groups []*leaseGroup
	for _, c := range items {
		k := recordKey{c.Change.Side, c.Change.Object, c.Change.RecordID}
		i := slices.IndexFunc(groups, func(g *leaseGroup) bool { return g.k == k && g.token == c.Lease })
		if i < 0 {
			groups = append(groups, &leaseGroup{k: k, token: c.Lease})
			i = len(groups) - 1
		}
		groups[i].items = append(groups[i].items, c)
	}
	slices.SortStableFunc(groups, func(a, b *leaseGroup) int {
		return cmp.Or(cmp.Compare(a.k.side, b.k.side), cmp.Compare(a.k.object, b.k.object),
			cmp.Compare(a.k.id, b.k.id), cmp.Compare(a.token, b.token))
	})
	return groups
}

// holdLease says whether token still holds the record's lease, moving its
// expiry to until unless that is 0. On PostgreSQL the update locks the
// lease row, so that no claimer can take the record until the caller's
// transaction ends.
func holdLease(ctx context.Context, tx *sql.Tx, g *leaseGroup, until int64) (bool, error) {
	q := `UPDATE record_leases SET lease_until = lease_until
		WHERE side = $1 AND object = $2 AND record_id = $3 AND token = $4`
	args := []any{g.k.side, g.k.object, g.k.id, g.token}
	if until != 0 {
		q = `UPDATE record_leases SET lease_until = $5
			WHERE side = $1 AND object = $2 AND record_id = $3 AND token = $4`
		args = append(args, until)
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("check lease: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("check lease: %w", err)
	}
	return n > 0, nil
}

// underLease applies op to the items whose record is still leased under
// the item's token, then releases the leases that no longer cover any
// change.
func (s *sqlStore) underLease(ctx context.Context, what string, items []Claimed,
	op func(tx *sql.Tx, c Claimed, now int64) error) error {
	groups := groupByLease(items)
	now := nanos(s.now())
	lost := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lost = 0
		for _, g := range groups {
			held, err := holdLease(ctx, tx, g, 0)
			if err != nil {
				return err
			}
			if !held {
				lost += len(g.items)
				continue
			}
			for _, c := range g.items {
				if err := op(tx, c, now); err != nil {
					return fmt.Errorf("change %d: %w", c.Seq, err)
				}
			}
			if err := releaseLease(ctx, tx, g.k, g.token); err != nil {
				return err
			}
		}
		return nil
	})
	return leaseResult(what, err, lost, len(items))
}

func leaseResult(what string, err error, lost, total int) error {
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if lost > 0 {
		return fmt.Errorf("store: %s: %w: %d of %d changes are now another claimer's", what, ErrLeaseLost, lost, total)
	}
	return nil
}

func (s *sqlStore) Extend(ctx context.Context, items []Claimed, lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("store: extend: lease must be positive, got %s", lease)
	}
	groups := groupByLease(items)
	until := nanos(s.now().Add(lease))
	lost := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lost = 0
		for _, g := range groups {
			held, err := holdLease(ctx, tx, g, until)
			if err != nil {
				return err
			}
			if !held {
				lost += len(g.items)
			}
		}
		return nil
	})
	return leaseResult("extend lease", err, lost, len(items))
}

func (s *sqlStore) QueueStats(ctx context.Context, to hubforce.Side) (QueueStats, error) {
	var q QueueStats
	var oldest int64
	if err := s.b.read.QueryRowContext(ctx,
		`SELECT COUNT(*), COALESCE(MIN(enqueued_at), 0) FROM pending WHERE side = $1`, to.Other()).
		Scan(&q.Pending, &oldest); err != nil {
		return QueueStats{}, fmt.Errorf("store: queue stats: %w", err)
	}
	q.Oldest = fromNanos(oldest)
	return q, nil
}
