// Package postgres opens the store's PostgreSQL database through pgx v5
// (database/sql driver "pgx") and holds the goose migrations for it.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the goose migrations for PostgreSQL.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at compile time
	}
	return sub
}

// Open connects to url (postgres:// or postgresql://, libpq parameters such
// as sslmode and search_path in the query) and checks that it answers.
//
// Sessions plan every statement for its parameters (plan_cache_mode
// force_custom_plan) unless the URL says otherwise. pgx prepares each
// statement once per connection, and PostgreSQL switches a prepared
// statement to a generic plan after five runs when that looks no dearer;
// planned while the tables of a new store were nearly empty, the store's
// "record_id IN (…)" lookups got a generic plan that scans every record of
// the object and filters, and a 10,000-record backlog drained five times
// slower than on SQLite (hubforce-bench drain). Planning each run costs a
// fraction of a millisecond; a stale generic plan costs a table scan.
func Open(ctx context.Context, url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return db, nil
}

// MigrationLockID returns the advisory lock id that serialises migrations
// of the schema the connection uses, so that replicas starting together
// migrate once while databases in other schemas (tests) do not wait.
func MigrationLockID(ctx context.Context, db *sql.DB) (int64, error) {
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		return 0, fmt.Errorf("postgres: current schema: %w", err)
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte("hubforce migrations " + schema))
	return int64(h.Sum64() >> 1), nil
}
