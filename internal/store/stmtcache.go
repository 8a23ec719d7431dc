package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// stmtCacheMax bounds the statements kept: bulk statements come in a few
// texts per statement kind (see chunkSizes), well under this.
const stmtCacheMax = 256

// stmtCache keeps SQLite's multi-row statements prepared across
// transactions: compiling a statement of hundreds of placeholders cost
// about a sixth of a digest's time. pgx caches prepared statements per
// connection by itself, so PostgreSQL has none.
//
// A statement can only be prepared on the pool's one writer connection
// outside a transaction (inside, the pool has no connection to give), so
// a text first seen in a transaction runs unprepared there and is
// prepared just after.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, missed: map[string]bool{}}
}

// lookup returns the prepared statement for q, or nil after noting q for
// prepareMissed. A nil cache caches nothing.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st
	}
	if len(c.stmts)+len(c.missed) < stmtCacheMax {
		c.missed[q] = true
	}
	return nil
}

// prepareMissed prepares the texts lookup missed; call it outside any
// transaction. A text that fails to prepare is simply not cached. It waits
// at most a second for the connection, so that it cannot hang a caller
// whose transaction was never ended (a panic).
func (c *stmtCache) prepareMissed() {
	if c == nil {
		return
	}
	c.mu.Lock()
	n := len(c.missed)
	c.mu.Unlock()
	if n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.mu.Lock()
	missed := c.missed
	c.missed = map[string]bool{}
	c.mu.Unlock()
	for q := range missed {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[q]; ok {
			_ = st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}
