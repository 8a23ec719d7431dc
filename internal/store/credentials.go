package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/hubforce/hubforce"
)

// storedCredential is the sealed plaintext; its own type so that a field
// renamed in hubforce.Credential does not silently drop stored values.
type storedCredential struct {
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token"`
	Expiry       time.Time `json:"expiry"`
	InstanceURL  string    `json:"instance_url"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func credentialAD(side hubforce.Side) string { return "hubforce credential " + string(side) }

func (s *sqlStore) LoadCredential(ctx context.Context, side hubforce.Side) (hubforce.Credential, bool, error) {
	var sealed string
	err := s.b.read.QueryRowContext(ctx, `SELECT sealed FROM credentials WHERE side = $1`, side).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return hubforce.Credential{}, false, nil
	}
	if err != nil {
		return hubforce.Credential{}, false, fmt.Errorf("store: load %s credential: %w", side, err)
	}
	if s.sealer == nil {
		return hubforce.Credential{}, false, fmt.Errorf("store: load %s credential: %w", side, errNoSecretKey)
	}
	plain, err := s.open(ctx, sealed, credentialAD(side))
	if err != nil {
		return hubforce.Credential{}, false, fmt.Errorf("store: load %s credential: %w", side, err)
	}
	var c storedCredential
	if err := json.Unmarshal(plain, &c); err != nil {
		// Not %w: a JSON error may quote the plaintext.
		return hubforce.Credential{}, false, fmt.Errorf("store: load %s credential: decrypted value is not a credential", side)
	}
	return hubforce.Credential{RefreshToken: c.RefreshToken, AccessToken: c.AccessToken, Expiry: c.Expiry,
		InstanceURL: c.InstanceURL, UpdatedAt: c.UpdatedAt}, true, nil
}

func (s *sqlStore) SaveCredential(ctx context.Context, side hubforce.Side, c hubforce.Credential) error {
	if s.sealer == nil {
		return fmt.Errorf("store: save %s credential: %w", side, errNoSecretKey)
	}
	if side != hubforce.HubSpot && side != hubforce.Salesforce {
		return fmt.Errorf("store: save credential: unknown side %q", side)
	}
	now := s.now()
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now
	}
	plain, err := json.Marshal(storedCredential{RefreshToken: c.RefreshToken, AccessToken: c.AccessToken,
		Expiry: c.Expiry, InstanceURL: c.InstanceURL, UpdatedAt: c.UpdatedAt})
	if err != nil {
		return fmt.Errorf("store: save %s credential: encode failed", side)
	}
	sealed, err := s.seal(ctx, plain, credentialAD(side))
	if err != nil {
		return fmt.Errorf("store: save %s credential: %w", side, err)
	}
	if _, err := s.b.write.ExecContext(ctx,
		`INSERT INTO credentials (side, sealed, updated_at) VALUES ($1, $2, $3)
		 ON CONFLICT (side) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
		side, sealed, nanos(now)); err != nil {
		return fmt.Errorf("store: save %s credential: %w", side, err)
	}
	return nil
}

// LockCredential: on PostgreSQL a session advisory lock held on a
// connection of its own, so that it excludes every replica and ends with
// the session if the process dies. It is taken with pg_try_advisory_lock
// in a loop rather than pg_advisory_lock, which would ignore ctx. On
// SQLite one process owns the file, so a lock per side within this Store
// is enough; two Stores opened on one file in one process do not exclude
// each other.
func (s *sqlStore) LockCredential(ctx context.Context, side hubforce.Side) (func(), error) {
	if side != hubforce.HubSpot && side != hubforce.Salesforce {
		return nil, fmt.Errorf("store: lock credential: unknown side %q", side)
	}
	if s.b.name != "postgres" {
		sem := s.credLocks[side]
		select {
		case sem <- struct{}{}:
			var once sync.Once
			return func() { once.Do(func() { <-sem }) }, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("store: lock %s credential: %w", side, ctx.Err())
		}
	}
	unlock, err := s.advisoryLock(ctx, "hubforce credential "+string(side))
	if err != nil {
		return nil, fmt.Errorf("store: lock %s credential: %w", side, err)
	}
	return unlock, nil
}

// advisoryLock takes a PostgreSQL session advisory lock named by the
// current schema and name (so that test schemas do not contend).
func (s *sqlStore) advisoryLock(ctx context.Context, name string) (func(), error) {
	conn, err := s.b.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var schema string
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		_ = conn.Close()
		return nil, err
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(schema + "\x00" + name))
	id := int64(h.Sum64() >> 1)
	backoff := 5 * time.Millisecond
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&got); err != nil {
			discard(conn) // cancelled mid-query, it may have been granted
			return nil, err
		}
		if got {
			break
		}
		select {
		case <-time.After(backoff):
			backoff = min(2*backoff, 200*time.Millisecond)
		case <-ctx.Done():
			_ = conn.Close()
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { unlockOn(conn, id) }) }, nil
}

func unlockOn(conn *sql.Conn, id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, id); err != nil {
		// The session may still hold the lock: end it rather than
		// return it to the pool.
		discard(conn)
		return
	}
	_ = conn.Close()
}

// discard ends conn's session instead of returning it to the pool, for a
// connection that may hold a lock nobody will release.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
