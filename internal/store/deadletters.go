package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hubforce/hubforce"
)

const deadLetterColumns = `id, payload, category, code, message, attempts, enqueued_at, created_at`

func scanDeadLetter(scan func(...any) error) (DeadLetter, error) {
	var d DeadLetter
	var payload string
	var enqueued, created int64
	if err := scan(&d.ID, &payload, &d.Failure.Category, &d.Failure.Code, &d.Failure.Message,
		&d.Attempts, &enqueued, &created); err != nil {
		return DeadLetter{}, err
	}
	if err := json.Unmarshal([]byte(payload), &d.Change); err != nil {
		return DeadLetter{}, fmt.Errorf("dead letter %d: decode: %w", d.ID, err)
	}
	d.EnqueuedAt, d.CreatedAt = fromNanos(enqueued), fromNanos(created)
	return d, nil
}

func (s *sqlStore) DeadLetters(ctx context.Context, f DeadLetterFilter) ([]DeadLetter, error) {
	where := []string{"id > $1"}
	args := []any{f.AfterID}
	add := func(col string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if f.Side != "" {
		add("side", f.Side)
	}
	if f.Object != "" {
		add("object", f.Object)
	}
	if f.Category != "" {
		add("category", f.Category)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := s.b.read.QueryContext(ctx,
		fmt.Sprintf(`SELECT %s FROM dead_letters WHERE %s ORDER BY id LIMIT $%d`,
			deadLetterColumns, strings.Join(where, " AND "), len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		d, err := scanDeadLetter(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: dead letters: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dead letters: %w", err)
	}
	return out, nil
}

func (s *sqlStore) GetDeadLetter(ctx context.Context, id int64) (DeadLetter, error) {
	d, err := scanDeadLetter(s.b.read.QueryRowContext(ctx,
		`SELECT `+deadLetterColumns+` FROM dead_letters WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return DeadLetter{}, ErrNotFound
	}
	if err != nil {
		return DeadLetter{}, fmt.Errorf("store: dead letter %d: %w", id, err)
	}
	return d, nil
}

// ReplayDeadLetter queues the change again with a new sequence number: it
// goes behind whatever was queued for the record since, as a fresh attempt.
func (s *sqlStore) ReplayDeadLetter(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		d, err := scanDeadLetter(tx.QueryRowContext(ctx,
			`DELETE FROM dead_letters WHERE id = $1 RETURNING `+deadLetterColumns, id).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.Change.Kind == hubforce.KindMalformed {
			return ErrNotReplayable
		}
		now := nanos(s.now())
		c := d.Change
		row, err := pendingRow(&c, now)
		if err != nil {
			return err
		}
		if err := bulk(ctx, s.txn(tx), pendingInsert, "", [][]any{row}, nil); err != nil {
			return fmt.Errorf("queue change: %w", err)
		}
		return insertHistory(ctx, s.txn(tx), HistoryEntry{
			DeliveryID: c.DeliveryID, Side: c.Side, Object: c.Object, RecordID: c.RecordID, Kind: c.Kind,
			Version: c.Version, Decision: hubforce.Accepted, Detail: fmt.Sprintf("replayed dead letter %d", id),
			Fields: c.Fields,
		}, now)
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotReplayable) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: replay dead letter %d: %w", id, err)
	}
	return nil
}

func (s *sqlStore) DiscardDeadLetter(ctx context.Context, id int64) error {
	res, err := s.b.write.ExecContext(ctx, `DELETE FROM dead_letters WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: discard dead letter %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: discard dead letter %d: %w", id, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
