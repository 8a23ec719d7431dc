package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hubforce/hubforce"
)

var _ Store = (*sqlStore)(nil)

// sqlStore implements Store with SQL both dialects accept.
type sqlStore struct {
	b     *backend
	now   func() time.Time
	cfg   config
	group *committer

	sealer    *sealer                         // nil without a secret key
	credLocks map[hubforce.Side]chan struct{} // SQLite's credential locks
}

func newSQLStore(b *backend, cfg config) (*sqlStore, error) {
	sl, err := newSealer(cfg.secretKey)
	if err != nil {
		return nil, fmt.Errorf("store: HUBFORCE_SECRET_KEY: %w", err)
	}
	s := &sqlStore{b: b, now: cfg.now, cfg: cfg, sealer: sl, credLocks: map[hubforce.Side]chan struct{}{
		hubforce.HubSpot: make(chan struct{}, 1), hubforce.Salesforce: make(chan struct{}, 1),
	}}
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
	if err := s.b.close(); err != nil {
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

func (s *sqlStore) txn(tx *sql.Tx) txn { return txn{Tx: tx, placeholder: s.b.placeholder} }

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
