package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hubforce/hubforce"
)

// sqlStore implements Store with SQL both dialects accept.
type sqlStore struct {
	b     *backend
	now   func() time.Time
	cfg   config
	group *committer
	stmts *statements
}

func newSQLStore(ctx context.Context, b *backend, cfg config) (*sqlStore, error) {
	stmts, err := prepare(ctx, b.write, b.name == "sqlite")
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", b.name, err)
	}
	s := &sqlStore{b: b, now: cfg.now, cfg: cfg, stmts: stmts}
	workers := b.committers
	if cfg.committers > 0 {
		workers = cfg.committers
	}
	s.group = newCommitter(workers, cfg.maxGroup, s.commitGroup)
	return s, nil
}

func (s *sqlStore) Ingest(ctx context.Context, changes []hubforce.Change) ([]hubforce.Decision, error) {
	for _, c := range changes {
		if err := validate(c); err != nil {
			return nil, fmt.Errorf("store: ingest: %w", err)
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	d, err := s.group.submit(ctx, changes)
	if err != nil {
		return nil, fmt.Errorf("store: ingest: %w", err)
	}
	return d, nil
}

func (s *sqlStore) Stats() Stats { return s.group.stats() }

func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.b.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.b.name, err)
	}
	var one int
	if err := s.b.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.b.name, err)
	}
	return nil
}

func (s *sqlStore) Close() error {
	s.group.close()
	if err := errors.Join(s.stmts.close(), s.b.close()); err != nil {
		return fmt.Errorf("store: close %s: %w", s.b.name, err)
	}
	return nil
}

// inTx runs f in a write transaction and commits it.
func (s *sqlStore) inTx(ctx context.Context, f func(tx *sql.Tx) error) (err error) {
	tx, err := s.b.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
