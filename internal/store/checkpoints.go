package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hubforce/hubforce"
)

func (s *sqlStore) Checkpoint(ctx context.Context, key string) (string, error) {
	var v string
	err := s.b.read.QueryRowContext(ctx, `SELECT value FROM checkpoints WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: checkpoint %q: %w", key, err)
	}
	return v, nil
}

func (s *sqlStore) SetCheckpoint(ctx context.Context, key, value string) error {
	if _, err := s.b.write.ExecContext(ctx,
		`INSERT INTO checkpoints (key, value, updated_at) VALUES ($1, $2, $3)
		 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, nanos(s.now())); err != nil {
		return fmt.Errorf("store: set checkpoint %q: %w", key, err)
	}
	return nil
}

func (s *sqlStore) Versions(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]time.Time, error) {
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT version_key, version FROM record_versions WHERE side = $1 AND object = $2 AND record_id = $3`,
		side, object, id)
	if err != nil {
		return nil, fmt.Errorf("store: versions: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: versions: %w", err)
		}
		out[k] = fromNanos(v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: versions: %w", err)
	}
	return out, nil
}
