package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hubforce/hubforce"
)

func insertHistory(ctx context.Context, tx txn, e HistoryEntry, now int64) error {
	row, err := historyRow(e, now)
	if err != nil {
		return err
	}
	if err := bulk(ctx, tx, historyInsert, "", [][]any{row}, nil); err != nil {
		return fmt.Errorf("record history: %w", err)
	}
	return nil
}

func (s *sqlStore) RecordHistory(ctx context.Context, entries []HistoryEntry) error {
	return s.settleOnly(ctx, "record history", Settlement{History: entries})
}

func (s *sqlStore) History(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) ([]HistoryEntry, error) {
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT id, delivery_id, kind, version, decision, detail, fields, received_at FROM history
		 WHERE side = $1 AND object = $2 AND record_id = $3 ORDER BY id`, side, object, id)
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		e := HistoryEntry{Side: side, Object: object, RecordID: id}
		var version, at int64
		var fields string
		if err := rows.Scan(&e.ID, &e.DeliveryID, &e.Kind, &version, &e.Decision, &e.Detail, &fields, &at); err != nil {
			return nil, fmt.Errorf("store: history: %w", err)
		}
		e.Version, e.At = fromNanos(version), fromNanos(at)
		if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
			return nil, fmt.Errorf("store: history %d: fields: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	return out, nil
}

// PruneHistory keeps the story of every record with pending work or a dead
// letter, and the delivery ids of pending changes, whatever their age: a
// redelivery of a change still waiting must still be a duplicate.
func (s *sqlStore) PruneHistory(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM history WHERE received_at < $1
			 AND NOT EXISTS (SELECT 1 FROM pending p
			     WHERE p.side = history.side AND p.object = history.object AND p.record_id = history.record_id)
			 AND NOT EXISTS (SELECT 1 FROM dead_letters d
			     WHERE d.side = history.side AND d.object = history.object AND d.record_id = history.record_id)`,
			nanos(before))
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM deliveries WHERE received_at < $1
			 AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.side = deliveries.side AND p.delivery_id = deliveries.delivery_id)`,
			nanos(before)); err != nil {
			return fmt.Errorf("delivery ids: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune: %w", err)
	}
	return n, nil
}
