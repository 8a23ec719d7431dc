package store

import (
	"context"
	"fmt"

	"github.com/hubforce/hubforce"
)

// WrittenStore remembers what the bridge last wrote to each record, so that
// the delivery engine can recognise the echo of its own write when the
// target side reports it back (SPEC §3.3).
type WrittenStore interface {
	// LastWritten returns the field values the bridge last wrote to record
	// id on side; an empty map if it never wrote to it.
	LastWritten(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]string, error)
	// SetWritten records fields as written to record id on side,
	// overwriting those fields and keeping the others.
	SetWritten(ctx context.Context, side hubforce.Side, object hubforce.Object, id string, fields map[string]string) error
}

func (s *sqlStore) LastWritten(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]string, error) {
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT field, value FROM written WHERE side = $1 AND object = $2 AND record_id = $3`, side, object, id)
	if err != nil {
		return nil, fmt.Errorf("store: last written: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var f, v string
		if err := rows.Scan(&f, &v); err != nil {
			return nil, fmt.Errorf("store: last written: %w", err)
		}
		out[f] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: last written: %w", err)
	}
	return out, nil
}

func (s *sqlStore) SetWritten(ctx context.Context, side hubforce.Side, object hubforce.Object, id string, fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	if side == "" || object == "" || id == "" {
		return fmt.Errorf("store: set written: side, object and id are required")
	}
	return s.settleOnly(ctx, "set written", Settlement{Written: []Written{{Side: side, Object: object, ID: id, Fields: fields}}})
}
