// Package sqlite opens the store's SQLite database: the pure-Go driver
// modernc.org/sqlite in WAL mode with synchronous=FULL, so that a committed
// transaction has been fsynced (WAL + NORMAL may lose the last commits on
// power loss, https://www.sqlite.org/pragma.html#pragma_synchronous), and
// the goose migrations for it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the goose migrations for SQLite.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at compile time
	}
	return sub
}

// DB is an opened SQLite database: SQLite allows one writer at a time, so
// every write goes through Write, a pool of exactly one connection that
// begins transactions IMMEDIATE (taking the write lock up front instead of
// failing to upgrade a read lock); reads use Read, a pool of read-only
// connections that WAL lets run beside the writer.
type DB struct {
	Write *sql.DB
	Read  *sql.DB
}

// Close closes both pools.
func (d *DB) Close() error {
	return errors.Join(d.Read.Close(), d.Write.Close())
}

// Open opens (creating if missing) the database file at path.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: database path %q must not contain '?' or '#'", path)
	}
	// busy_timeout covers another process (e.g. `hubforce dlq`) holding the
	// write lock for a moment.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	write, err := sql.Open("sqlite", path+"?"+common+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer connects first so that the file is in WAL mode before any
	// reader opens it.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	return &DB{Write: write, Read: read}, nil
}
