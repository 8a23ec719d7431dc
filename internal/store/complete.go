package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hubforce/hubforce"
)

func (s *sqlStore) Complete(ctx context.Context, items []Claimed) error {
	return s.settleOnly(ctx, "complete", Settlement{Complete: items})
}

func (s *sqlStore) Reschedule(ctx context.Context, items []Claimed, at time.Time, reason string) error {
	return s.settleOnly(ctx, "reschedule", Settlement{Retry: []Retry{{Items: items, At: at, Reason: reason}}})
}

func (s *sqlStore) DeadLetter(ctx context.Context, items []Claimed, f Failure) error {
	return s.settleOnly(ctx, "dead-letter", Settlement{Dead: []Dead{{Items: items, Failure: f}}})
}

// settleOnly is Settle for a settlement of one kind, its errors named after
// the operation.
func (s *sqlStore) settleOnly(ctx context.Context, what string, st Settlement) error {
	if st.empty() {
		return nil
	}
	var lost, total int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		lost, total, err = settle(ctx, s.txn(tx), st, s.now())
		return err
	})
	return leaseResult(what, err, lost, total)
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

// Extend pushes the leases of the items' records to lease from now. Leases
// are extended by token, one statement per claim however many records it
// holds.
func (s *sqlStore) Extend(ctx context.Context, items []Claimed, lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("store: extend: lease must be positive, got %s", lease)
	}
	until := nanos(s.now().Add(lease))
	lost := 0
	err := s.inTx(ctx, func(sqltx *sql.Tx) error {
		tx := s.txn(sqltx)
		tokens, _ := byToken(items)
		held := map[heldLease]bool{}
		for _, t := range tokens {
			rows, err := tx.QueryContext(ctx,
				`UPDATE record_leases SET lease_until = $1 WHERE token = $2 RETURNING side, object, record_id`, until, t)
			if err != nil {
				return err
			}
			for rows.Next() {
				h := heldLease{token: t}
				if err := rows.Scan(&h.k.side, &h.k.object, &h.k.id); err != nil {
					rows.Close()
					return err
				}
				held[h] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		lost = 0
		for _, c := range items {
			if !held[leaseOf(c)] {
				lost++
			}
		}
		return nil
	})
	return leaseResult("extend lease", err, lost, len(items))
}

func (s *sqlStore) QueueStats(ctx context.Context, to hubforce.Side) (QueueStats, error) {
	var q QueueStats
	var oldest, free int64
	if err := s.b.read.QueryRowContext(ctx,
		`SELECT COUNT(*), COALESCE(MIN(enqueued_at), 0),
		     COALESCE(SUM(CASE WHEN due_at <= $2 THEN 1 ELSE 0 END), 0),
		     COALESCE(MIN(CASE WHEN due_at <= $2 AND lease_token IS NULL THEN enqueued_at END), 0)
		 FROM pending WHERE side = $1`, to.Other(), nanos(s.now())).
		Scan(&q.Pending, &oldest, &q.Due, &free); err != nil {
		return QueueStats{}, fmt.Errorf("store: queue stats: %w", err)
	}
	q.Oldest, q.OldestDue = fromNanos(oldest), fromNanos(free)
	return q, nil
}
