package bridge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/store"
)

// StoreUse says what a command expects of the configured store.
type StoreUse int

const (
	// Migrating brings the schema up to date first and creates an SQLite
	// file that is not there: serve, doctor and backfill.
	Migrating StoreUse = iota
	// Existing opens the store a serve has made, changing nothing in its
	// schema: dlq and explain, and a backfill's dry run. An SQLite file
	// that is not there is an error naming the variable that chooses it,
	// not a new empty database.
	Existing
)

// OpenStore opens the configured store the one way every command does:
// with the secret key that seals credentials, and errors that name the
// database (redacted) and HUBFORCE_DATABASE_URL.
func OpenStore(ctx context.Context, c config.Config, use StoreUse, opts ...store.Option) (store.Store, error) {
	where := fmt.Sprintf("%sDATABASE_URL %s%s", config.Prefix, config.Redact(c.DatabaseURL), defaulted(c))
	switch use {
	case Existing:
		if sqliteMissing(c.DatabaseURL) {
			return nil, fmt.Errorf("%s: %w: set %sDATABASE_URL to the store of the running serve, "+
				"or sqlite:hubforce-sandbox/bridge.db for the sandbox's", where, ErrNoStore, config.Prefix)
		}
	case Migrating:
		if err := store.Migrate(ctx, c.DatabaseURL); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	st, err := store.Open(ctx, c.DatabaseURL, append([]store.Option{store.WithSecretKey(c.SecretKey)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return st, nil
}

// ErrNoStore is an Existing store's SQLite file that is not there.
var ErrNoStore = errors.New("there is no database there")

// sqliteMissing reports an SQLite database URL whose file is not there
// (opening it would create it).
func sqliteMissing(databaseURL string) bool {
	path, ok := strings.CutPrefix(databaseURL, "sqlite:")
	if !ok {
		return false
	}
	path, _, _ = strings.Cut(strings.TrimPrefix(path, "//"), "?")
	_, err := os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

// defaulted notes that the database URL is the default, not one the user
// set.
func defaulted(c config.Config) string {
	if c.DatabaseURL == "sqlite:hubforce.db" {
		return " (not set; this is its default)"
	}
	return ""
}
