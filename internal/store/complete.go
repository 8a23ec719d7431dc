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
		fields, err := fieldsJSON(ch.Fields)
		if err != nil {
			return err
		}
		return insertHistory(ctx, s.stmts.in(ctx, tx).history, HistoryEntry{
			DeliveryID: deliveryID, Side: ch.Side, Object: ch.Object, RecordID: ch.RecordID,
			Kind: hubforce.ChangeKind(kind), Version: fromNanos(version), Decision: hubforce.DeadLettered,
			Detail: failureDetail(f),
		}, fields, now)
	})
}

func failureDetail(f Failure) string {
	return fmt.Sprintf("%s %s: %s", f.Category, f.Code, f.Message)
}

// underLease applies op to the items whose record is still leased under
// the item's token, then releases the leases that no longer cover any
// change. Records are visited in key order, like ingest, so that concurrent
// calls lock rows in one order.
func (s *sqlStore) underLease(ctx context.Context, what string, items []Claimed,
	op func(tx *sql.Tx, c Claimed, now int64) error) error {
	type group struct {
		k     recordKey
		token string
		items []Claimed
	}
	var groups []*group
	for _, c := range items {
		k := recordKey{c.Change.Side, c.Change.Object, c.Change.RecordID}
		i := slices.IndexFunc(groups, func(g *group) bool { return g.k == k && g.token == c.Lease })
		if i < 0 {
			groups = append(groups, &group{k: k, token: c.Lease})
			i = len(groups) - 1
		}
		groups[i].items = append(groups[i].items, c)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.k.side, b.k.side), cmp.Compare(a.k.object, b.k.object),
			cmp.Compare(a.k.id, b.k.id), cmp.Compare(a.token, b.token))
	})
	now := nanos(s.now())
	lost := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lost = 0
		for _, g := range groups {
			// Locks the lease row (PostgreSQL) so that a claimer cannot take
			// the record between this check and the changes below.
			res, err := tx.ExecContext(ctx,
				`UPDATE record_leases SET lease_until = lease_until
				 WHERE side = $1 AND object = $2 AND record_id = $3 AND token = $4`,
				g.k.side, g.k.object, g.k.id, g.token)
			if err != nil {
				return fmt.Errorf("check lease: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("check lease: %w", err)
			} else if n == 0 {
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
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if lost > 0 {
		return fmt.Errorf("store: %s: %w: %d of %d changes are now another claimer's", what, ErrLeaseLost, lost, len(items))
	}
	return nil
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
