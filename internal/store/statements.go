package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The ingest path's SQL. Prepared once per store: SQLite would otherwise
// compile every statement for every change (most of an ingest's CPU time).
const (
	sqlInsertDelivery = `INSERT INTO deliveries (side, delivery_id, received_at) VALUES ($1, $2, $3)
		ON CONFLICT (side, delivery_id) DO NOTHING`
	sqlLockRecord = `INSERT INTO records (side, object, record_id, last_received_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (side, object, record_id) DO UPDATE SET last_received_at = excluded.last_received_at`
	sqlAdvanceVersion = `INSERT INTO record_versions (side, object, record_id, version_key, version)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (side, object, record_id, version_key) DO UPDATE SET version = excluded.version
		WHERE excluded.version > record_versions.version`
	sqlInsertPending = `INSERT INTO pending (side, object, record_id, kind, delivery_id, version, payload, enqueued_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`
	sqlInsertHistory = `INSERT INTO history (delivery_id, side, object, record_id, kind, version, decision, detail, fields, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
)

// statements are prepared on SQLite only: pgx already caches a prepared
// statement per connection for each SQL text, and a database/sql Stmt used
// in a transaction on another connection would be prepared again there,
// costing a round trip per statement per group.
type statements struct {
	delivery, record, version, pending, history *sql.Stmt
}

// bound are the statements of one transaction.
type bound struct {
	delivery, record, version, pending, history execFunc
}

type execFunc func(ctx context.Context, args ...any) (sql.Result, error)

func prepare(ctx context.Context, db *sql.DB, really bool) (*statements, error) {
	var st statements
	if !really {
		return &st, nil
	}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.delivery, sqlInsertDelivery}, {&st.record, sqlLockRecord}, {&st.version, sqlAdvanceVersion},
		{&st.pending, sqlInsertPending}, {&st.history, sqlInsertHistory},
	} {
		s, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			_ = st.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.dst = s
	}
	return &st, nil
}

// in binds the statements to a transaction.
func (st *statements) in(ctx context.Context, tx *sql.Tx) *bound {
	bind := func(s *sql.Stmt, text string) execFunc {
		if s == nil {
			return func(ctx context.Context, args ...any) (sql.Result, error) {
				return tx.ExecContext(ctx, text, args...)
			}
		}
		return tx.StmtContext(ctx, s).ExecContext
	}
	return &bound{
		delivery: bind(st.delivery, sqlInsertDelivery), record: bind(st.record, sqlLockRecord),
		version: bind(st.version, sqlAdvanceVersion), pending: bind(st.pending, sqlInsertPending),
		history: bind(st.history, sqlInsertHistory),
	}
}

func (st *statements) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{st.delivery, st.record, st.version, st.pending, st.history} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
