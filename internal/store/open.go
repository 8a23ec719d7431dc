package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/hubforce/hubforce/internal/store/postgres"
	"github.com/hubforce/hubforce/internal/store/sqlite"
)

// backend is what a dialect supplies: its connections and migrations. The
// SQL itself is shared.
type backend struct {
	name       string
	write      *sql.DB // every write; SQLite: one connection
	read       *sql.DB // reads
	close      func() error
	dialect    goose.Dialect
	migrations fs.FS
	locker     lock.SessionLocker // nil where one process owns the file
	// committers is how many ingest transactions may run at once: one on
	// SQLite (one writer anyway), a few on PostgreSQL where commits of
	// different groups overlap their round trips.
	committers int
	// placeholder spells the n-th parameter of a statement.
	placeholder func(n int) string
	// skipLocked ends the inbox query: replicas digesting at once take
	// different rows instead of waiting for each other. Empty on SQLite,
	// where the writer holds the whole database.
	skipLocked string
	// arrays: a list of values travels as one array parameter (= ANY($n))
	// instead of a list of parameters; see bulkIn.
	arrays bool
}

// Open opens the store at databaseURL, "sqlite:PATH" or "postgres://…"
// (also "postgresql://…"). The schema must be current: run Migrate first.
func Open(ctx context.Context, databaseURL string, opts ...Option) (Store, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	b, err := openBackend(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(ctx, b); err != nil {
		_ = b.close()
		return nil, err
	}
	s, err := newSQLStore(b, cfg)
	if err != nil {
		_ = b.close()
		return nil, err
	}
	return s, nil
}

// Migrate applies the embedded migrations to the database at databaseURL.
// On PostgreSQL an advisory lock makes replicas that start together migrate
// once.
func Migrate(ctx context.Context, databaseURL string) error {
	b, err := openBackend(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = b.close() }()
	p, err := provider(b)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate %s: %w", b.name, err)
	}
	return nil
}

func checkSchema(ctx context.Context, b *backend) error {
	p, err := provider(b)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("store: check schema version (has `hubforce migrate` run?): %w", err)
	}
	if pending {
		return errors.New("store: database schema is not current; run `hubforce migrate`")
	}
	return nil
}

func provider(b *backend) (*goose.Provider, error) {
	var opts []goose.ProviderOption
	if b.locker != nil {
		opts = append(opts, goose.WithSessionLocker(b.locker))
	}
	p, err := goose.NewProvider(b.dialect, b.write, b.migrations, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

func openBackend(ctx context.Context, databaseURL string) (*backend, error) {
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		// Accept sqlite:///abs/path as well as sqlite:/abs/path.
		path = strings.TrimPrefix(path, "//")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		return &backend{
			name: "sqlite", write: db.Write, read: db.Read, close: db.Close,
			dialect: goose.DialectSQLite3, migrations: sqlite.Migrations(), committers: 1,
			placeholder: func(int) string { return "?" },
		}, nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, err := postgres.Open(ctx, databaseURL)
		if err != nil {
			return nil, err
		}
		id, err := postgres.MigrationLockID(ctx, db)
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id),
			lock.WithLockTimeout(1, 300)) // poll every second, up to 5 minutes
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		return &backend{
			name: "postgres", write: db, read: db, close: db.Close,
			dialect: goose.DialectPostgres, migrations: postgres.Migrations(), locker: locker, committers: 4,
			placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
			skipLocked:  " FOR UPDATE SKIP LOCKED",
			arrays:      true,
		}, nil
	}
	return nil, fmt.Errorf("store: unsupported database URL %q: want sqlite:PATH or postgres://…", redact(databaseURL))
}

// redact drops everything after the scheme so that a password in a
// mistyped URL never reaches a log line.
func redact(u string) string {
	if i := strings.Index(u, ":"); i >= 0 {
		return u[:i+1] + "…"
	}
	return "…"
}

// nanos and fromNanos convert times to the stored form; the zero time is
// stored as 0 so that "no version" compares below every real one.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
