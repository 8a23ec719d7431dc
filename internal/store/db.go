package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hubforce/hubforce"
)

var _ Store = (*sqlStore)(nil)

// sqlStore implements Store with SQL both dialects accept.
type sqlStore struct {
	b      *backend
	now    func() time.Time
	cfg    config
	group  *committer
	digest *digester
	stats  *statsKeeper // PostgreSQL only

	stmts     *stmtCache // SQLite only
	sealer    *sealer    // nil without a secret key
	closeOnce sync.Once
	closeErr  error
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
	if b.name == "sqlite" {
		s.stmts = newStmtCache(b.write)
	}
	if !cfg.noDigest {
		s.digest = newDigester(s.digestChunk, cfg.onDigestErr, cfg.digestPoll)
	}
	s.group = newCommitter(workers, cfg.maxGroup, s.commitGroup, s.digest)
	if b.name == "postgres" {
		s.stats = s.keepStatistics(cfg.onStatsErr)
	}
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
	d, err := s.group.submit(ctx, changes, nil)
	if err != nil {
		return nil, fmt.Errorf("store: ingest: %w", err)
	}
	return d, nil
}

func (s *sqlStore) Stats() Stats {
	st := s.group.stats()
	if s.digest != nil {
		st.Digested, st.DigestErrors = s.digest.digested.Load(), s.digest.errors.Load()
	}
	return st
}

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

// Close digests what remains in the inbox, for up to the drain timeout,
// so that a process stopped with SIGTERM leaves nothing undigested.
func (s *sqlStore) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *sqlStore) close() error {
	s.stats.close()
	s.group.close()
	var drainErr error
	if s.digest != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.drainTimeout)
		drainErr = s.digest.drain(ctx)
		cancel()
	}
	s.stmts.close()
	if err := s.b.close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.b.name, err)
	}
	if drainErr != nil {
		return fmt.Errorf("store: close %s: inbox left for the next start: %w", s.b.name, drainErr)
	}
	return nil
}

// inTx runs f in a write transaction and commits it.
func (s *sqlStore) inTx(ctx context.Context, f func(tx *sql.Tx) error) (err error) {
	tx, err := s.b.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Statements first seen in this transaction are prepared once it has
	// ended (deferred first, so run after the rollback below), when the
	// writer connection is free again.
	defer s.stmts.prepareMissed()
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

func (s *sqlStore) txn(tx *sql.Tx) txn {
	return txn{Tx: tx, placeholder: s.b.placeholder, arrays: s.b.arrays, stmts: s.stmts, noValueHashes: s.cfg.noValueHashes}
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
